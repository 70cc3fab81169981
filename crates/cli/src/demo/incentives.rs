//! The demo's incentive plans for its current year (`INCENTIVES.md` §7), built from the bundle's
//! people: every rep on an account-executive plan (a quarterly retroactive commission with
//! accelerators, a gate and a cap, and a yearly bonus curve on deals), every manager on a team
//! overlay with a marginal accelerator, paid monthly on the year to date, a recoverable draw for the newest hires, a revenue race
//! this quarter whose prizes cost nothing, and a per-deal SPIF on one product line last month.

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use quotient_core::period::{Period, PeriodKind};
use quotient_store::Db;
use quotient_store::access::Viewer;
use quotient_store::ids::RepId;
use quotient_store::ops::incentives::{self, SavePlans, StatementRef, StatementsOf};
use quotient_store::ops::reports::SubjectRequest;
use serde_json::{Value as Json, json};
use std::path::Path;

/// The share of the reps, newest hires first, who start on a recoverable draw.
const DRAW_SHARE: f64 = 0.1;
/// The monthly draw of a new hire, in cents.
const DRAW_CENTS: i64 = 250_000;
/// The product line of the SPIF, and what each of its won deals adds.
const SPIF_LINE: &str = "PL3";
const SPIF_CENTS: i64 = 15_000;

/// What the demo's incentives hold once saved.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Paid {
    pub assignments: usize,
    pub contests: usize,
    /// Statements of the year's ended months: locked (all but the last) and approved (the last).
    pub locked: usize,
    pub approved: usize,
}

/// Saves the plans file of `as_of`'s year through the operation (as the operator, the way
/// `quotient incentives --apply` does), then approves the statements of every ended month of the
/// year and locks all of them but the last month's, so that statements in every state show. An
/// organisation that has plans for the year keeps them and gets `None`.
pub fn pay_year(db: &mut Db, scope: &Viewer, bundle: &Path, as_of: NaiveDate) -> Result<Option<Paid>> {
    let year = as_of.year();
    if incentives::plans_file(db, scope, year)?.is_some() {
        return Ok(None);
    }
    let file = serde_json::to_string_pretty(&plans_file(bundle, as_of)?)?;
    let saved = incentives::save_plans(db, scope, &SavePlans { fiscal_year: year, file })?;
    let mut paid = Paid { assignments: saved.assignments, contests: saved.contests, ..Paid::default() };
    let ended = as_of.month() - 1;
    for month in 1..=ended {
        let period = Period::containing(PeriodKind::Month, first_of_month(year, month));
        let query = StatementsOf { period, subject: SubjectRequest::Organisation, today: as_of };
        for sheet in incentives::statements(db, scope, &query)? {
            let statement = StatementRef { rep: RepId(sheet.rep_id), period, today: as_of };
            incentives::approve_statement(db, scope, &statement)?;
            if month < ended {
                incentives::lock_statement(db, scope, &statement)?;
                paid.locked += 1;
            } else {
                paid.approved += 1;
            }
        }
    }
    Ok(Some(paid))
}

/// A person of the bundle's `reps.csv` as the plans need them.
struct Member {
    id: String,
    role: String,
    hired_on: String,
}

/// The plans file of `as_of`'s year for the bundle in `bundle`.
pub fn plans_file(bundle: &Path, as_of: NaiveDate) -> Result<Json> {
    let members = members(&bundle.join("reps.csv"))?;
    let year = as_of.year();
    let mut reps: Vec<&Member> = members.iter().filter(|m| m.role == "rep").collect();
    // Newest first; the id breaks ties so that the same bundle always draws the same reps.
    reps.sort_by(|a, b| b.hired_on.cmp(&a.hired_on).then_with(|| a.id.cmp(&b.id)));
    let on_draw = ((reps.len() as f64 * DRAW_SHARE).round() as usize).max(1).min(reps.len());
    let start = format!("{year}-01-01");
    let rep_assignments: Vec<Json> = reps
        .iter()
        .enumerate()
        .map(|(index, rep)| {
            if index < on_draw {
                json!({ "rep_id": rep.id, "from": start,
                        "draw": { "kind": "recoverable", "amount_cents": DRAW_CENTS } })
            } else {
                json!({ "rep_id": rep.id, "from": start })
            }
        })
        .collect();
    let manager_assignments: Vec<Json> =
        members.iter().filter(|m| m.role == "manager").map(|m| json!({ "rep_id": m.id, "from": start })).collect();
    Ok(json!({
        "fiscal_year": year,
        "plans": [
            {
                "name": format!("Account executive {year}"),
                "assignments": rep_assignments,
                "components": [
                    {
                        "key": "bookings", "metric": "revenue", "credit": "own", "period": "quarter",
                        "cumulative": false, "kind": "commission", "tier_mode": "retroactive",
                        "tiers": [ { "from": "0", "rate": "0.03" }, { "from": "1", "rate": "0.045" },
                                   { "from": "1.25", "rate": "0.06" } ],
                        "gate": "0.5", "cap_cents": 4_000_000
                    },
                    {
                        "key": "deals_bonus", "metric": "deals", "credit": "own", "period": "year",
                        "cumulative": false, "kind": "bonus", "target_cents": 500_000,
                        "curve": [ { "attainment": "0.5", "payout": "0.25" }, { "attainment": "1", "payout": "1" },
                                   { "attainment": "1.5", "payout": "2" } ]
                    }
                ]
            },
            {
                "name": format!("Sales manager {year}"),
                "assignments": manager_assignments,
                "components": [
                    {
                        "key": "team_revenue", "metric": "revenue", "credit": "team", "period": "month",
                        "cumulative": true, "kind": "commission", "tier_mode": "marginal",
                        "tiers": [ { "from": "0", "rate": "0.002" }, { "from": "1", "rate": "0.004" } ]
                    }
                ]
            }
        ],
        "contests": contests(as_of)
    }))
}

