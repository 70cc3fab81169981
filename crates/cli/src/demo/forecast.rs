//! The demo's forecast history: weekly snapshots of the pipeline for the last quarter, and calls
//! for the past quarters and months, submitted every week of each period. Each person calls with a
//! bias of their own, so the accuracy of the calls shows on first start. Some sandbag (they call
//! about 80% of what they win), some are optimistic (about 125%), most are close. The calls
//! converge on the outcome as the period's end nears, and managers adjust their optimists' calls
//! in the last weeks. The figures are deterministic from the seed.

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use quotient_core::Period;
use quotient_core::forecast::{Call, SnapshotLine};
use quotient_core::period::PeriodKind;
use quotient_store::Db;
use quotient_store::access::Viewer;
use quotient_store::ids::RepId;
use quotient_store::kpi::Directory;
use quotient_store::ops::forecast::{self, ForecastQuery, PastCallInput, RecordHistory};
use quotient_store::ops::settings;

/// Weeks of snapshots before the demo's day.
const SNAPSHOT_WEEKS: i64 = 13;
/// Past quarters and months with calls.
const QUARTERS: usize = 4;
const MONTHS: usize = 3;

/// What the demo recorded: weekly snapshots and calls.
pub struct History {
    pub weeks: usize,
    pub calls: usize,
}

/// A number from the seed and the parts, evenly spread (splitmix64).
fn mix(seed: u64, parts: &[i64]) -> u64 {
    let mut x = seed;
    for &part in parts {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15 ^ part as u64);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
    }
    x
}

/// A person's bias in percent of what they go on to win: a fifth sandbag, a fifth are optimistic.
fn bias_pct(seed: u64, person: i64) -> i64 {
    match mix(seed, &[person]) % 10 {
        0 | 1 => 80,
        2 | 3 => 125,
        n => 95 + n as i64,
    }
}

/// The call `weeks_left` weeks before the end: the bias shrinks towards the outcome, with noise
/// of up to ±10% early that fades too.
fn call_of(won: i64, bias: i64, weeks_left: i64, weeks: i64, noise: u64) -> Call {
    let share = weeks_left.min(weeks).max(0);
    let noise_pct = (noise % 21) as i64 - 10;
    let pct = 100 + (bias - 100 + noise_pct) * share / weeks.max(1);
    let commit = won * pct / 100;
    Call { commit_cents: commit, best_case_cents: commit + commit / 5 }
}

/// Of the weeks' boundaries at which a moving deal changes, the share (in twelfths) at which it is
/// pushed, pulled in, or its amount goes down or up.
const PUSHED: u64 = 3;
const PULLED_IN: u64 = 1;
const AMOUNT_DOWN: u64 = 1;
const AMOUNT_UP: u64 = 1;

/// Whether a deal is one of the quarter that change over the weeks.
fn moves(seed: u64, deal: i64) -> bool {
    mix(seed, &[deal, 1]).is_multiple_of(4)
}

/// A deal of the snapshot of `week` as it stood then. The records keep only a deal's expected
/// close and amount of today, so the demo moves them back: a quarter of the deals change now and
/// then, each change at the boundary between two weeks (0 the last, between the last snapshot and
/// today), undone for every week before it.
fn as_it_stood(seed: u64, monday: NaiveDate, week: NaiveDate, line: &mut SnapshotLine) {
    let deal = line.opportunity;
    if !moves(seed, deal) {
        return;
    }
    for boundary in 0..(monday - week).num_days() / 7 {
        let roll = mix(seed, &[deal, 2, boundary]);
        let days = Duration::days(7 + (roll >> 8) as i64 % 29);
        let pct = 10 + (roll >> 16) as i64 % 21;
        match roll % 12 {
            n if n < PUSHED => line.expected_close = line.expected_close.map(|close| close - days),
            n if n < PUSHED + PULLED_IN => line.expected_close = line.expected_close.map(|close| close + days),
            n if n < PUSHED + PULLED_IN + AMOUNT_DOWN => line.amount_cents += line.amount_cents * pct / 100,
            n if n < PUSHED + PULLED_IN + AMOUNT_DOWN + AMOUNT_UP => line.amount_cents -= line.amount_cents * pct / 100,
            _ => {}
        }
    }
}

/// The demo's stages' default forecast categories: a proposal is best case, a negotiation commit.
const STAGE_CATEGORIES: [(&str, &str); 2] = [("proposal", "best_case"), ("negotiation", "commit")];

