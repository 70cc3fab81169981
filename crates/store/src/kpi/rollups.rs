//! The rollup cells: applying a write's delta, rebuilding from the base rows, and summing cells over
//! a period. Each dated cell exists at four grains, the day, the ISO week, the month and the
//! quarter, so a long period reads whole quarters, then whole months, then whole weeks, and only its
//! ragged edges by day.

use super::facts::{self, Cell, Fact, STATE_DAY};
use super::queries::Filter;
use crate::db::{Db, Dialect, Value};
use crate::error::Result;
use crate::orgs::{OrgId, Revision};
use chrono::{Datelike, NaiveDate};
use quotient_core::Period;
use quotient_core::kpi::Tally;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    State,
    /// The month of the whole organisation, filed under rep [`ORGANISATION`]: what is learnt from
    /// years of history (the seasonality) reads 36 of these instead of every rep's months.
    OrganisationMonth,
}

/// The rep id the organisation's own cells are filed under (no rep has it).
const ORGANISATION: i64 = 0;

impl Grain {
    fn key(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::State => "state",
            Grain::OrganisationMonth => "org_month",
        }
    }

    fn bucket(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => day,
            Grain::Week => day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Grain::Month | Grain::OrganisationMonth => day.with_day(1).unwrap_or(day),
            Grain::Quarter => NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1).unwrap_or(day),
            Grain::State => STATE_DAY,
        }
    }

    /// The start of the cell after the one `day` is in (for the day, week, month and quarter).
    fn next(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grain::Day => day + chrono::Duration::days(1),
            Grain::Week => self.bucket(day) + chrono::Duration::days(7),
            Grain::Quarter => next_month(next_month(next_month(self.bucket(day)))),
            Grain::Month | Grain::OrganisationMonth | Grain::State => next_month(self.bucket(day)),
        }
    }

    /// The grains a cell is kept at.
    fn of(cell: &Cell) -> &'static [Grain] {
        if cell.standing {
            &[Grain::State]
        } else {
            &[Grain::Day, Grain::Week, Grain::Month, Grain::Quarter, Grain::OrganisationMonth]
        }
    }
}

/// The keys of the stored cells `cell` adds to, one per grain.
fn keys(cell: &Cell) -> impl Iterator<Item = Key> + '_ {
    Grain::of(cell).iter().map(|&grain| {
        let rep = if grain == Grain::OrganisationMonth { ORGANISATION } else { cell.rep_id };
        (grain, grain.bucket(cell.day), rep, cell.product_line_id)
    })
}

type Key = (Grain, NaiveDate, i64, i64);

/// The cells of a rebuild, summed: hashed with foldhash, since SipHash took a tenth of a rebuild.
type Cells = hashbrown::HashMap<Key, Tally>;

/// Runs `write`, a change to `facts` (and so to the facts that depend on them), and moves their
/// contributions in the rollups from what they were to what they are, in the caller's
/// transaction. A write that links a fact to another (an activity to its opportunity) names both.
pub fn with_delta<T>(db: &mut Db, org: OrgId, facts: &[Fact], write: impl FnOnce(&mut Db) -> Result<T>) -> Result<T> {
    delta(db, org, facts, None, write)
}

/// Like [`with_delta`] for a write that creates `created` and links it to `linked`: a fact that
/// does not exist yet contributes nothing before the write, so it is only read after it.
pub fn with_delta_creating<T>(
    db: &mut Db,
    org: OrgId,
    created: Fact,
    linked: &[Fact],
    write: impl FnOnce(&mut Db) -> Result<T>,
) -> Result<T> {
    delta(db, org, linked, Some(created), write)
}

fn delta<T>(
    db: &mut Db,
    org: OrgId,
    existing: &[Fact],
    created: Option<Fact>,
    write: impl FnOnce(&mut Db) -> Result<T>,
) -> Result<T> {
    let mut touched = Vec::new();
    for &fact in existing {
        touched.extend(facts::with_dependents(db, org, fact)?);
    }
    touched.sort_unstable();
    touched.dedup();
    let before = cells_of_all(db, org, &touched)?;
    let out = write(db)?;
    // What a created fact depends on is what it links to, named in `existing`.
    touched.extend(created);
    let after = cells_of_all(db, org, &touched)?;
    apply(db, org, &before, &after)?;
    Ok(out)
}

fn cells_of_all(db: &mut Db, org: OrgId, facts: &[Fact]) -> Result<Vec<Cell>> {
    let mut cells = Vec::new();
    for &fact in facts {
        cells.extend(facts::cells_of(db, org, fact)?);
    }
    Ok(cells)
}

