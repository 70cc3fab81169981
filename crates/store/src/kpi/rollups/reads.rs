//! The reads: the cells of a period summed per rep and product line, from as few cells as its
//! whole quarters, months and weeks allow.

use super::{Grain, ORGANISATION};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::facts::STATE_DAY;
use crate::kpi::queries::Filter;
use crate::orgs::OrgId;
use chrono::NaiveDate;
use hashbrown::HashMap;
use quotient_core::Period;
use quotient_core::kpi::Tally;
use std::collections::BTreeMap;

/// Sums the cells of `period` per rep and product line: whole months at the month grain, the rest
/// by day.
pub fn sum(db: &mut Db, org: OrgId, period: Period, filter: Filter<'_>) -> Result<HashMap<(i64, i64), Tally>> {
    sum_of(db, org, period, filter, &dated_fields())
}

/// The fields a dated cell may hold: all but the standing ones, which are kept at other grains.
pub(crate) fn dated_fields() -> Vec<&'static str> {
    Tally::FIELDS.iter().copied().filter(|field| !STANDING_FIELDS.contains(field)).collect()
}

/// The fields only the standing grains hold (`state`, and the open opportunities').
const STANDING_FIELDS: &[&str] = &["contacts", "complete_contacts", "open_opportunities"];

/// Like [`sum`], reading only `fields` (the others stay 0): each column read costs.
pub fn sum_of(
    db: &mut Db,
    org: OrgId,
    period: Period,
    filter: Filter<'_>,
    fields: &[&str],
) -> Result<HashMap<(i64, i64), Tally>> {
    sum_at(db, org, &split(period), filter, fields)
}

/// The `FROM` and `WHERE` of a read of the cells of one grain from a day up to another, with its
/// parameters. A list of reps is sought rep by rep, through the key, which starts with the rep;
/// every rep's cells are one range of the index by period, read in its order.
fn cells_between(
    org: OrgId,
    (grain, from, to): (Grain, NaiveDate, NaiveDate),
    filter: Filter<'_>,
    params: &mut Vec<Value<'static>>,
) -> String {
    params.extend([org.value(), Value::text(grain.key()), Value::Date(from), Value::Date(to)]);
    let filter = filter.sql("c.rep_id", Some("c.product_line_id"), params);
    format!("FROM rollup_cells c WHERE c.org_id = ? AND c.grain = ? AND c.day >= ? AND c.day < ?{filter}")
}

/// The cells of each (grain, from, to) piece, summed per rep and product line, in one statement (on
/// PostgreSQL a statement is a round trip).
fn sum_at(
    db: &mut Db,
    org: OrgId,
    pieces: &[(Grain, NaiveDate, NaiveDate)],
    filter: Filter<'_>,
    fields: &[&str],
) -> Result<HashMap<(i64, i64), Tally>> {
    let mut out: HashMap<(i64, i64), Tally> = HashMap::new();
    if pieces.is_empty() {
        return Ok(out);
    }
    // Only known field names reach the SQL, in the order of Tally::FIELDS.
    let positions: Vec<usize> = (0..Tally::FIELDS.len()).filter(|&i| fields.contains(&Tally::FIELDS[i])).collect();
    let columns: Vec<&str> = positions.iter().map(|&i| Tally::FIELDS[i]).collect();
    // The cells are summed here rather than by SQL: reading the columns costs a fraction of
    // SQLite's aggregates over this many columns.
    let mut params = Vec::new();
    let selects: Vec<String> = pieces
        .iter()
        .map(|&piece| {
            let from = cells_between(org, piece, filter, &mut params);
            format!("SELECT c.rep_id, c.product_line_id, c.{} {from}", columns.join(", c."))
        })
        .collect();
    // One buffer for every row: only the positions read are ever written.
    let mut values = vec![0; Tally::FIELDS.len()];
    db.query_each(&selects.join(" UNION ALL "), &params, |row| {
        let key = (row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default());
        for (column, &position) in positions.iter().enumerate() {
            values[position] = row.int(column + 2)?.unwrap_or(0);
        }
        *out.entry(key).or_default() += Tally::from_values(&values);
        Ok(())
    })?;
    Ok(out)
}

