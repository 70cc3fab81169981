//! Statement and earnings latency on an imported organisation (see docs/BENCHMARKS.md):
//!   cargo bench -p quotient-store --bench incentives -- DATABASE_URL [MONTH] [RUNS]
//! Saves a plans file for MONTH's year assigning every rep a monthly revenue commission and a
//! quarterly deals bonus (it replaces that year's plans), then times the statements of MONTH for
//! the whole organisation and one rep's earnings with the what-ifs of their open deals (median of
//! RUNS warm runs), as of the month's last day.

use chrono::{Datelike, NaiveDate};
use quotient_core::Period;
use quotient_store::access::Viewer;
use quotient_store::ids::RepId;
use quotient_store::kpi::Directory;
use quotient_store::ops::incentives::{self, SavePlans, StatementsOf};
use quotient_store::ops::reports::SubjectRequest;
use quotient_store::{Value, orgs};
use std::time::Instant;

type Error = Box<dyn std::error::Error>;

fn timed(runs: usize, mut work: impl FnMut() -> Result<(), Error>) -> Result<(f64, Vec<f64>), Error> {
    work()?; // warm-up
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        work()?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    Ok((sorted[sorted.len() / 2], samples))
}

fn show(label: &str, (median, samples): (f64, Vec<f64>)) {
    let runs: Vec<String> = samples.iter().map(|s| format!("{s:.2}")).collect();
    println!("{label:<58} median {median:>9.2} ms   runs {}", runs.join(" "));
}

fn plans_file(year: i32, reps: &[String]) -> String {
    let assignments: Vec<String> =
        reps.iter().map(|rep| format!(r#"{{ "rep_id": "{rep}", "from": "{year}-01-01" }}"#)).collect();
    format!(
        r#"{{ "fiscal_year": {year}, "plans": [ {{ "name": "Bench", "assignments": [ {} ], "components": [
          {{ "key": "bookings", "metric": "revenue", "credit": "own", "period": "month", "kind": "commission",
            "tier_mode": "marginal", "tiers": [ {{ "from": 0, "rate": "0.04" }}, {{ "from": 1, "rate": "0.08" }} ] }},
          {{ "key": "deals", "metric": "deals", "credit": "own", "period": "quarter", "kind": "bonus", "target_cents": 100000,
            "curve": [ {{ "attainment": "0.5", "payout": "0.25" }}, {{ "attainment": "1", "payout": "1" }} ] }} ] }} ] }}"#,
        assignments.join(", ")
    )
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some(url) = args.first() else {
        eprintln!("usage: cargo bench -p quotient-store --bench incentives -- DATABASE_URL [MONTH] [RUNS]");
        return Ok(());
    };
    let month: Period = args.get(1).map_or("2026-06", String::as_str).parse()?;
    let runs: usize = args.get(2).map_or(Ok(5), |r| r.parse())?;
    let today: NaiveDate = month.end().pred_opt().ok_or("no month")?;
    let mut db = quotient_store::open(url)?;
    let org = orgs::list(&mut db)?.into_iter().next().ok_or("the database holds no organisation")?;
    let directory = Directory::load(&mut db, org.id)?;
    let operator = Viewer::operator(org.id, &directory);
    let reps: Vec<String> = directory.people.iter().filter(|p| p.is_rep).map(|p| p.external_id.clone()).collect();
    let year = month.start().year();
    incentives::save_plans(&mut db, &operator, &SavePlans { fiscal_year: year, file: plans_file(year, &reps) })?;
    println!("{url}: {} reps on a plan, statements of {month}, {runs} warm runs", reps.len());

    let query = StatementsOf { period: month, subject: SubjectRequest::Organisation, today };
    let count = incentives::statements(&mut db, &operator, &query)?.len();
    show(
        &format!("statements of the organisation ({count} reps)"),
        timed(runs, || incentives::statements(&mut db, &operator, &query).map(drop).map_err(Into::into))?,
    );
    let rep = db.query_i64(
        "SELECT owner_id FROM opportunities WHERE org_id = ? AND status = 'open' AND deleted_at IS NULL
         GROUP BY owner_id ORDER BY COUNT(*) DESC, owner_id LIMIT 1",
        &[org.id.value()],
    )?;
    let open = db.query_i64(
        "SELECT COUNT(*) FROM opportunities WHERE org_id = ? AND owner_id = ? AND status = 'open' AND deleted_at IS NULL",
        &[org.id.value(), Value::Int(rep)],
    )?;
    show(
        &format!("a rep's earnings ({open} open deals' what-ifs)"),
        timed(runs, || incentives::earnings(&mut db, &operator, RepId(rep), today).map(drop).map_err(Into::into))?,
    );
    Ok(())
}