/// Adds `after` and takes away `before`, at every grain.
pub fn apply(db: &mut Db, org: OrgId, before: &[Cell], after: &[Cell]) -> Result<()> {
    let this_month = Grain::Month.bucket(chrono::Utc::now().date_naive());
    let history = before.iter().chain(after).any(|cell| !cell.standing && cell.day < this_month);
    let revisions: &[Revision] = if history { &[Revision::Data, Revision::History] } else { &[Revision::Data] };
    let mut delta: BTreeMap<Key, Tally> = BTreeMap::new();
    for (cells, sign) in [(before, -1), (after, 1)] {
        for cell in cells {
            for key in keys(cell) {
                let slot = delta.entry(key).or_default();
                if sign > 0 {
                    *slot += cell.tally;
                } else {
                    *slot -= cell.tally;
                }
            }
        }
    }
    // One statement for the whole delta: a round trip per cell is what a write would wait for.
    // (In chunks that stay well inside either database's limit on parameters.) On PostgreSQL the
    // revisions move in the first chunk's statement, a writable `WITH`: one round trip fewer.
    let cells: Vec<_> = delta.into_iter().filter(|(_, tally)| !tally.is_zero()).collect();
    let mut revisions_moved = false;
    for chunk in cells.chunks(UPSERT_CHUNK) {
        let mut params = Vec::with_capacity(1 + chunk.len() * (5 + Tally::FIELDS.len()));
        let mut sql = upsert_sql(chunk.len());
        if !revisions_moved && db.dialect() == Dialect::Postgres {
            sql = format!("WITH revisions AS ({}) {sql}", crate::orgs::revisions_update(revisions));
            params.push(org.value());
            revisions_moved = true;
        }
        for ((grain, day, rep, line), tally) in chunk {
            params.extend([
                org.value(),
                Value::Int(*rep),
                Value::text(grain.key()),
                Value::Date(*day),
                Value::Int(*line),
            ]);
            params.extend(tally.values().into_iter().map(Value::Int));
        }
        db.execute(&sql, &params)?;
    }
    if !revisions_moved {
        crate::orgs::bump_revisions(db, org, revisions)?;
    }
    Ok(())
}

/// Cells per upsert statement.
const UPSERT_CHUNK: usize = 200;

/// Adds `rows` cells' tallies to the stored ones (inserting the cells that are new).
fn upsert_sql(rows: usize) -> String {
    let fields = Tally::FIELDS;
    let row = format!("({})", vec!["?"; 5 + fields.len()].join(", "));
    let sums: Vec<String> = fields.iter().map(|f| format!("{f} = rollup_cells.{f} + excluded.{f}")).collect();
    format!(
        "INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id, {}) VALUES {}
         ON CONFLICT (org_id, rep_id, grain, day, product_line_id) DO UPDATE SET {}",
        fields.join(", "),
        vec![row; rows].join(", "),
        sums.join(", ")
    )
}

/// Recomputes every rollup cell of the organisation from its base rows, one rep at a time so that
/// memory stays bounded by one rep's history. Returns the number of cells written.
///
/// Two threads share the work: this one reads a rep's facts and sums them by day, then loads the
/// cells of the rep before; the other spreads each day over the coarser grains and puts the cells
/// in the table's order meanwhile.
pub fn rebuild(db: &mut Db, org: OrgId) -> Result<u64> {
    // Every import ends here: its people may have changed as well as its facts.
    crate::orgs::bump_revisions(db, org, &[Revision::Data, Revision::Directory, Revision::History])?;
    db.execute("DELETE FROM rollup_cells WHERE org_id = ?", &[org.value()])?;
    // The indexes are built once at the end rather than maintained cell by cell; the key too when
    // the cells are all this organisation's, since it is rebuilt over every organisation's cells.
    let alone = db.query_i64("SELECT COUNT(*) FROM organisations", &[])? == 1;
    let indexes = db.set_aside_indexes("rollup_cells", alone)?;
    let reps = db.query_map("SELECT id FROM reps WHERE org_id = ? ORDER BY id", &[org.value()], |row| {
        Ok(row.int(0)?.unwrap_or_default())
    })?;
    let mut columns = vec!["org_id", "rep_id", "grain", "day", "product_line_id"];
    columns.extend(Tally::FIELDS);
    let written = std::thread::scope(|threads| {
        let (days_out, days_in) = std::sync::mpsc::sync_channel::<DayCells>(1);
        let (cells_out, cells_in) = std::sync::mpsc::sync_channel::<Vec<(Key, Tally)>>(1);
        let spreader = threads.spawn(move || {
            // The organisation's own cells gather every rep's and are written last.
            let mut organisation = Cells::new();
            for days in days_in {
                let mut cells = Cells::new();
                for ((rep_id, day, product_line_id, standing), tally) in days {
                    for key in keys(&Cell { rep_id, day, product_line_id, tally, standing }) {
                        let cells = if key.2 == ORGANISATION { &mut organisation } else { &mut cells };
                        *cells.entry(key).or_default() += tally;
                    }
                }
                if cells_out.send(in_table_order(cells)).is_err() {
                    break;
                }
            }
            in_table_order(organisation)
        });
        let mut written = 0;
        let mut pending = false;
        for rep in reps {
            let mut days = DayCells::new();
            facts::cells_of_rep(db, org, rep, &mut |cell| {
                *days.entry((cell.rep_id, cell.day, cell.product_line_id, cell.standing)).or_default() += cell.tally;
            })?;
            if days_out.send(days).is_err() {
                break;
            }
            // The rep before's cells, spread while this rep's facts were read.
            if pending && let Ok(cells) = cells_in.recv() {
                written += load_cells(db, org, &columns, &cells)?;
            }
            pending = true;
        }
        drop(days_out);
        if pending && let Ok(cells) = cells_in.recv() {
            written += load_cells(db, org, &columns, &cells)?;
        }
        let organisation = spreader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written += load_cells(db, org, &columns, &organisation)?;
        Ok::<_, crate::error::StoreError>(written)
    })?;
    db.restore_indexes(&indexes)?;
    Ok(written)
}