/// A revenue race over this quarter, with recognition for prizes, and last month's SPIF (this
/// month's when the year has just begun).
fn contests(as_of: NaiveDate) -> Json {
    let year = as_of.year();
    let quarter = as_of.month0() / 3 + 1;
    let quarter_start = first_of_month(year, 3 * quarter - 2);
    let quarter_end = last_of_month(year, 3 * quarter);
    let spif_month = if as_of.month() > 1 { as_of.month() - 1 } else { 1 };
    json!([
        {
            "name": format!("Q{quarter} revenue race"),
            "start": quarter_start.to_string(), "end": quarter_end.to_string(),
            "participants": "organisation",
            "measure": { "kpi": "revenue" },
            "award": { "prizes": [ "Dinner with the CEO", "A day off", "The team's parking spot for a month" ] }
        },
        {
            "name": format!("{SPIF_LINE} sprint"),
            "start": first_of_month(year, spif_month).to_string(),
            "end": last_of_month(year, spif_month).to_string(),
            "participants": "organisation",
            "measure": { "kpi": "deals_won", "product_line_id": SPIF_LINE },
            "award": { "per_unit_cents": SPIF_CENTS }
        }
    ])
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

fn last_of_month(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 { first_of_month(year + 1, 1) } else { first_of_month(year, month + 1) };
    next.pred_opt().unwrap_or(next)
}

fn members(file: &Path) -> Result<Vec<Member>> {
    let mut reader = csv::Reader::from_path(file).with_context(|| format!("reading {}", file.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).with_context(|| format!("{}: no column {name}", file.display()))
    };
    let (id, role, hired_on) = (column("rep_id")?, column("role")?, column("hired_on")?);
    let mut members = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("reading {}", file.display()))?;
        let field = |i: usize| record.get(i).unwrap_or_default().to_string();
        members.push(Member { id: field(id), role: field(role), hired_on: field(hired_on) });
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_hires_draw_and_the_contests_fall_in_the_year() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let reps = "rep_id,name,email,manager_id,territory_id,role,hired_on\n\
                    E1,E,e@x,,,executive,2019-01-01\nM1,M,m@x,E1,,manager,2020-01-01\n\
                    R1,A,a@x,M1,T1,rep,2022-05-01\nR2,B,b@x,M1,T2,rep,2025-03-01\nR3,C,c@x,M1,T3,rep,2021-01-01\n";
        std::fs::write(dir.path().join("reps.csv"), reps).unwrap_or_else(|e| panic!("{e}"));
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or(NaiveDate::MIN);
        let file = plans_file(dir.path(), as_of).unwrap_or_else(|e| panic!("{e}"));
        let assignments = &file["plans"][0]["assignments"];
        // Three reps: 10% rounds to 0, so the single newest hire (R2, 2025) draws.
        assert_eq!(assignments.as_array().map(Vec::len), Some(3));
        assert_eq!(assignments[0]["rep_id"], "R2");
        assert_eq!(assignments[0]["draw"]["amount_cents"], DRAW_CENTS);
        assert!(assignments[1].get("draw").is_none());
        assert_eq!(file["plans"][1]["assignments"][0]["rep_id"], "M1");
        // November 2026: the race runs over Q4, the SPIF over October.
        assert_eq!(file["contests"][0]["start"], "2026-10-01");
        assert_eq!(file["contests"][0]["end"], "2026-12-31");
        assert_eq!(file["contests"][1]["start"], "2026-10-01");
        assert_eq!(file["contests"][1]["end"], "2026-10-31");
    }
}
