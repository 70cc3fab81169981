//! The reads: the cells of a period summed per rep and product line, from the fewest year, quarter,
//! month, week and day cells that cover it, some of them subtracted.

use super::{Grain, ORGANISATION};
use crate::db::{Db, Dialect, Value};
use crate::error::Result;
use crate::kpi::facts::STATE_DAY;
use crate::kpi::queries::Filter;
use crate::orgs::OrgId;
use chrono::NaiveDate;
use hashbrown::HashMap;
use quotient_core::kpi::{OpenPipeline, Tally};
use quotient_core::{Money, Period};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// Which product lines' cells a read across lines reads (a filter's product line reads that
/// line's, whatever this says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lines {
    /// Each rep's cells of every line together ([`Grain::EveryLine`]): one cell where the lines
    /// have one each.
    Together,
    /// Each line's cells, 0 (what belongs to no line) among them.
    Each,
    /// The cells of the product lines proper (not 0).
    Named,
}

impl Lines {
    /// The grain read for `grain`, and the condition on the product line of its cells: only the
    /// week, month, quarter and year have every-line cells, so the others are read line by line (the
    /// sums across lines add them up).
    fn read(self, grain: Grain, filter: Filter<'_>) -> (Grain, &'static str) {
        if filter.product_line.is_some() {
            return (grain, "");
        }
        match (self, grain.every_line()) {
            (Lines::Together, Some(every_line)) => (every_line, ""),
            (Lines::Named, _) => (grain, " AND c.product_line_id > 0"),
            _ => (grain, ""),
        }
    }
}

/// Sums the cells of `period` per rep across product lines, from as few cells as `split` finds;
/// a rep whose cells of the period are all zero is left out. Keyed by rep and line: the filter's
/// line, or -1 (every line together) for the week, month, quarter and year cells and each line
/// for the day cells, so that a caller sums a rep's keys.
pub fn sum(db: &mut Db, org: OrgId, period: Period, filter: Filter<'_>) -> Result<HashMap<(i64, i64), Tally>> {
    sum_of(db, org, period, filter, &dated_fields())
}

/// The fields a dated cell may hold: all but the standing ones, which are kept at other grains.
pub(crate) fn dated_fields() -> Vec<&'static str> {
    Tally::FIELDS.iter().copied().filter(|field| !STANDING_FIELDS.contains(field)).collect()
}

/// The fields only the standing grains hold (`state`, and the open opportunities').
const STANDING_FIELDS: &[&str] =
    &["contacts", "complete_contacts", "open_opportunities", "open_amount", "open_weighted"];

/// Like [`sum`], reading only `fields` (the others stay 0): each column read costs.
pub fn sum_of(
    db: &mut Db,
    org: OrgId,
    period: Period,
    filter: Filter<'_>,
    fields: &[&str],
) -> Result<HashMap<(i64, i64), Tally>> {
    sum_at(db, org, &split(period), (filter, Lines::Together), fields)
}

/// The sum of `field` over each of `periods`, per rep and product line proper (not 0), where it is
/// not zero: keyed by the period's place in `periods`, rep and line, read in one statement.
pub(crate) fn sum_by_named_line(
    db: &mut Db,
    org: OrgId,
    periods: &[Period],
    filter: Filter<'_>,
    field: &str,
) -> Result<HashMap<(usize, i64, i64), i64>> {
    let pieces: Vec<(usize, Piece)> =
        periods.iter().enumerate().flat_map(|(at, &period)| split(period).into_iter().map(move |p| (at, p))).collect();
    sum_tagged_field(db, org, &pieces, (filter, Lines::Named), field, |key| key)
}

/// What is counted for a product line that has a cell: every contribution to a line's dated cell
/// counts one of these (a deal won or lost, a first appointment, an estimate), and none is ever
/// negative, so a line's sum of them over some periods is above zero exactly when it has a cell in
/// one of them.
const LINE_COUNTS: &[&str] = &["won", "lost", "first_appointments", "estimates"];