/// One rep's facts summed by (rep, day, product line, standing): what a rebuild spreads over the grains.
type DayCells = hashbrown::HashMap<(i64, NaiveDate, i64, bool), Tally>;

/// The cells that are not zero, in the table's key order: one rep's (or the organisation's) are
/// appended, reps coming in order.
fn in_table_order(cells: Cells) -> Vec<(Key, Tally)> {
    let mut cells: Vec<(Key, Tally)> = cells.into_iter().filter(|(_, t)| !t.is_zero()).collect();
    cells.sort_unstable_by_key(|((grain, day, rep, line), _)| (*rep, grain.key(), *day, *line));
    cells
}

/// Bulk-loads `cells`.
fn load_cells(db: &mut Db, org: OrgId, columns: &[&str], cells: &[(Key, Tally)]) -> Result<u64> {
    let mut loader = db.loader("rollup_cells", columns, false)?;
    let mut row = Vec::with_capacity(columns.len());
    for ((grain, day, rep, line), tally) in cells {
        row.clear();
        row.extend([org.value(), Value::Int(*rep), Value::text(grain.key()), Value::Date(*day), Value::Int(*line)]);
        row.extend(tally.values().into_iter().map(Value::Int));
        loader.push(&row)?;
    }
    loader.finish()?;
    Ok(cells.len() as u64)
}

/// Sums the cells of `period` per rep and product line: whole months at the month grain, the rest
/// by day.
pub fn sum(db: &mut Db, org: OrgId, period: Period, filter: Filter<'_>) -> Result<HashMap<(i64, i64), Tally>> {
    sum_of(db, org, period, filter, Tally::FIELDS)
}

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

/// The cells of each (grain, from, to) piece, summed per rep and product line. For a few reps the
/// pieces are read in one statement (on PostgreSQL a statement is a round trip); for everyone, one
/// statement per piece (SQLite reads a compound of the reps' ranges a third slower).
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
    // SQLite's aggregates over this many columns. The cells are keyed by rep first; each piece
    // keeps its own plan, a range of each rep's cells.
    let (cells, join) = filter.rep_by_rep("rollup_cells", "c", "rep_id");
    let statements = if filter.reps.is_some() { vec![pieces] } else { pieces.chunks(1).collect() };
    for pieces in statements {
        let mut params = Vec::new();
        let mut selects = Vec::with_capacity(pieces.len());
        for &(grain, from, to) in pieces {
            params.extend([org.value(), Value::text(grain.key()), Value::Date(from), Value::Date(to)]);
            let filter = filter.sql("c.rep_id", Some("c.product_line_id"), &mut params);
            selects.push(format!(
                "SELECT c.rep_id, c.product_line_id, c.{} FROM {cells}
                 WHERE c.org_id = ? AND c.grain = ? AND c.day >= ? AND c.day < ?{join}{filter}",
                columns.join(", c."),
            ));
        }
        db.query_each(&selects.join(" UNION ALL "), &params, |row| {
            let key = (row.int(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default());
            let mut values = vec![0; Tally::FIELDS.len()];
            for (column, &position) in positions.iter().enumerate() {
                values[position] = row.int(column + 2)?.unwrap_or(0);
            }
            *out.entry(key).or_default() += Tally::from_values(&values);
            Ok(())
        })?;
    }
    Ok(out)
}

/// The standing facts per rep (the 'state' grain).
pub fn standing(db: &mut Db, org: OrgId, reps: Option<&[i64]>) -> Result<HashMap<i64, Tally>> {
    let mut out = HashMap::new();
    let state = [(Grain::State, STATE_DAY, STATE_DAY + chrono::Duration::days(1))];
    for ((rep, _), tally) in sum_at(db, org, &state, Filter { reps, product_line: None }, Tally::FIELDS)? {
        *out.entry(rep).or_default() += tally;
    }
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
    let (cells, join) = filter.rep_by_rep("rollup_cells", "c", "rep_id");
    let mut sql = format!(
        "SELECT c.rep_id, c.day, c.{field} FROM {cells}
         WHERE c.org_id = ? AND c.grain = ? AND c.day >= ? AND c.day < ? AND c.{field} <> 0{join}"
    );
    let mut params = vec![org.value(), Value::text(grain.key()), Value::Date(from), Value::Date(to)];
    sql.push_str(&filter.sql("c.rep_id", Some("c.product_line_id"), &mut params));
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