/// Per rep, the demos of `period` held on opportunities of each product line: (line, demos).
pub(crate) fn line_demos(
    db: &mut Db,
    org: OrgId,
    period: Period,
    filter: Filter<'_>,
) -> Result<HashMap<i64, Vec<(i64, i64)>>> {
    let pieces: Vec<_> = split(period).into_iter().map(|(grain, from, to)| (grain.of_line_demos(), from, to)).collect();
    let mut out: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for ((rep, line), tally) in sum_at(db, org, &pieces, filter, &["demos"])? {
        if tally.demos != 0 {
            out.entry(rep).or_default().push((line, tally.demos));
        }
    }
    Ok(out)
}

/// The standing facts per rep (the 'state' grain).
pub fn standing(db: &mut Db, org: OrgId, reps: Option<&[i64]>) -> Result<HashMap<i64, Tally>> {
    let mut out = HashMap::new();
    let state = [(Grain::State, STATE_DAY, STATE_DAY + chrono::Duration::days(1))];
    let filter = Filter { reps, product_line: None };
    for ((rep, _), tally) in sum_at(db, org, &state, filter, &["contacts", "complete_contacts"])? {
        *out.entry(rep).or_default() += tally;
    }
    Ok(out)
}

/// Per rep, the open opportunities filed at `grain` (by last activity, or by expected close) on a
/// day before `before`, where there are any.
pub(crate) fn open_before(
    db: &mut Db,
    org: OrgId,
    grain: Grain,
    before: NaiveDate,
    filter: Filter<'_>,
) -> Result<HashMap<i64, i64>> {
    let mut params = Vec::new();
    // Every day either database holds (PostgreSQL's dates start in 4713 BC).
    let earliest = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(STATE_DAY);
    let from = cells_between(org, (grain, earliest, before), filter, &mut params);
    let mut out: HashMap<i64, i64> = HashMap::new();
    db.query_each(&format!("SELECT c.rep_id, c.open_opportunities {from}"), &params, |row| {
        *out.entry(row.int(0)?.unwrap_or_default()).or_default() += row.int(1)?.unwrap_or_default();
        Ok(())
    })?;
    out.retain(|_, count| *count != 0);
    Ok(out)
}

/// One field of the cells of `grain` (week or month) starting in `[from, to)`, per rep and cell, where
/// it is not 0.
pub(crate) fn per_cell(
    db: &mut Db,
    org: OrgId,
    grain: Grain,
    field: &str,
    from: NaiveDate,
    to: NaiveDate,
    filter: Filter<'_>,
) -> Result<Vec<(i64, NaiveDate, i64)>> {
    let field = column_of(field);
    let mut params = Vec::new();
    let cells = cells_between(org, (grain, from, to), filter, &mut params);
    let sql = format!("SELECT c.rep_id, c.day, c.{field} {cells} AND c.{field} <> 0");
    // The product lines of a rep's month (or week) are summed here rather than by a GROUP BY.
    let mut out: BTreeMap<(i64, NaiveDate), i64> = BTreeMap::new();
    db.query_each(&sql, &params, |row| {
        let key = (row.int(0)?.unwrap_or_default(), row.date(1)?.unwrap_or_default());
        *out.entry(key).or_default() += row.int(2)?.unwrap_or_default();
        Ok(())
    })?;
    Ok(out.into_iter().filter(|(_, value)| *value != 0).map(|((rep, day), value)| (rep, day, value)).collect())
}

/// One field of the organisation's month cells starting in `[from, to)` (of one product line, or
/// of all), per month, where it is not 0.
pub(crate) fn organisation_months(
    db: &mut Db,
    org: OrgId,
    field: &str,
    from: NaiveDate,
    to: NaiveDate,
    product_line: Option<i64>,
) -> Result<Vec<(NaiveDate, i64)>> {
    let field = column_of(field);
    let mut sql = format!(
        "SELECT day, {field} FROM rollup_cells WHERE org_id = ? AND rep_id = ? AND grain = ? AND day >= ? AND day < ?"
    );
    let mut params = vec![
        org.value(),
        Value::Int(ORGANISATION),
        Value::text(Grain::OrganisationMonth.key()),
        Value::Date(from),
        Value::Date(to),
    ];
    if let Some(line) = product_line {
        sql.push_str(" AND product_line_id = ?");
        params.push(Value::Int(line));
    }
    let mut out: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    db.query_each(&sql, &params, |row| {
        *out.entry(row.date(0)?.unwrap_or_default()).or_default() += row.int(1)?.unwrap_or_default();
        Ok(())
    })?;
    Ok(out.into_iter().filter(|(_, value)| *value != 0).collect())
}