/// Per rep, the product lines (not 0) with a cell in one of `periods`: their sums of
/// [`LINE_COUNTS`], one column summed by the database, over the periods' pieces side by side.
pub(crate) fn lines_sold(
    db: &mut Db,
    org: OrgId,
    periods: &[Period],
    filter: Filter<'_>,
) -> Result<HashMap<i64, BTreeSet<i64>>> {
    let mut params = Vec::new();
    let weight: Vec<String> = LINE_COUNTS.iter().map(|field| format!("c.{field}")).collect();
    let selects: Vec<String> = periods
        .iter()
        .flat_map(|&period| split(period))
        .map(|piece| {
            let from = cells_between(org, (piece.grain, piece.from, piece.to), (filter, Lines::Named), &mut params);
            let sign = if piece.subtract { -1 } else { 1 };
            format!(
                "SELECT {sign} AS sign, c.rep_id AS rep, c.product_line_id AS line, {} AS v0 {from}",
                weight.join(" + ")
            )
        })
        .collect();
    let mut sums: HashMap<(i64, i64), i64> = HashMap::new();
    if !selects.is_empty() {
        filter.read_rows(db, &summed(db, selects.join(" UNION ALL "), &["rep", "line"], 1), &params, |row| {
            let key = (row.int(1)?.unwrap_or_default(), row.int(2)?.unwrap_or_default());
            *sums.entry(key).or_default() += row.int(0)?.unwrap_or(1) * row.int(3)?.unwrap_or_default();
            Ok(())
        })?;
    }
    let mut out: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for ((rep, line), sum) in sums {
        if sum > 0 && line != 0 {
            out.entry(rep).or_default().insert(line);
        }
    }
    Ok(out)
}

/// A piece of a read: the cells of one grain from a day up to another, added, or taken away when
/// `subtract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    grain: Grain,
    from: NaiveDate,
    to: NaiveDate,
    subtract: bool,
}

/// From how many cells of its grain a piece is worth summing per key in the database: more than
/// a month of days, which no piece of the calendar ([`split`]) spans (a month's cell would cover
/// them).
const MANY_CELLS: usize = 32;

impl Piece {
    /// Whether the piece spans [`MANY_CELLS`] cells or more (every day before one, say).
    fn spans_many_cells(&self) -> bool {
        let mut start = self.from;
        for _ in 0..MANY_CELLS {
            if start >= self.to {
                return false;
            }
            start = self.grain.next(start);
        }
        true
    }
}

