//! Contests: each participant's measure over the contest's days, read in one query per contest;
//! live standings, and the awards the engine decides once the end date has passed (they go onto the
//! statement of the end date's month, and are kept when it is locked).

use super::inputs;
use super::sheet::StatementSheet;
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::Directory;
use crate::ops::incentives::{ContestStandings, StandingRow};
use crate::orgs::OrgId;
use chrono::{NaiveDate, NaiveTime};
use quotient_core::Period;
use quotient_core::incentives::{
    Contest, ContestAward, ContestKpi, Decimal, Participants, PlansFile, Standing, decide_awards, ranked,
};
use std::collections::{HashMap, HashSet};

/// The reps competing in a contest.
fn participants(directory: &Directory, contest: &Contest) -> HashSet<i64> {
    match &contest.participants {
        Participants::Organisation => directory.people.iter().filter(|p| p.is_rep).map(|p| p.id).collect(),
        Participants::Team(manager) => directory
            .people
            .iter()
            .find(|p| &p.external_id == manager)
            .map(|m| {
                directory
                    .subtree(m.id)
                    .into_iter()
                    .filter(|id| directory.person(*id).is_some_and(|p| p.is_rep))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Every participant's measure from the contest's start to `through` (its end at the latest).
pub fn measures(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    contest: &Contest,
    through: NaiveDate,
) -> Result<Vec<Standing>> {
    let reps = participants(directory, contest);
    let last = through.min(contest.end);
    let mut values: HashMap<i64, Decimal> = reps.iter().map(|rep| (*rep, Decimal::ZERO)).collect();
    if last >= contest.start {
        let line =
            contest.measure.product_line_id.as_deref().and_then(|external| {
                directory.product_lines.iter().find(|(_, (id, _))| id == external).map(|(id, _)| *id)
            });
        match contest.measure.kpi {
            ContestKpi::DealsWon | ContestKpi::Revenue => {
                let span =
                    Period::range(contest.start, last.succ_opt().unwrap_or(last)).unwrap_or(Period::week_of(last));
                for deal in inputs::credited_deals(db, org, &reps, span)? {
                    if line.is_some() && deal.product_line != line {
                        continue;
                    }
                    let share = Decimal::from(deal.share_pct) / Decimal::from(100);
                    let value = match contest.measure.kpi {
                        ContestKpi::Revenue => Decimal::from(deal.amount_cents) * share / Decimal::from(100),
                        _ => share,
                    };
                    *values.entry(deal.rep).or_default() += value;
                }
            }
            kpi => {
                for (rep, count) in counts(db, org, kpi, contest.start, last)? {
                    if let Some(value) = values.get_mut(&rep) {
                        *value += Decimal::from(count);
                    }
                }
            }
        }
    }
    let mut standings: Vec<Standing> = values.into_iter().map(|(rep_id, value)| Standing { rep_id, value }).collect();
    standings.sort_by_key(|s| s.rep_id);
    Ok(standings)
}

/// The count of a work KPI per rep over the days `first` to `last`, as `docs/KPIS.md` counts it:
/// first appointments and proposals by the opportunity's owner, conversations as calls that
/// connected or set an appointment.
fn counts(db: &mut Db, org: OrgId, kpi: ContestKpi, first: NaiveDate, last: NaiveDate) -> Result<Vec<(i64, i64)>> {
    let sql = match kpi {
        ContestKpi::FirstAppointments => {
            "SELECT owner_id, COUNT(*) FROM opportunities WHERE org_id = ? AND deleted_at IS NULL
             AND first_appointment_at >= ? AND first_appointment_at < ? GROUP BY owner_id"
        }
        ContestKpi::Proposals => {
            "SELECT owner_id, COUNT(*) FROM opportunities WHERE org_id = ? AND deleted_at IS NULL
             AND proposal_at >= ? AND proposal_at < ? GROUP BY owner_id"
        }
        _ => {
            "SELECT rep_id, COUNT(*) FROM activities WHERE org_id = ? AND deleted_at IS NULL
             AND occurred_at >= ? AND occurred_at < ? AND type IN ('cold_call', 'call_back')
             AND outcome IN ('connected', 'appointment_set') GROUP BY rep_id"
        }
    };
    let start = |day: NaiveDate| Value::Timestamp(day.and_time(NaiveTime::MIN).and_utc());
    db.query_map(sql, &[org.value(), start(first), start(last.succ_opt().unwrap_or(last))], |row| {
        Ok((row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default()))
    })
}

/// The awards of the year's contests decided by `today` (ended before it), with the month
/// (`YYYY-MM`) of each one's end date.
pub fn decided(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    file: &PlansFile,
    today: NaiveDate,
) -> Result<Vec<(String, ContestAward)>> {
    let mut found = Vec::new();
    for contest in file.contests.iter().filter(|c| c.end < today) {
        let month = contest.end.format("%Y-%m").to_string();
        let standings = measures(db, org, directory, contest, contest.end)?;
        found.extend(decide_awards(contest, &standings).into_iter().map(|award| (month.clone(), award)));
    }
    Ok(found)
}

/// The standings of the contests started by `today`, best first, with what each rep wins (or
/// would win, while the contest runs).
pub fn standings(
    db: &mut Db,
    org: OrgId,
    directory: &Directory,
    file: &PlansFile,
    today: NaiveDate,
) -> Result<Vec<ContestStandings>> {
    let mut found = Vec::new();
    for contest in file.contests.iter().filter(|c| c.start <= today) {
        let standings = measures(db, org, directory, contest, today)?;
        let awards = decide_awards(contest, &standings);
        let rows = ranked(&standings)
            .into_iter()
            .map(|standing| {
                let person = directory.person(standing.rep_id);
                let award = awards.iter().find(|a| a.rep_id == standing.rep_id);
                StandingRow {
                    rep_id: standing.rep_id,
                    rep_external_id: person.map(|p| p.external_id.clone()).unwrap_or_default(),
                    name: person.map(|p| p.name.clone()).unwrap_or_default(),
                    value: standing.value.normalize().to_string(),
                    place: award.and_then(|a| a.place),
                    amount_cents: award.map_or(0, |a| a.amount_cents),
                    prizes: award.map(|a| a.prizes.clone()).unwrap_or_default(),
                }
            })
            .collect();
        found.push(ContestStandings {
            name: contest.name.clone(),
            start: contest.start,
            end: contest.end,
            decided: contest.end < today,
            rows,
        });
    }
    Ok(found)
}

/// Keeps the awards of a locked statement, each under its contest's position in the year.
pub fn record_awards(db: &mut Db, org: OrgId, sheet: &StatementSheet) -> Result<()> {
    let year: i64 = sheet.period.get(..4).and_then(|y| y.parse().ok()).unwrap_or_default();
    for award in &sheet.awards {
        let prizes = (!award.prizes.is_empty()).then(|| award.prizes.join("; "));
        db.execute(
            "INSERT INTO contest_awards (org_id, fiscal_year, contest, rep_id, place, amount_cents, prize_text, period)
             SELECT org_id, fiscal_year, position, ?, ?, ?, ?, ? FROM contests
             WHERE org_id = ? AND fiscal_year = ? AND name = ?
             ON CONFLICT (org_id, fiscal_year, contest, rep_id) DO NOTHING",
            &[
                Value::Int(sheet.rep_id),
                Value::opt_int(award.place.map(i64::from)),
                Value::Int(award.amount_cents),
                Value::opt_text(prizes.as_deref()),
                Value::text(&sheet.period),
                org.value(),
                Value::Int(year),
                Value::text(&award.contest),
            ],
        )?;
    }
    Ok(())
}
