//! The forecast on an imported organisation (see docs/BENCHMARKS.md):
//!   cargo bench -p quotient-store --bench forecast -- DATABASE_URL [PERIOD] [RUNS] [--weeks N]
//! Times, as of the day of the latest opportunity (median of RUNS warm runs): the organisation's
//! roll-up as an executive reads it (calls, quota, plan and the data forecast beside them), a
//! manager's (M1's team) and a rep's (R1) roll-up, the executive's read just after a rep logs a
//! call (which leaves the kept data forecast standing), the same read just after a write the
//! model reads (a setting saved, which moves the pipeline revision, so the data forecast is
//! computed again), the forecast page's figures beside the roll-up as the executive reads them
//! (kept, and just after such a write), the week's changes, and the weekly snapshot of the whole
//! open pipeline (taken for weeks after the day and removed again). With `--weeks N` it then keeps
//! N weekly snapshots of the pipeline for the N weeks before the day and prints the snapshots'
//! size on disk.

use chrono::{Duration, NaiveDate, Utc};
use quotient_core::model::{ActivityType, UserRole};
use quotient_store::access::{self, NewUser, Viewer};
use quotient_store::kpi::Directory;
use quotient_store::ops::activities::{self, LogActivity};
use quotient_store::ops::forecast::{self, ChangesQuery, ForecastQuery};
use quotient_store::ops::forecast_model::{self, FiguresOn};
use quotient_store::ops::reports::SubjectRequest;
use quotient_store::ops::settings::{self, SaveSettings};
use quotient_store::orgs::OrgId;
use quotient_store::{Db, Dialect, Value, orgs};
use std::time::Instant;

type Error = Box<dyn std::error::Error>;

/// The median and the samples of `runs` warm runs of `work`, which answers the milliseconds it
/// measured (so that it can leave its preparation out).
fn timed(runs: usize, mut work: impl FnMut(usize) -> Result<f64, Error>) -> Result<(f64, Vec<f64>), Error> {
    work(0)?; // warm-up
    let samples = (1..=runs).map(&mut work).collect::<Result<Vec<f64>, Error>>()?;
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    Ok((sorted[sorted.len() / 2], samples))
}

