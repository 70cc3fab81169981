//! The rollup cells: applying a write's delta, rebuilding from the base rows, and summing cells over
//! a period. Each cell exists at two grains, the day and the month, so a long period reads whole
//! months and only its ragged edges by day.

use super::facts::{self, Cell, Fact};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::orgs::OrgId;
use chrono::{Datelike, NaiveDate};
use quotient_core::Period;
use quotient_core::kpi::Tally;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Grain {
    Day,
    Month,
}

impl Grain {
    fn key(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Month => "month",
        }
    }

    fn bucket(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => day,
            Grain::Month => day.with_day(1).unwrap_or(day),
        }
    }
}

type Key = (Grain, NaiveDate, i64, i64);

/// Runs `write` (one change to `fact`) and moves the fact's contribution in the rollups from what
/// it was to what it is, in the caller's transaction.
pub fn with_delta<T>(db: &mut Db, org: OrgId, fact: Fact, write: impl FnOnce(&mut Db) -> Result<T>) -> Result<T> {
    let before = facts::cells_of(db, org, fact)?;
    let out = write(db)?;
    let after = facts::cells_of(db, org, fact)?;
    apply(db, org, &before, &after)?;
    Ok(out)
}

/// Adds `after` and takes away `before`, at both grains.
pub fn apply(db: &mut Db, org: OrgId, before: &[Cell], after: &[Cell]) -> Result<()> {
    let mut delta: BTreeMap<Key, Tally> = BTreeMap::new();
    for (cells, sign) in [(before, -1), (after, 1)] {
        for cell in cells {
            for grain in [Grain::Day, Grain::Month] {
                let slot = delta.entry((grain, grain.bucket(cell.day), cell.rep_id, cell.product_line_id)).or_default();
                if sign > 0 {
                    *slot += cell.tally;
                } else {
                    *slot -= cell.tally;
                }
            }
        }
    }
    for ((grain, day, rep, line), tally) in delta {
        if tally.is_zero() {
            continue;
        }
        let mut params =
            vec![org.value(), Value::Int(rep), Value::text(grain.key()), Value::Date(day), Value::Int(line)];
        params.extend(tally.values().into_iter().map(Value::Int));
        db.execute(upsert_sql(), &params)?;
    }
    Ok(())
}

fn upsert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let fields = Tally::FIELDS;
        let placeholders = vec!["?"; fields.len()].join(", ");
        let sums: Vec<String> = fields.iter().map(|f| format!("{f} = rollup_cells.{f} + excluded.{f}")).collect();
        format!(
            "INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, {}) VALUES (?, ?, ?, ?, ?, {placeholders})
             ON CONFLICT (org_id, grain, day, rep_id, product_line_id) DO UPDATE SET {}",
            fields.join(", "),
            sums.join(", ")
        )
    })
}

/// Recomputes every rollup cell of the organisation from its base rows, one rep at a time so that
/// memory stays bounded by one rep's history. Returns the number of cells written.
pub fn rebuild(db: &mut Db, org: OrgId) -> Result<u64> {
    db.execute("DELETE FROM rollup_cells WHERE org_id = ?", &[org.value()])?;
    let reps = db.query_map("SELECT id FROM reps WHERE org_id = ? ORDER BY id", &[org.value()], |row| {
        Ok(row.int(0)?.unwrap_or_default())
    })?;
    let mut columns = vec!["org_id", "rep_id", "grain", "day", "product_line_id"];
    columns.extend(Tally::FIELDS);
    let mut written = 0;
    for rep in reps {
        let mut cells: HashMap<Key, Tally> = HashMap::new();
        facts::cells_of_rep(db, org, rep, &mut |cell| {
            for grain in [Grain::Day, Grain::Month] {
                *cells.entry((grain, grain.bucket(cell.day), cell.rep_id, cell.product_line_id)).or_default() +=
                    cell.tally;
            }
        })?;
        let mut cells: Vec<(Key, Tally)> = cells.into_iter().filter(|(_, t)| !t.is_zero()).collect();
        cells.sort_unstable_by_key(|(key, _)| *key);
        let mut loader = db.loader("rollup_cells", &columns, false)?;
        for ((grain, day, rep, line), tally) in &cells {
            let mut row =
                vec![org.value(), Value::Int(*rep), Value::text(grain.key()), Value::Date(*day), Value::Int(*line)];
            row.extend(tally.values().into_iter().map(Value::Int));
            loader.push(&row)?;
        }
        loader.finish()?;
        written += cells.len() as u64;
    }
    Ok(written)
}

/// Which reps and product line a sum covers.
#[derive(Debug, Clone, Copy)]
pub struct CellFilter<'a> {
    /// `None`: every rep of the organisation.
    pub reps: Option<&'a [i64]>,
    pub product_line: Option<i64>,
}