/// The `FROM` and `WHERE` of a read of the cells of one grain from a day up to another, with its
/// parameters. A list of reps is sought rep by rep, through the key, which starts with the rep;
/// every rep's cells are one range of the index by period, read in its order.
fn cells_between(
    org: OrgId,
    (grain, from, to): (Grain, NaiveDate, NaiveDate),
    (filter, lines): (Filter<'_>, Lines),
    params: &mut Vec<Value<'static>>,
) -> String {
    let (grain, lines) = lines.read(grain, filter);
    params.extend([org.value(), Value::text(grain.key())]);
    // The state cells are all of one day: the grain alone names them. With the day as well,
    // PostgreSQL takes the day's share of every cell for its share of the state cells, counts a
    // handful, and reads a team's from every rep's rather than rep by rep through the key.
    let days = if grain == Grain::State {
        ""
    } else {
        params.extend([Value::Date(from), Value::Date(to)]);
        " AND c.day >= ? AND c.day < ?"
    };
    let filter = filter.sql("c.rep_id", Some("c.product_line_id"), params);
    format!("FROM rollup_cells c WHERE c.org_id = ? AND c.grain = ?{days}{filter}{lines}")
}

/// The statement that hands over `rows` — each a sign, then `keys`, then `values` values named
/// `v0`, `v1`, … — for the caller to add up, each value times its row's sign, where many rows
/// share a key. PostgreSQL sums them per key itself (the sign then 1): each row it hands over
/// costs more than its share of the sum. SQLite's cost is in its aggregates over many columns,
/// so SQLite hands the rows over as they are.
fn summed(db: &Db, rows: String, keys: &[&str], values: usize) -> String {
    match db.dialect() {
        Dialect::Sqlite => rows,
        Dialect::Postgres => {
            let keys = keys.join(", ");
            let sums: Vec<String> = (0..values).map(|i| format!("CAST(SUM(sign * v{i}) AS BIGINT)")).collect();
            format!("SELECT 1, {keys}, {} FROM ({rows}) r GROUP BY {keys}", sums.join(", "))
        }
    }
}

/// The cells of each piece, summed (or taken away) per rep and product line, in one statement (on
/// PostgreSQL a statement is a round trip). A rep and line whose sum is zero in every field read is
/// left out: with pieces taken away, a cell outside the period may have been read.
fn sum_at(
    db: &mut Db,
    org: OrgId,
    pieces: &[Piece],
    read: (Filter<'_>, Lines),
    fields: &[&str],
) -> Result<HashMap<(i64, i64), Tally>> {
    let tagged: Vec<(usize, Piece)> = pieces.iter().map(|&piece| (0, piece)).collect();
    sum_tagged(db, org, &tagged, read, fields, |(_, rep, line)| (rep, line))
}

/// Like [`sum_at`] with each piece tagged (by the period it belongs to, say): the sums are kept per
/// tag, rep and product line, and handed over under the key `key` makes of them.
fn sum_tagged<K: std::hash::Hash + Eq>(
    db: &mut Db,
    org: OrgId,
    pieces: &[(usize, Piece)],
    read: (Filter<'_>, Lines),
    fields: &[&str],
    key: impl Fn((usize, i64, i64)) -> K,
) -> Result<HashMap<K, Tally>> {
    // Only known field names reach the SQL, in the order of Tally::FIELDS.
    let positions: Vec<usize> = (0..Tally::FIELDS.len()).filter(|&i| fields.contains(&Tally::FIELDS[i])).collect();
    let columns: Vec<&str> = positions.iter().map(|&i| Tally::FIELDS[i]).collect();
    let sums = sums_tagged(db, org, pieces, read, &columns)?;
    let mut values = vec![0; Tally::FIELDS.len()];
    let mut out: HashMap<K, Tally> = HashMap::with_capacity(sums.slots.len());
    for (tagged, read) in sums.iter() {
        for (&position, &value) in positions.iter().zip(read) {
            values[position] = value;
        }
        out.insert(key(tagged), Tally::from_values(&values));
    }
    Ok(out)
}

/// Like [`sum_tagged`] for one field, handed over as its sum alone: a read of many keys (a rep's
/// every line in every month) does not make a whole tally of each.
fn sum_tagged_field<K: std::hash::Hash + Eq>(
    db: &mut Db,
    org: OrgId,
    pieces: &[(usize, Piece)],
    read: (Filter<'_>, Lines),
    field: &str,
    key: impl Fn((usize, i64, i64)) -> K,
) -> Result<HashMap<K, i64>> {
    let sums = sums_tagged(db, org, pieces, read, &[column_of(field)])?;
    Ok(sums.iter().map(|(tagged, read)| (key(tagged), read[0])).collect())
}

/// The sums of some columns per tag, rep and product line, side by side in one buffer: only they
/// are added per cell, not every field of a tally.
struct Sums {
    width: usize,
    slots: HashMap<(usize, i64, i64), usize>,
    values: Vec<i64>,
}

impl Sums {
    /// Each key with its sums, but those whose sums are all zero.
    fn iter(&self) -> impl Iterator<Item = ((usize, i64, i64), &[i64])> + '_ {
        self.slots
            .iter()
            .map(|(&tagged, &slot)| (tagged, &self.values[slot..slot + self.width]))
            .filter(|(_, read)| read.iter().any(|&value| value != 0))
    }
}

/// The cells of each tagged piece, `columns` (known tally fields) summed (or taken away) per tag,
/// rep and product line, in one statement (on PostgreSQL a statement is a round trip). A key
/// whose sums are all zero is left out by [`Sums::iter`]: with pieces taken away, a cell outside
/// the period may have been read.
fn sums_tagged(
    db: &mut Db,
    org: OrgId,
    pieces: &[(usize, Piece)],
    read: (Filter<'_>, Lines),
    columns: &[&str],
) -> Result<Sums> {
    let width = columns.len();
    let mut sums = Sums { width, slots: HashMap::new(), values: Vec::new() };
    if pieces.is_empty() {
        return Ok(sums);
    }
    // A cell whose fields read are all zero adds nothing, added or taken away: a read of a few
    // fields skips such cells in the database rather than handing them over.
    let nonzero = if columns.len() <= 3 {
        let any: Vec<String> = columns.iter().map(|column| format!("c.{column} <> 0")).collect();
        format!(" AND ({})", any.join(" OR "))
    } else {
        String::new()
    };
    // The cells are summed here, and before that by PostgreSQL for each piece that spans many
    // cells ([`summed`]): a key then has many of them. A piece of the calendar spans a few at
    // most (the fewest that cover the period), so that few keys have two, and summing them would
    // cost the database more than the rows it saves; they are handed over as they are.
    let mut params = Vec::new();
    let selects: Vec<String> = pieces
        .iter()
        .map(|(tag, piece)| {
            let from = cells_between(org, (piece.grain, piece.from, piece.to), read, &mut params);
            let sign = if piece.subtract { -1 } else { 1 };
            let values: Vec<String> =
                columns.iter().enumerate().map(|(i, column)| format!("c.{column} AS v{i}")).collect();
            let rows = format!(
                "SELECT {sign} AS sign, {tag} AS tag, c.rep_id AS rep, c.product_line_id AS line, {} {from}{nonzero}",
                values.join(", ")
            );
            if piece.spans_many_cells() { summed(db, rows, &["tag", "rep", "line"], width) } else { rows }
        })
        .collect();
    let sql = selects.join(" UNION ALL ");
    let (filter, _) = read;
    let Sums { slots, values, .. } = &mut sums;
    filter.read_rows(db, &sql, &params, |row| {
        let sign = row.int(0)?.unwrap_or(1);
        let tag = usize::try_from(row.int(1)?.unwrap_or_default()).unwrap_or_default();
        let key = (tag, row.int(2)?.unwrap_or_default(), row.int(3)?.unwrap_or_default());
        let slot = *slots.entry(key).or_insert_with(|| {
            values.resize(values.len() + width, 0);
            values.len() - width
        });
        for (column, sum) in values[slot..slot + width].iter_mut().enumerate() {
            *sum += sign * row.int(column + 4)?.unwrap_or(0);
        }
        Ok(())
    })?;
    Ok(sums)
}

/// Per rep, the demos of `period` held on opportunities of each product line: (line, demos).
pub(crate) fn line_demos(
    db: &mut Db,
    org: OrgId,
    period: Period,
    filter: Filter<'_>,
) -> Result<HashMap<i64, Vec<(i64, i64)>>> {
    let pieces: Vec<Piece> =
        split(period).into_iter().map(|piece| Piece { grain: piece.grain.of_line_demos(), ..piece }).collect();
    let tagged: Vec<(usize, Piece)> = pieces.into_iter().map(|piece| (0, piece)).collect();
    let mut out: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for ((rep, line), demos) in sum_tagged_field(db, org, &tagged, (filter, Lines::Each), "demos", |(_, r, l)| (r, l))?
    {
        out.entry(rep).or_default().push((line, demos));
    }
    Ok(out)
}

/// The standing facts per rep (the 'state' grain).
pub fn standing(db: &mut Db, org: OrgId, reps: Option<&[i64]>) -> Result<HashMap<i64, Tally>> {
    let mut out = HashMap::new();
    let state =
        [Piece { grain: Grain::State, from: STATE_DAY, to: STATE_DAY + chrono::Duration::days(1), subtract: false }];
    let filter = Filter { reps, product_line: None };
    for ((rep, _), tally) in sum_at(db, org, &state, (filter, Lines::Each), &["contacts", "complete_contacts"])? {
        *out.entry(rep).or_default() += tally;
    }
    Ok(out)
}

/// The open pipeline per rep now, from the open opportunities' cells: their count, amounts and
/// weighted amounts at the 'state' grain, and the amounts of those expected to close before
/// `due_before` from their cells by expected close, in one statement.
pub(crate) fn open_pipeline(
    db: &mut Db,
    org: OrgId,
    due_before: NaiveDate,
    filter: Filter<'_>,
) -> Result<HashMap<i64, OpenPipeline>> {
    let day_after = STATE_DAY + chrono::Duration::days(1);
    let (now, due) = (0, 1);
    let pieces = [
        (now, Piece { grain: Grain::State, from: STATE_DAY, to: day_after, subtract: false }),
        (due, Piece { grain: Grain::OpenByExpectedClose, from: EARLIEST, to: due_before, subtract: false }),
    ];
    let fields = ["open_opportunities", "open_amount", "open_weighted"];
    let mut out: HashMap<i64, OpenPipeline> = HashMap::new();
    for ((tag, rep, _), tally) in sum_tagged(db, org, &pieces, (filter, Lines::Each), &fields, |key| key)? {
        let open = out.entry(rep).or_default();
        if tag == due {
            open.due_in_period += Money::from_cents(tally.open_amount);
        } else {
            open.opportunities += tally.open_opportunities;
            open.amount += Money::from_cents(tally.open_amount);
            open.weighted += Money::from_cents(tally.open_weighted);
        }
    }
    Ok(out)
}

/// Every day either database holds (PostgreSQL's dates start in 4713 BC): the start of a read of
/// every cell before a day.
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).expect("a valid date");

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
    let from = cells_between(org, (grain, EARLIEST, before), (filter, Lines::Each), &mut params);
    let mut out: HashMap<i64, i64> = HashMap::new();
    let rows = format!("SELECT 1 AS sign, c.rep_id AS rep, c.open_opportunities AS v0 {from}");
    filter.read_rows(db, &summed(db, rows, &["rep"], 1), &params, |row| {
        *out.entry(row.int(1)?.unwrap_or_default()).or_default() +=
            row.int(0)?.unwrap_or(1) * row.int(2)?.unwrap_or_default();
        Ok(())
    })?;
    out.retain(|_, count| *count != 0);
    Ok(out)
}

/// One field of the cells of `grain` (week or month) starting in `[from, to)`, per rep and cell (its
/// product lines together), where it is not 0.
pub(crate) fn per_cell(
    db: &mut Db,
    org: OrgId,
    grain: Grain,
    field: &str,
    from: NaiveDate,
    to: NaiveDate,
    filter: Filter<'_>,
) -> Result<Vec<(i64, NaiveDate, i64)>> {
    let cells = per_cell_of(db, org, grain, &[field], from, to, filter)?;
    Ok(cells.into_iter().map(|(rep, day, values)| (rep, day, values[0])).collect())
}

/// Some fields of the cells of `grain` starting in `[from, to)`, per rep and cell (in that order,
/// its product lines together), where one of them is not 0: one pass over the cells for them all.
pub(crate) fn per_cell_of(
    db: &mut Db,
    org: OrgId,
    grain: Grain,
    fields: &[&str],
    from: NaiveDate,
    to: NaiveDate,
    filter: Filter<'_>,
) -> Result<Vec<(i64, NaiveDate, Vec<i64>)>> {
    let columns: Vec<String> = fields.iter().map(|field| format!("c.{}", column_of(field))).collect();
    let mut params = Vec::new();
    let cells = cells_between(org, (grain, from, to), (filter, Lines::Together), &mut params);
    let nonzero: Vec<String> = columns.iter().map(|column| format!("{column} <> 0")).collect();
    let sql = format!("SELECT c.rep_id, c.day, {} {cells} AND ({})", columns.join(", "), nonzero.join(" OR "));
    // A filter's product line, or the every-line cell, is one cell per rep and day; the sums
    // are kept per rep and day all the same.
    let mut out: BTreeMap<(i64, NaiveDate), Vec<i64>> = BTreeMap::new();
    filter.read_rows(db, &sql, &params, |row| {
        let key = (row.int(0)?.unwrap_or_default(), row.date(1)?.unwrap_or_default());
        let sums = out.entry(key).or_insert_with(|| vec![0; fields.len()]);
        for (column, sum) in sums.iter_mut().enumerate() {
            *sum += row.int(column + 2)?.unwrap_or_default();
        }
        Ok(())
    })?;
    Ok(out
        .into_iter()
        .filter(|(_, values)| values.iter().any(|&value| value != 0))
        .map(|((rep, day), values)| (rep, day, values))
        .collect())
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

/// The calendar grains a period is read at, coarsest first.
const CALENDAR: [Grain; 5] = [Grain::Year, Grain::Quarter, Grain::Month, Grain::Week, Grain::Day];

/// `period` as the fewest cells of the year, quarter, month, ISO week and day grains, each added or
/// taken away: a ragged edge is often a whole coarser cell less a few (the last days of a month
/// are the month less its first days). The cells around the period are the edges of a graph over
/// its days; a way from its start to its end is a decomposition, an edge walked backwards a cell
/// taken away. The shortest way is read, with the fewest cells taken away of the shortest.
fn split(period: Period) -> Vec<Piece> {
    let (start, end) = (period.start(), period.end());
    let low = Grain::Year.bucket(start);
    let high = if Grain::Year.bucket(end) == end { end } else { Grain::Year.next(end) };
    let index = |day: NaiveDate| (day - low).num_days() as usize;
    let day_at = |node: usize| low + chrono::Duration::days(node as i64);
    // Per day: the cost of the best way there found (cells, cells taken away) and its last step
    // (the day before it, the grain, whether taken away).
    type Step = Option<(usize, Grain, bool)>;
    let mut best: Vec<Option<((u32, u32), Step)>> = vec![None; index(high) + 1];
    let mut queue = BinaryHeap::new();
    best[index(start)] = Some(((0, 0), None));
    queue.push(Reverse(((0u32, 0u32), index(start))));
    while let Some(Reverse((cost, node))) = queue.pop() {
        if node == index(end) {
            break;
        }
        if best[node].is_some_and(|(known, _)| known < cost) {
            continue;
        }
        let day = day_at(node);
        for grain in CALENDAR {
            // The cell starting on `day`, walked forwards; the cell ending on it, backwards.
            let forwards = (grain.bucket(day) == day).then(|| (grain.next(day), false));
            let backwards = (day > low)
                .then(|| grain.bucket(day - chrono::Duration::days(1)))
                .filter(|&first| grain.next(first) == day)
                .map(|first| (first, true));
            for (to, subtract) in forwards.into_iter().chain(backwards) {
                if to < low || to > high {
                    continue;
                }
                let next = (cost.0 + 1, cost.1 + u32::from(subtract));
                let slot = &mut best[index(to)];
                if slot.is_none_or(|(known, _)| next < known) {
                    *slot = Some((next, Some((node, grain, subtract))));
                    queue.push(Reverse((next, index(to))));
                }
            }
        }
    }
    let mut steps = Vec::new();
    let mut node = index(end);
    while let Some((_, Some((before, grain, subtract)))) = best[node] {
        steps.push((day_at(before), day_at(node), grain, subtract));
        node = before;
    }
    // The steps in order, runs of one grain's adjacent cells walked the same way as one piece.
    let mut pieces: Vec<Piece> = Vec::new();
    for (from_day, to_day, grain, subtract) in steps.into_iter().rev() {
        let (from, to) = if subtract { (to_day, from_day) } else { (from_day, to_day) };
        if let Some(last) = pieces.last_mut()
            && last.grain == grain
            && last.subtract == subtract
        {
            if !subtract && last.to == from {
                last.to = to;
                continue;
            }
            if subtract && last.from == to {
                last.from = from;
                continue;
            }
        }
        pieces.push(Piece { grain, from, to, subtract });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or(NaiveDate::MIN)
    }

    fn parts(text: &str) -> Vec<(Grain, NaiveDate, NaiveDate, bool)> {
        let period = text.parse().unwrap_or_else(|e| panic!("{e}"));
        split(period).into_iter().map(|p| (p.grain, p.from, p.to, p.subtract)).collect()
    }

    #[test]
    fn a_period_splits_into_the_fewest_cells() {
        let (add, take) = (false, true);
        assert_eq!(parts("2026-Q1"), [(Grain::Quarter, date("2026-01-01"), date("2026-04-01"), add)]);
        assert_eq!(parts("2026"), [(Grain::Year, date("2026-01-01"), date("2027-01-01"), add)]);
        assert_eq!(parts("2026-05"), [(Grain::Month, date("2026-05-01"), date("2026-06-01"), add)]);
        assert_eq!(parts("2026-W10"), [(Grain::Week, date("2026-03-02"), date("2026-03-09"), add)]);
        // ISO week 1 of 2026 starts on 29 December 2025, inside no whole month.
        assert_eq!(parts("2026-W01"), [(Grain::Week, date("2025-12-29"), date("2026-01-05"), add)]);
        assert_eq!(parts("2025-12-31..2026-01-01"), [(Grain::Day, date("2025-12-31"), date("2026-01-01"), add)]);
        // A trailing year from Thursday 4 December: December 2025 less its first three days
        // (Monday 1 to Wednesday 3), the year 2026 less its December, then 1–3 December 2026: 9
        // cells, where whole cells only inside the year take 18 (4 days, 3 weeks and 3 days to
        // January) and quarters and months 12.
        assert_eq!(
            parts("2025-12-04..2026-12-04"),
            [
                (Grain::Day, date("2025-12-01"), date("2025-12-04"), take),
                (Grain::Month, date("2025-12-01"), date("2026-01-01"), add),
                (Grain::Year, date("2026-01-01"), date("2027-01-01"), add),
                (Grain::Month, date("2026-12-01"), date("2027-01-01"), take),
                (Grain::Day, date("2026-12-01"), date("2026-12-04"), add),
            ]
        );
        // Sunday 7 December 2025 to Monday 7 December 2026: the Sunday, less the week of Monday
        // 1 December, plus December; the year 2026 less its December; then 1–6 December 2026 as
        // the week of Monday 30 November less its Monday. 7 cells rather than 18.
        assert_eq!(
            parts("2025-12-07..2026-12-07"),
            [
                (Grain::Day, date("2025-12-07"), date("2025-12-08"), add),
                (Grain::Week, date("2025-12-01"), date("2025-12-08"), take),
                (Grain::Month, date("2025-12-01"), date("2026-01-01"), add),
                (Grain::Year, date("2026-01-01"), date("2027-01-01"), add),
                (Grain::Month, date("2026-12-01"), date("2027-01-01"), take),
                (Grain::Day, date("2026-11-30"), date("2026-12-01"), take),
                (Grain::Week, date("2026-11-30"), date("2026-12-07"), add),
            ]
        );
        // Three quarters in a row are two cells rather than three: the year less its last quarter.
        assert_eq!(
            parts("2026-01-01..2026-10-01"),
            [
                (Grain::Year, date("2026-01-01"), date("2027-01-01"), add),
                (Grain::Quarter, date("2026-10-01"), date("2027-01-01"), take),
            ]
        );
    }

    #[test]
    fn a_piece_of_every_day_before_one_spans_many_cells() {
        let piece = |grain, from: &str, to: &str| Piece { grain, from: date(from), to: date(to), subtract: false };
        assert!(piece(Grain::OpenByExpectedClose, "0001-01-01", "2026-10-01").spans_many_cells());
        assert!(piece(Grain::Day, "2026-07-01", "2026-08-02").spans_many_cells());
        assert!(!piece(Grain::Day, "2026-07-01", "2026-08-01").spans_many_cells());
        assert!(!piece(Grain::Month, "2026-01-01", "2026-09-01").spans_many_cells());
        assert!(!piece(Grain::Week, "2026-06-29", "2026-07-06").spans_many_cells());
        assert!(!piece(Grain::State, "1970-01-01", "1970-01-02").spans_many_cells());
    }

    #[test]
    fn every_day_of_a_split_is_counted_once_and_no_other_day() {
        for start in [date("2024-02-27"), date("2025-12-07"), date("2026-03-30")] {
            for length in 1..500 {
                let end = start + chrono::Duration::days(length);
                let period = Period::range(start, end).unwrap_or_else(|| panic!("range"));
                let pieces = split(period);
                let mut counted: BTreeMap<NaiveDate, i64> = BTreeMap::new();
                for piece in &pieces {
                    let (grain, a, b) = (piece.grain, piece.from, piece.to);
                    assert!(a < b, "{pieces:?}");
                    // Handed over as they are on PostgreSQL: summing so few cells costs more.
                    assert!(!piece.spans_many_cells(), "{pieces:?}");
                    assert!(
                        grain != Grain::Week || (a.weekday() == chrono::Weekday::Mon && (b - a).num_days() % 7 == 0)
                    );
                    assert!(grain != Grain::Month || (a.day() == 1 && b.day() == 1));
                    let quarter_start = |d: NaiveDate| d.day() == 1 && d.month0().is_multiple_of(3);
                    assert!(grain != Grain::Quarter || (quarter_start(a) && quarter_start(b)));
                    let year_start = |d: NaiveDate| d.day() == 1 && d.month() == 1;
                    assert!(grain != Grain::Year || (year_start(a) && year_start(b)));
                    let mut day = a;
                    while day < b {
                        *counted.entry(day).or_default() += if piece.subtract { -1 } else { 1 };
                        day += chrono::Duration::days(1);
                    }
                }
                counted.retain(|_, count| *count != 0);
                assert_eq!(counted.len() as i64, length, "{pieces:?}");
                assert!(counted.iter().all(|(day, count)| *count == 1 && *day >= start && *day < end), "{pieces:?}");
            }
        }
    }
}