/// `field` if it is one of the tally's columns, so that only known names reach the SQL.
fn column_of(field: &str) -> &'static str {
    Tally::FIELDS.iter().find(|f| **f == field).copied().unwrap_or("won")
}

/// `[start, end)` as whole quarters, and around them whole months, whole ISO weeks and single days.
fn split(period: Period) -> Vec<(Grain, NaiveDate, NaiveDate)> {
    split_into(&[Grain::Quarter, Grain::Month, Grain::Week, Grain::Day], period.start(), period.end())
}

/// `[start, end)` as whole cells of the first of `grains`, and around them the rest's, coarsest first.
fn split_into(grains: &[Grain], start: NaiveDate, end: NaiveDate) -> Vec<(Grain, NaiveDate, NaiveDate)> {
    let Some((&grain, finer)) = grains.split_first() else { return Vec::new() };
    let first = if grain.bucket(start) == start { start } else { grain.next(start) };
    let last = grain.bucket(end);
    if first >= last {
        return split_into(finer, start, end);
    }
    let mut parts = split_into(finer, start, first);
    parts.push((grain, first, last));
    parts.extend(split_into(finer, last, end));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn a_period_splits_into_quarters_months_weeks_and_days() {
        let parts = |text: &str| split(text.parse().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(parts("2026-Q1"), [(Grain::Quarter, date("2026-01-01"), date("2026-04-01"))]);
        assert_eq!(parts("2026"), [(Grain::Quarter, date("2026-01-01"), date("2027-01-01"))]);
        assert_eq!(parts("2026-05"), [(Grain::Month, date("2026-05-01"), date("2026-06-01"))]);
        // A trailing year from 4 December: days and weeks to January, three whole quarters, then
        // October and November, then three days.
        assert_eq!(
            parts("2025-12-04..2026-12-04"),
            [
                (Grain::Day, date("2025-12-04"), date("2025-12-08")),
                (Grain::Week, date("2025-12-08"), date("2025-12-29")),
                (Grain::Day, date("2025-12-29"), date("2026-01-01")),
                (Grain::Quarter, date("2026-01-01"), date("2026-10-01")),
                (Grain::Month, date("2026-10-01"), date("2026-12-01")),
                (Grain::Day, date("2026-12-01"), date("2026-12-04")),
            ]
        );
        assert_eq!(parts("2026-W10"), [(Grain::Week, date("2026-03-02"), date("2026-03-09"))]);
        // 15 Jan (Thu) … 3 Apr (Fri): days to Monday 19 Jan, weeks to Monday 26 Jan, days to
        // February; February and March whole; then 1–3 April by day (no whole week).
        assert_eq!(
            parts("2026-01-15..2026-04-03"),
            [
                (Grain::Day, date("2026-01-15"), date("2026-01-19")),
                (Grain::Week, date("2026-01-19"), date("2026-01-26")),
                (Grain::Day, date("2026-01-26"), date("2026-02-01")),
                (Grain::Month, date("2026-02-01"), date("2026-04-01")),
                (Grain::Day, date("2026-04-01"), date("2026-04-03")),
            ]
        );
        assert_eq!(parts("2025-12-31..2026-01-01"), [(Grain::Day, date("2025-12-31"), date("2026-01-01"))]);
        // ISO week 1 of 2026 starts on 29 December 2025, inside no whole month.
        assert_eq!(parts("2026-W01"), [(Grain::Week, date("2025-12-29"), date("2026-01-05"))]);
    }

    #[test]
    fn every_day_of_a_split_is_covered_once() {
        let start = date("2024-02-27");
        for length in 1..500 {
            let period =
                Period::range(start, start + chrono::Duration::days(length)).unwrap_or_else(|| panic!("range"));
            let parts = split(period);
            let covered: i64 = parts.iter().map(|(_, a, b)| (*b - *a).num_days()).sum();
            assert_eq!(covered, length, "{parts:?}");
            assert!(parts.windows(2).all(|w| w[0].2 == w[1].1), "{parts:?}");
            for (grain, a, b) in parts {
                assert!(grain != Grain::Week || (a.weekday() == chrono::Weekday::Mon && (b - a).num_days() % 7 == 0));
                assert!(grain != Grain::Month || (a.day() == 1 && b.day() == 1));
                let quarter_start = |d: NaiveDate| d.day() == 1 && d.month0().is_multiple_of(3);
                assert!(grain != Grain::Quarter || (quarter_start(a) && quarter_start(b)));
            }
        }
    }
}
