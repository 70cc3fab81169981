//! A write's delta: the cells of the facts it touches, read before and after it, and the
//! difference added to the stored cells in the write's transaction.

use super::{Grain, Key, keys};
use crate::db::{Db, Dialect, Value};
use crate::error::Result;
use crate::kpi::facts::{self, Cell, CellKind, Fact};
use crate::kpi::latest::{self, Latest, Opportunities};
use crate::orgs::{OrgId, Revision};
use quotient_core::kpi::Tally;
use std::collections::BTreeMap;

/// Runs `write`, a change to `facts` (and so to the facts that depend on them), and moves their
/// contributions in the rollups from what they were to what they are, in the caller's
/// transaction. A write that links a fact to another (an activity to its opportunity) names the
/// written one first, then the ones it links to.
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

/// Runs `write`, a change of the probability of the open stage `stage`, and moves the weighted
/// amounts of the open opportunities at it in the rollups, in the caller's transaction. On
/// PostgreSQL the writes wait for it, as for a rebuild: none commits cells between the reads
/// before and after, to be counted by both. (A write begun meanwhile weighs its opportunity with
/// the probability it read, until the opportunity's next write or a rebuild.)
pub fn with_stage_delta<T>(
    db: &mut Db,
    org: OrgId,
    stage: &str,
    write: impl FnOnce(&mut Db) -> Result<T>,
) -> Result<T> {
    super::hold_writes(db)?;
    // Only their open cells move: the dated ones stay as they are, and leave the history's
    // revision where it is.
    let open_cells = |cells: Vec<Cell>| -> Vec<Cell> {
        cells.into_iter().filter(|cell| !matches!(cell.kind, CellKind::Dated | CellKind::LineDemo)).collect()
    };
    let before = open_cells(facts::cells_of_open_at_stage(db, org, stage)?);
    let out = write(db)?;
    let after = open_cells(facts::cells_of_open_at_stage(db, org, stage)?);
    apply(db, org, &before, &after, true)?;
    Ok(out)
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
    let pipeline = moves_pipeline(created.or(existing.first().copied()));
    // What a created fact depends on is what it links to, named in `existing`.
    touched.extend(created);
    // An activity written moves the last activity of the opportunities it was and is on, which
    // files their open cells: set before they are read again.
    if touched.iter().any(|fact| matches!(fact, Fact::Activity(_))) {
        let opportunities: Vec<i64> =
            touched.iter().filter_map(|fact| if let Fact::Opportunity(id) = fact { Some(*id) } else { None }).collect();
        latest::refresh(db, org, &[Latest::Activity], Opportunities::These(&opportunities))?;
    }
    let after = cells_of_all(db, org, &touched)?;
    apply(db, org, &before, &after, pipeline)?;
    Ok(out)
}

/// Whether writing `written` can change what the data forecast reads: only an opportunity's own
/// write can. An activity written names its opportunity too, but changes only the opportunity's
/// last activity, which the forecast does not read; so it leaves the kept forecast standing.
fn moves_pipeline(written: Option<Fact>) -> bool {
    matches!(written, Some(Fact::Opportunity(_)))
}

fn cells_of_all(db: &mut Db, org: OrgId, facts: &[Fact]) -> Result<Vec<Cell>> {
    let mut cells = Vec::new();
    for &fact in facts {
        cells.extend(facts::cells_of(db, org, fact)?);
    }
    Ok(cells)
}

/// Adds `after` and takes away `before`, at every grain, and moves the revisions: the pipeline's
/// too when `pipeline` (the write changed what the data forecast reads).
pub fn apply(db: &mut Db, org: OrgId, before: &[Cell], after: &[Cell], pipeline: bool) -> Result<()> {
    let this_month = Grain::Month.bucket(chrono::Utc::now().date_naive());
    let history = before.iter().chain(after).any(|cell| cell.kind == CellKind::Dated && cell.day < this_month);
    let mut revisions = vec![Revision::Data];
    revisions.extend(history.then_some(Revision::History));
    revisions.extend(pipeline.then_some(Revision::Pipeline));
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
            sql = format!("WITH revisions AS ({}) {sql}", crate::orgs::revisions_update(&revisions));
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
        crate::orgs::bump_revisions(db, org, &revisions)?;
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