pub fn record(db: &mut Db, scope: &Viewer, directory: &Directory, as_of: NaiveDate, seed: u64) -> Result<History> {
    for stage in settings::pipeline_setup(db, scope)?.stages {
        if let Some((_, category)) = STAGE_CATEGORIES.iter().find(|(key, _)| *key == stage.key) {
            settings::save_stage(db, scope, &stage.with_category(category))?;
        }
    }
    let monday = as_of - Duration::days(i64::from(as_of.weekday().num_days_from_monday()));
    let weeks: Vec<NaiveDate> = (1..=SNAPSHOT_WEEKS).rev().map(|w| monday - Duration::weeks(w)).collect();
    let history = RecordHistory { weeks, calls: vec![] };
    let (weeks_written, _) = forecast::record_history(db, scope, &history, |week, line| {
        as_it_stood(seed, monday, week, line);
    })?;
    let mut periods = vec![];
    let mut quarter = Period::containing(PeriodKind::Quarter, as_of);
    let mut month = Period::containing(PeriodKind::Month, as_of);
    for _ in 0..QUARTERS {
        quarter = quarter.previous();
        periods.push(quarter);
    }
    for _ in 0..MONTHS {
        month = month.previous();
        periods.push(month);
    }
    let mut calls = vec![];
    for period in periods {
        let last_day = period.end() - Duration::days(1);
        let query = ForecastQuery { period: period.to_string(), team: None, today: last_day };
        let outcome = forecast::forecast(db, scope, directory, &query)?;
        let mondays: Vec<NaiveDate> = period.weeks().map(|w| w.start().max(period.start())).collect();
        let total_weeks = mondays.len() as i64;
        for line in &outcome.lines {
            let person = line.rolled.person.unwrap_or_default();
            let Some(who) = directory.person(person) else { continue };
            let won = line.rolled.deals.closed;
            let bias = bias_pct(seed, person);
            for (i, day) in mondays.iter().enumerate() {
                let weeks_left = total_weeks - i as i64;
                let noise = mix(seed, &[person, i64::from(day.num_days_from_ce())]);
                let at = day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc();
                calls.push(PastCallInput {
                    period,
                    subject: RepId(person),
                    adjustment: false,
                    call: call_of(won, bias, weeks_left, total_weeks, noise),
                    note: String::new(),
                    by: Some(RepId(person)),
                    submitted_at: at,
                });
                // In the last three weeks a manager takes an optimist's call down to what they see.
                if who.is_rep && bias > 110 && weeks_left <= 3 {
                    let manager = who.manager_id.map(RepId);
                    calls.push(PastCallInput {
                        period,
                        subject: RepId(person),
                        adjustment: true,
                        call: call_of(won, 102, weeks_left, total_weeks, noise),
                        note: "Calls high every quarter: taken down to the deals in contract".into(),
                        by: manager,
                        submitted_at: at + Duration::hours(6),
                    });
                }
            }
        }
    }
    let (_, calls_written) = forecast::record_history(db, scope, &RecordHistory { weeks: vec![], calls }, |_, _| {})?;
    Ok(History { weeks: weeks_written, calls: calls_written })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_converge_on_the_outcome() {
        // An optimist (125%) with no noise (noise 10 → 0%) on 1,000: 13 of 13 weeks left → 1,250;
        // 1 week left → 100 + 25 × 1/13 = 101% → 1,010; at the end → 1,000.
        assert_eq!(call_of(1_000, 125, 13, 13, 10).commit_cents, 1_250);
        assert_eq!(call_of(1_000, 125, 1, 13, 10).commit_cents, 1_010);
        assert_eq!(call_of(1_000, 125, 0, 13, 10), Call { commit_cents: 1_000, best_case_cents: 1_200 });
        // The mix is deterministic.
        assert_eq!(mix(7, &[1, 2]), mix(7, &[1, 2]));
    }

    #[test]
    fn a_deal_stood_before_each_change_as_the_change_undone() {
        let monday: NaiveDate = "2026-11-16".parse().unwrap_or_default();
        let today = |deal| SnapshotLine {
            opportunity: deal,
            owner: 1,
            amount_cents: 10_000,
            stage: "proposal".into(),
            category: quotient_core::forecast::Category::Pipeline,
            expected_close: "2026-12-31".parse().ok(),
        };
        // Deals that move: one week back undoes the changes of the last boundary only, and each
        // week further back one boundary more.
        let moving: Vec<i64> = (0..200).filter(|&deal| moves(3, deal)).collect();
        assert!((30..=70).contains(&moving.len()), "{}", moving.len());
        for &deal in &moving {
            let mut last_week = today(deal);
            as_it_stood(3, monday, monday - Duration::weeks(1), &mut last_week);
            let mut undone = today(deal);
            let roll = mix(3, &[deal, 2, 0]);
            let days = Duration::days(7 + (roll >> 8) as i64 % 29);
            let pct = 10 + (roll >> 16) as i64 % 21;
            match roll % 12 {
                0..=2 => undone.expected_close = undone.expected_close.map(|c| c - days),
                3 => undone.expected_close = undone.expected_close.map(|c| c + days),
                4 => undone.amount_cents = 10_000 + 100 * pct,
                5 => undone.amount_cents = 10_000 - 100 * pct,
                _ => {}
            }
            assert_eq!(last_week, undone, "deal {deal}");
        }
        // The others never move.
        let still = (0..200).find(|&deal| !moves(3, deal)).unwrap_or_default();
        let mut long_ago = today(still);
        as_it_stood(3, monday, monday - Duration::weeks(13), &mut long_ago);
        assert_eq!(long_ago, today(still));
    }
}