/// Sums the cells of `period` per rep and product line: whole months at the month grain, the rest
/// by day.
pub fn sum(db: &mut Db, org: OrgId, period: Period, filter: CellFilter<'_>) -> Result<HashMap<(i64, i64), Tally>> {
    let mut out: HashMap<(i64, i64), Tally> = HashMap::new();
    for (grain, from, to) in split(period) {
        let mut sql = format!(
            "SELECT rep_id, product_line_id, {} FROM rollup_cells WHERE org_id = ? AND grain = ? AND day >= ? AND day < ?",
            Tally::FIELDS.iter().map(|f| format!("CAST(SUM({f}) AS BIGINT)")).collect::<Vec<_>>().join(", ")
        );
        let mut params = vec![org.value(), Value::text(grain.key()), Value::Date(from), Value::Date(to)];
        if let Some(reps) = filter.reps {
            if reps.is_empty() {
                return Ok(out);
            }
            sql.push_str(&format!(" AND rep_id IN ({})", vec!["?"; reps.len()].join(", ")));
            params.extend(reps.iter().map(|&r| Value::Int(r)));
        }
        if let Some(line) = filter.product_line {
            sql.push_str(" AND product_line_id = ?");
            params.push(Value::Int(line));
        }
        sql.push_str(" GROUP BY rep_id, product_line_id");
        db.query_each(&sql, &params, |row| {
            let key = (row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default());
            let values: Vec<i64> =
                (0..Tally::FIELDS.len()).map(|i| row.int(i + 2).map(|v| v.unwrap_or(0))).collect::<Result<_>>()?;
            *out.entry(key).or_default() += Tally::from_values(&values);
            Ok(())
        })?;
    }
    Ok(out)
}

/// One field of the day cells in `[from, to)`, per rep and day, where it is not 0.
pub fn daily(
    db: &mut Db,
    org: OrgId,
    field: &str,
    from: NaiveDate,
    to: NaiveDate,
    filter: CellFilter<'_>,
) -> Result<Vec<(i64, NaiveDate, i64)>> {
    let field = Tally::FIELDS.iter().find(|f| **f == field).copied().unwrap_or("won");
    let mut sql = format!(
        "SELECT rep_id, day, CAST(SUM({field}) AS BIGINT) FROM rollup_cells WHERE org_id = ? AND grain = 'day' AND day >= ? AND day < ? AND {field} <> 0"
    );
    let mut params = vec![org.value(), Value::Date(from), Value::Date(to)];
    if let Some(reps) = filter.reps {
        if reps.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(" AND rep_id IN ({})", vec!["?"; reps.len()].join(", ")));
        params.extend(reps.iter().map(|&r| Value::Int(r)));
    }
    if let Some(line) = filter.product_line {
        sql.push_str(" AND product_line_id = ?");
        params.push(Value::Int(line));
    }
    sql.push_str(" GROUP BY rep_id, day");
    db.query_map(&sql, &params, |row| {
        Ok((row.int(0)?.unwrap_or_default(), row.date(1)?.unwrap_or_default(), row.int(2)?.unwrap_or_default()))
    })
}

/// `[start, end)` as a leading run of days, whole months, and a trailing run of days.
fn split(period: Period) -> Vec<(Grain, NaiveDate, NaiveDate)> {
    let (start, end) = (period.start(), period.end());
    let first_month = if start.day() == 1 { start } else { next_month(start) };
    let last_month = end.with_day(1).unwrap_or(end);
    if first_month >= last_month {
        return vec![(Grain::Day, start, end)];
    }
    let mut parts = Vec::with_capacity(3);
    if start < first_month {
        parts.push((Grain::Day, start, first_month));
    }
    parts.push((Grain::Month, first_month, last_month));
    if last_month < end {
        parts.push((Grain::Day, last_month, end));
    }
    parts
}

fn next_month(day: NaiveDate) -> NaiveDate {
    let (year, month) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn a_period_splits_into_days_and_whole_months() {
        let parts = |text: &str| split(text.parse().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(parts("2026-Q1"), [(Grain::Month, date("2026-01-01"), date("2026-04-01"))]);
        assert_eq!(parts("2026-W10"), [(Grain::Day, date("2026-03-02"), date("2026-03-09"))]);
        assert_eq!(
            parts("2026-01-15..2026-04-03"),
            [
                (Grain::Day, date("2026-01-15"), date("2026-02-01")),
                (Grain::Month, date("2026-02-01"), date("2026-04-01")),
                (Grain::Day, date("2026-04-01"), date("2026-04-03")),
            ]
        );
        assert_eq!(parts("2025-12-31..2026-01-01"), [(Grain::Day, date("2025-12-31"), date("2026-01-01"))]);
    }
}
