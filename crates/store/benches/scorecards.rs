//! Scorecard and write latency on an imported organisation (see docs/BENCHMARKS.md):
//!   cargo bench -p quotient-store --bench scorecards -- DATABASE_URL [PERIOD] [AS_OF] [RUNS]
//! Reads one team's and the whole organisation's scorecards (median of RUNS warm runs, with the
//! organisation's people cached as the web application keeps them), then
//! times single writes with their rollup delta, each on its own ([`WRITES`] of each kind, for a
//! median and a 95th percentile that one slow write does not move): logging an activity, moving
//! an opportunity to the proposal stage. The writes change the database.

use chrono::{NaiveDate, Utc};
use quotient_core::Lang;
use quotient_core::model::{ActivityOutcome, ActivityType};
use quotient_store::crm::activities::NewActivity;
use quotient_store::kpi::{self, ReportRequest, Subject};
use quotient_store::testing::unscoped;
use quotient_store::{Db, Value, orgs};
use std::time::Instant;

// The allocator the `quotient` binary runs with, so that the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Error = Box<dyn std::error::Error>;

/// How many writes of each kind are timed.
const WRITES: usize = 200;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 { samples[mid] } else { (samples[mid - 1] + samples[mid]) / 2.0 }
}

fn timed(runs: usize, mut work: impl FnMut(usize) -> Result<(), Error>) -> Result<(f64, Vec<f64>), Error> {
    work(usize::MAX)?; // warm-up
    let mut samples = Vec::with_capacity(runs);
    for run in 0..runs {
        let started = Instant::now();
        work(run)?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((median(samples.clone()), samples))
}

/// The median and 95th percentile of `count` single writes, after a few to warm up.
fn timed_writes(count: usize, mut write: impl FnMut(usize) -> Result<(), Error>) -> Result<(f64, f64), Error> {
    for warm_up in 0..5 {
        write(count + warm_up)?;
    }
    let mut samples = Vec::with_capacity(count);
    for n in 0..count {
        let started = Instant::now();
        write(n)?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    let p95 = samples[(samples.len() * 95 / 100).min(samples.len() - 1)];
    Ok((median(samples), p95))
}

fn show_writes(label: &str, (median, p95): (f64, f64)) {
    println!("{label:<58} median {median:>9.2} ms   p95 {p95:.2} ms of {WRITES} writes");
}

fn show(label: &str, (median, samples): (f64, Vec<f64>)) {
    let runs: Vec<String> = samples.iter().map(|s| format!("{s:.2}")).collect();
    println!("{label:<58} median {median:>9.2} ms   runs {}", runs.join(" "));
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some(url) = args.first() else {
        eprintln!("usage: cargo bench -p quotient-store --bench scorecards -- DATABASE_URL [PERIOD] [AS_OF] [RUNS]");
        return Ok(());
    };
    let period = args.get(1).map_or("2026-Q3", String::as_str).parse()?;
    let as_of: NaiveDate = args.get(2).map_or("2026-11-20", String::as_str).parse()?;
    let runs: usize = args.get(3).map_or(Ok(5), |r| r.parse())?;
    let mut db = quotient_store::open(url)?;
    let org = orgs::list(&mut db)?.into_iter().next().ok_or("the database holds no organisation")?;
    let reps = db.query_i64("SELECT COUNT(*) FROM reps WHERE org_id = ? AND role = 'rep'", &[org.id.value()])?;
    println!("{url}: {reps} reps, period {period}, as of {as_of}, {runs} warm runs");

    // As the web application reads a scorecard: the organisation's people from a cache that one
    // read of the directory revision validates.
    let directory = kpi::Directory::load(&mut db, org.id)?;
    let report = |db: &mut Db, subject: Subject| -> Result<usize, Error> {
        orgs::revision(db, org.id, orgs::Revision::Directory)?;
        let request = ReportRequest { subject, period, as_of, lang: Lang::ENGLISH };
        Ok(kpi::report_with(db, org.id, &directory, &request)?.reps.len())
    };
    let team_size = report(&mut db, Subject::Team("M1".into()))?;
    show(
        &format!("team scorecard (M1, {team_size} reps, every KPI and flag)"),
        timed(runs, |_| report(&mut db, Subject::Team("M1".into())).map(drop))?,
    );
    show(
        &format!("organisation scorecard ({reps} reps)"),
        timed(runs, |_| report(&mut db, Subject::Organisation).map(drop))?,
    );

    let rep = db.query_i64("SELECT id FROM reps WHERE org_id = ? AND external_id = 'R1'", &[org.id.value()])?;
    show_writes(
        "write: log an activity (with its rollup delta)",
        timed_writes(WRITES, |_| {
            let activity = NewActivity {
                rep_id: rep,
                kind: ActivityType::ColdCall,
                occurred_at: Utc::now(),
                account_id: None,
                contact_id: None,
                opportunity_id: None,
                outcome: Some(ActivityOutcome::Connected),
            };
            unscoped::log_activity(&mut db, org.id, None, &activity).map(drop).map_err(Into::into)
        })?,
    );
    let open = db.query_map(
        "SELECT id FROM opportunities WHERE org_id = ? AND status = 'open' AND proposal_at IS NULL AND deleted_at IS NULL
         ORDER BY id LIMIT ?",
        &[org.id.value(), Value::Int(WRITES as i64 + 5)],
        |row| Ok(row.int(0)?.unwrap_or_default()),
    )?;
    show_writes(
        "write: move an opportunity to proposal (with its rollup delta)",
        timed_writes(WRITES, |n| {
            let id = open[n % open.len()];
            unscoped::move_stage(&mut db, org.id, None, id, "proposal", Utc::now(), Some("demo"))
                .map(drop)
                .map_err(Into::into)
        })?,
    );
    Ok(())
}
