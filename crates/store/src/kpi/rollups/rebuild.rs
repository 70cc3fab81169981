//! The rebuild: every rollup cell of an organisation recomputed from its base rows and bulk-loaded.

use super::{Cells, Key, ORGANISATION, keys};
use crate::db::{Db, Value};
use crate::error::Result;
use crate::kpi::facts::{self, Cell, CellKind};
use crate::kpi::latest::{self, Latest, Opportunities};
use crate::kpi::score_owners::{self, Scored};
use crate::orgs::{OrgId, Revision};
use chrono::NaiveDate;
use quotient_core::kpi::Tally;

/// Recomputes every rollup cell of the organisation from its base rows, one rep at a time so that
/// memory stays bounded by one rep's history. Returns the number of cells written.
///
/// Two threads share the work: this one reads a rep's facts and sums them by day, then loads the
/// cells of the rep before; the other spreads each day over the coarser grains and puts the cells
/// in the table's order meanwhile.
pub fn rebuild(db: &mut Db, org: OrgId) -> Result<u64> {
    rebuild_with(db, org, true, &mut |_, _| {})
}

/// [`rebuild`] while the organisation is in use (a setting the cells depend on changed), telling
/// `progress` how many of its reps are done, and of how many, after each one. The table keeps its
/// indexes and key: dropping them would lock it on PostgreSQL until the rebuild commits, and the
/// reports are to keep reading the cells as they were meanwhile. Writes wait for it instead: on
/// PostgreSQL a lock that lets reads through keeps a write from adding a cell the rebuild then
/// loads again (a duplicate key); SQLite's one writer waits anyway.
pub fn rebuild_reporting(db: &mut Db, org: OrgId, progress: &mut dyn FnMut(usize, usize)) -> Result<u64> {
    super::hold_writes(db)?;
    rebuild_with(db, org, false, progress)
}

fn rebuild_with(
    db: &mut Db,
    org: OrgId,
    set_aside_indexes: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<u64> {
    // Every import ends here: its people may have changed as well as its facts.
    crate::orgs::bump_revisions(
        db,
        org,
        &[Revision::Data, Revision::Directory, Revision::History, Revision::Pipeline],
    )?;
    db.execute("DELETE FROM rollup_cells WHERE org_id = ?", &[org.value()])?;
    // The open opportunities' cells are filed by their last activity: an import has just loaded
    // activities and stage changes, and the rebuild vouches for every derived value.
    latest::refresh(db, org, &[Latest::Activity, Latest::StageChange], Opportunities::All)?;
    // Not a cell, but as derived: an import may have loaded scores, or changed accounts' owners.
    score_owners::keep(db, org, Scored::All)?;
    // The indexes are built once at the end rather than maintained cell by cell; the key and the
    // foreign key too when the cells are all this organisation's, since they are rebuilt, or
    // checked again, over every organisation's cells. Outside an import (`quotient rebuild`) the
    // foreign key would otherwise be checked cell by cell, which cost more than the load itself.
    let indexes = if set_aside_indexes {
        let alone = db.query_i64("SELECT COUNT(*) FROM organisations", &[])? == 1;
        let mut indexes = db.set_aside_indexes("rollup_cells", alone)?;
        if alone {
            indexes.extend(db.set_aside_foreign_keys("rollup_cells")?);
        }
        indexes
    } else {
        Vec::new()
    };
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
                for ((rep_id, day, product_line_id, kind), tally) in days {
                    for key in keys(&Cell { rep_id, day, product_line_id, tally, kind }) {
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
        let total = reps.len();
        progress(0, total);
        for (done, rep) in reps.into_iter().enumerate() {
            let mut days = DayCells::new();
            facts::cells_of_rep(db, org, rep, &mut |cell| {
                *days.entry((cell.rep_id, cell.day, cell.product_line_id, cell.kind)).or_default() += cell.tally;
            })?;
            if days_out.send(days).is_err() {
                break;
            }
            // The rep before's cells, spread while this rep's facts were read.
            if pending && let Ok(cells) = cells_in.recv() {
                written += load_cells(db, org, &columns, &cells)?;
            }
            pending = true;
            progress(done + 1, total);
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

/// One rep's facts summed by (rep, day, product line, kind): what a rebuild spreads over the grains.
type DayCells = hashbrown::HashMap<(i64, NaiveDate, i64, CellKind), Tally>;

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