/// The milliseconds `work` takes.
fn clock<T, E: Into<Error>>(work: impl FnOnce() -> Result<T, E>) -> Result<f64, Error> {
    let started = Instant::now();
    work().map_err(Into::into)?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

fn show(label: &str, (median, samples): (f64, Vec<f64>)) {
    let runs: Vec<String> = samples.iter().map(|s| format!("{s:.2}")).collect();
    println!("{label:<58} median {median:>9.2} ms   runs {}", runs.join(" "));
}

/// The snapshot tables' bytes on disk, with their indexes.
fn snapshot_bytes(db: &mut Db) -> Result<i64, Error> {
    let sql = match db.dialect() {
        Dialect::Sqlite => {
            "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('forecast_snapshot_deals', 'forecast_snapshots')
                OR name LIKE 'sqlite_autoindex_forecast_snapshot%'"
        }
        Dialect::Postgres => {
            "SELECT pg_total_relation_size('forecast_snapshot_deals') + pg_total_relation_size('forecast_snapshots')"
        }
    };
    Ok(db.query_i64(sql, &[])?)
}

/// A rep who signs in, to log calls as (the audit names a user): the bench's own user of the first
/// rep, added on the first run.
fn caller(db: &mut Db, org: OrgId, directory: &Directory) -> Result<Viewer, Error> {
    let rep = directory.people.iter().find(|p| p.is_rep).ok_or("the organisation has no reps")?;
    let email = "forecast-bench@quotient.test";
    let known = access::find_users_by_email(db, email)?.into_iter().map(|(user, _)| user).find(|u| u.org == org);
    let user = match known {
        Some(user) => user,
        None => {
            let new = NewUser {
                email,
                name: "Forecast bench",
                role: UserRole::Rep,
                rep: Some(&rep.external_id),
                password_hash: "x",
            };
            let id = access::add_user(db, org, &new)?;
            access::get_user(db, org, id)?.ok_or("the user just added")?
        }
    };
    Ok(Viewer::load(db, &user)?)
}

fn main() -> Result<(), Error> {
    let mut args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let weeks = match args.iter().position(|a| a == "--weeks") {
        Some(at) => {
            let value = args.get(at + 1).ok_or("--weeks needs a number")?.parse::<i64>()?;
            args.drain(at..=at + 1);
            Some(value)
        }
        None => None,
    };
    let Some(url) = args.first() else {
        eprintln!("usage: cargo bench -p quotient-store --bench forecast -- DATABASE_URL [PERIOD] [RUNS] [--weeks N]");
        return Ok(());
    };
    let period = args.get(1).map_or("2026-Q4", String::as_str).to_string();
    let runs: usize = args.get(2).map_or(Ok(5), |r| r.parse())?;
    let mut db = quotient_store::open(url)?;
    let org = orgs::list(&mut db)?.into_iter().next().ok_or("the database holds no organisation")?;
    let directory = Directory::load(&mut db, org.id)?;
    let operator = Viewer::operator(org.id, &directory);
    let today = db
        .query_opt(
            "SELECT MAX(created_at) FROM opportunities WHERE org_id = ? AND deleted_at IS NULL",
            &[org.id.value()],
            |row| row.timestamp(0),
        )?
        .flatten()
        .map(|at| at.date_naive())
        .ok_or("the organisation has no opportunities")?;
    let open = db.query_i64(
        "SELECT COUNT(*) FROM opportunities WHERE org_id = ? AND status = 'open' AND deleted_at IS NULL",
        &[org.id.value()],
    )?;
    let reps = directory.people.iter().filter(|p| p.is_rep).count();
    println!("{url}: {reps} reps, {open} open deals, period {period} as of {today}, {runs} warm runs");

    let query = ForecastQuery { period: period.clone(), team: None, today };
    let rollup = forecast::forecast(&mut db, &operator, &directory, &query)?;
    println!(
        "the organisation's data forecast: {} cents over {} lines",
        rollup.organisation_data_forecast_cents.unwrap_or_default(),
        rollup.lines.len()
    );
    show(
        "the organisation's roll-up (executive)",
        timed(runs, |_| clock(|| forecast::forecast(&mut db, &operator, &directory, &query)))?,
    );
    // A manager's team and a rep as they read it: M1 and R1 of the demo, else the first of each.
    let manager = directory
        .person_by_external_id("M1")
        .or_else(|| directory.people.iter().find(|p| !p.is_rep))
        .ok_or("the organisation has no managers")?;
    let as_manager = Viewer::operator_as(org.id, &directory, manager.id, UserRole::Manager);
    show(
        &format!(
            "a manager's roll-up ({}, {} people beneath)",
            manager.external_id,
            directory.subtree(manager.id).len()
        ),
        timed(runs, |_| clock(|| forecast::forecast(&mut db, &as_manager, &directory, &query)))?,
    );
    let first_rep = directory
        .person_by_external_id("R1")
        .or_else(|| directory.people.iter().find(|p| p.is_rep))
        .ok_or("the organisation has no reps")?;
    let as_rep = Viewer::operator_as(org.id, &directory, first_rep.id, UserRole::Rep);
    show(
        &format!("a rep's roll-up ({})", first_rep.external_id),
        timed(runs, |_| clock(|| forecast::forecast(&mut db, &as_rep, &directory, &query)))?,
    );
    let rep = caller(&mut db, org.id, &directory)?;
    show(
        "the roll-up after a call logged (data forecast kept)",
        timed(runs, |_| {
            let call = LogActivity {
                rep: None,
                kind: ActivityType::ColdCall,
                occurred_at: Utc::now() - Duration::minutes(1),
                opportunity: None,
                outcome: None,
            };
            activities::log(&mut db, &rep, &call)?;
            clock(|| forecast::forecast(&mut db, &operator, &directory, &query))
        })?,
    );
    show(
        "the roll-up after a write (data forecast computed)",
        timed(runs, |run| {
            let stale_after = (7 + run % 2).to_string();
            let write = SaveSettings { values: vec![("method.forecast_stale_after_days".into(), stale_after)] };
            settings::save_settings(&mut db, &operator, &write)?;
            clock(|| forecast::forecast(&mut db, &operator, &directory, &query))
        })?,
    );
    // The forecast page beside the roll-up: its figures for the executive (the organisation) and
    // the week's changes, kept and right after a write the model reads.
    let period_value: quotient_core::Period = period.parse().map_err(|_| "the period")?;
    let on = FiguresOn { subject: SubjectRequest::Own, period: period_value, today };
    show(
        "the page's figures (executive, kept)",
        timed(runs, |_| clock(|| forecast_model::forecast_figures(&mut db, &operator, &directory, &on)))?,
    );
    show(
        "the page's figures after a write (computed again)",
        timed(runs, |run| {
            let stale_after = (7 + run % 2).to_string();
            let write = SaveSettings { values: vec![("method.forecast_stale_after_days".into(), stale_after)] };
            settings::save_settings(&mut db, &operator, &write)?;
            clock(|| forecast_model::forecast_figures(&mut db, &operator, &directory, &on))
        })?,
    );
    let changes = ChangesQuery { team: None, today };
    show(
        "the week's changes (executive)",
        timed(runs, |_| clock(|| forecast::changes(&mut db, &operator, &directory, &changes)))?,
    );
    let after = |day: NaiveDate, run: usize| day + Duration::weeks(1 + run as i64);
    let deals = forecast::take_snapshot(&mut db, &operator, after(today, 100))?.deals.unwrap_or_default();
    show(
        &format!("a weekly snapshot of the whole pipeline ({deals} deals)"),
        timed(runs, |run| clock(|| forecast::take_snapshot(&mut db, &operator, after(today, run))))?,
    );
    let this_week = quotient_store::forecast::snapshots::week_key(today);
    for table in ["forecast_snapshot_deals", "forecast_snapshots"] {
        db.execute(
            &format!("DELETE FROM {table} WHERE org_id = ? AND week > ?"),
            &[org.id.value(), Value::Int(this_week)],
        )?;
    }
    if let Some(weeks) = weeks {
        let started = Instant::now();
        let mut taken = 0;
        for week in (1..=weeks).rev() {
            taken += forecast::take_snapshot(&mut db, &operator, today - Duration::weeks(week))?.deals.unwrap_or(0);
        }
        let rows = db.query_i64("SELECT COUNT(*) FROM forecast_snapshot_deals WHERE org_id = ?", &[org.id.value()])?;
        let weeks_kept = db.query_i64("SELECT COUNT(*) FROM forecast_snapshots WHERE org_id = ?", &[org.id.value()])?;
        println!(
            "{weeks} weekly snapshots taken ({taken} deal rows) in {:.1} s; {weeks_kept} weeks and {rows} deal rows kept",
            started.elapsed().as_secs_f64()
        );
        match snapshot_bytes(&mut db) {
            Ok(bytes) => println!("snapshots on disk: {bytes} bytes ({:.1} MB)", bytes as f64 / 1e6),
            Err(e) => println!("snapshots on disk: not read ({e})"),
        }
    }
    Ok(())
}
