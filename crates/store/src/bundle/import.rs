//! Bundle import: all or nothing, in one transaction.
//!
//! Each file is streamed once, in dependency order: every field is parsed and checked, references are
//! resolved to internal ids, and the row is loaded into a temporary staging table. Then duplicates
//! and the rules spanning files are checked. Only when no problem was found are the staging tables
//! merged into the organisation's tables (insert new rows, update changed ones, leave equal ones
//! alone) and the transaction committed; otherwise it is rolled back and every problem reported.
//!
//! Memory holds the id maps of the files others refer to (territories … opportunities), each until
//! no later file of the bundle's order refers to it, not the rows: activities, estimates and the
//! like pass through one at a time.

use super::fields::{format_timestamp, parse_plain};
use super::handoff::{self, Handoff};
use super::problem::{Problem, Problems};
use super::reader::{self, CsvFile, Unreadable};
use super::registry::{Definition, Registry};
use super::rules::{self, OpportunityCheck, OpportunityColumns, Pipeline, RowAt};
use super::spec::{Entity, FILES, FileSpec, Key, Kind, REQUIRED_FILE};
use super::staging;
use crate::audit;
use crate::db::{Db, Value};
use crate::error::StoreError;
use crate::orgs::{self, OrgId};
use std::collections::HashMap;
use std::path::Path;

/// Told how an import (or export) advances, to show a progress bar or log lines.
pub trait Progress {
    fn file_started(&mut self, _file: &str, _bytes: u64) {}
    /// Rows and bytes read so far in the current file.
    fn advanced(&mut self, _rows: u64, _bytes: u64) {}
    fn file_finished(&mut self, _file: &str, _rows: u64) {}
    fn step(&mut self, _message: &str) {}
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the bundle has {} problem(s); nothing was imported", .0.total())]
    Invalid(Problems),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did to one file's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileSummary {
    pub file: String,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// The organisation's rows of the source that a complete export no longer has, deleted (see
    /// [`Removals`]).
    pub removed: u64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub files: Vec<FileSummary>,
    /// KPI rollup cells written after the import.
    pub rollup_cells: u64,
}

impl ImportSummary {
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }

    pub fn inserted(&self) -> u64 {
        self.files.iter().map(|f| f.inserted).sum()
    }

    pub fn updated(&self) -> u64 {
        self.files.iter().map(|f| f.updated).sum()
    }

    pub fn removed(&self) -> u64 {
        self.files.iter().map(|f| f.removed).sum()
    }
}

/// What a bundle converted from a complete export of one source (a CRM) stands for: in each of
/// `files`, every row of that source. The organisation's live rows of those files whose external
/// id starts with `prefix` (`salesforce:`) and that the bundle no longer has were deleted in the
/// source: the import deletes them too, as a user deletes a record (restorable). Other files, and
/// rows of other sources or entered in Quotient, are left alone.
#[derive(Debug, Clone, Default)]
pub struct Removals {
    pub prefix: String,
    pub files: Vec<&'static str>,
}

const PROGRESS_EVERY: u64 = 16_384;

/// Imports the bundle in `dir` into the organisation, or reports every problem and writes nothing.
pub fn import(db: &mut Db, org: OrgId, dir: &Path, progress: &mut dyn Progress) -> Result<ImportSummary, ImportError> {
    import_removing(db, org, dir, &Removals::default(), progress)
}

/// [`import`], deleting the rows of `removals`' source its files no longer have.
pub fn import_removing(
    db: &mut Db,
    org: OrgId,
    dir: &Path,
    removals: &Removals,
    progress: &mut dyn Progress,
) -> Result<ImportSummary, ImportError> {
    // A bundle that adds to an organisation (new quotas, say) may refer to the reps stored.
    let has_reps =
        db.query_i64("SELECT COUNT(*) FROM reps WHERE org_id = ? AND deleted_at IS NULL", &[org.value()])? > 0;
    let present = bundle_files(dir, has_reps)?;
    // Into an empty table every row is new, and the rollup rebuild then sets each one's derived
    // columns: their indexes are built again once the import is in (see `Db::rebuild_indexes`).
    // Before it, in its transaction, a rebuilt index would not serve the rebuild's own reads.
    let mut filled = Vec::new();
    for &table in crate::derived::TABLES {
        if staging::table_is_empty(db, table)? {
            filled.push(table);
        }
    }
    staging::suspend_foreign_keys(db)?;
    let result = import_in_transaction(db, org, dir, present, removals, progress);
    staging::resume_foreign_keys(db)?;
    if result.is_ok() {
        if !filled.is_empty() {
            progress.step("compacting the indexes");
        }
        for table in filled {
            // The import is in either way: indexes left as they are only cost space and speed.
            if let Err(error) = db.rebuild_indexes(table) {
                tracing::warn!(%error, table, "the imported rows are in; their indexes were not built again");
            }
        }
        progress.step("updating the planner's statistics");
        let mut tables: Vec<&str> = FILES.iter().map(|spec| spec.table).collect();
        tables.push("rollup_cells");
        db.refresh_statistics(&tables)?;
    }
    result
}

fn import_in_transaction(
    db: &mut Db,
    org: OrgId,
    dir: &Path,
    present: PresentFiles,
    removals: &Removals,
    progress: &mut dyn Progress,
) -> Result<ImportSummary, ImportError> {
    db.transaction(|db| {
        staging::suspend_foreign_keys_in_transaction(db)?;
        staging::while_reading(db)?;
        let mut importer = Importer::new(db, org)?;
        importer.problems_extend(present.problems);
        for spec in FILES.iter().filter(|spec| present.files.contains(&spec.file)) {
            importer.reserve_ids(spec, &dir.join(spec.file))?;
        }
        for spec in FILES.iter().filter(|spec| present.files.contains(&spec.file) && needs_prescan(spec)) {
            importer.prescan(spec, &dir.join(spec.file))?;
        }
        importer.checks_stage_history = present.files.contains(&"stage_changes.csv");
        let mut staged = Vec::new();
        for spec in FILES.iter().filter(|spec| present.files.contains(&spec.file)) {
            if let Some((rows, target)) = importer.stage(db, spec, &dir.join(spec.file), progress)? {
                staged.push((spec, rows, target));
            }
            importer.release_ids_read(spec);
        }
        let (mut problems, next_ids) = importer.finish();
        if !problems.is_empty() {
            problems.sort();
            return Err(ImportError::Invalid(problems));
        }
        progress.step("writing");
        staging::while_writing(db)?;
        let mut summary = ImportSummary::default();
        let removing = |spec: &FileSpec| removals.files.contains(&spec.file).then_some(removals.prefix.as_str());
        for (spec, rows, target) in &staged {
            if spec.table == "opportunities" && matches!(target, staging::Target::Staged) {
                crate::incentives::changes::record_import_changes(db, org, &staging::Target::Staged.table(spec))?;
            }
            let merged = staging::merge(db, spec, org, target, *rows, removing(spec))?;
            summary.files.push(FileSummary {
                file: spec.file.to_string(),
                rows: *rows,
                inserted: merged.inserted,
                updated: merged.updated,
                unchanged: rows - merged.inserted - merged.updated,
                removed: merged.removed,
            });
        }
        // A complete file without a row (the source has none left): each of its rows goes.
        for spec in FILES.iter().filter(|spec| !staged.iter().any(|(staged, ..)| std::ptr::eq(*staged, *spec))) {
            if let Some(prefix) = removing(spec) {
                let removed = staging::remove_missing(db, spec, org, prefix, None)?;
                summary.files.push(FileSummary { file: spec.file.to_string(), removed, ..FileSummary::default() });
            }
        }
        save_id_counters(db, org, &next_ids)?;
        record_audit(db, org, &summary)?;
        // The KPI rollups move with the data, in the same transaction.
        progress.step("computing KPI rollups");
        summary.rollup_cells = crate::kpi::rebuild(db, org)?;
        Ok(summary)
    })
}

struct PresentFiles {
    files: Vec<&'static str>,
    problems: Vec<Problem>,
}

/// The bundle files in `dir`; an unknown `.csv` file is a problem, and so is a missing `reps.csv`
/// unless the organisation has its reps already.
fn bundle_files(dir: &Path, has_reps: bool) -> Result<PresentFiles, StoreError> {
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
    let mut present = PresentFiles { files: Vec::new(), problems: Vec::new() };
    for entry in entries {
        let name = entry.map_err(|e| StoreError::io(dir, e))?.file_name().to_string_lossy().into_owned();
        match super::spec::file(&name) {
            Some(spec) => present.files.push(spec.file),
            None if name.to_ascii_lowercase().ends_with(".csv") => present.problems.push(Problem {
                file: name,
                line: 0,
                column: None,
                field: None,
                message: format!(
                    "is not a bundle file: rename it to one of {} or move it out of the folder",
                    FILES.iter().map(|s| s.file).collect::<Vec<_>>().join(", ")
                ),
            }),
            None => {}
        }
    }
    if !has_reps && !present.files.contains(&REQUIRED_FILE) {
        present.problems.push(Problem {
            file: REQUIRED_FILE.to_string(),
            line: 0,
            column: None,
            field: None,
            message: format!(
                "is missing from {}: a bundle for an organisation without reps needs its reps",
                dir.display()
            ),
        });
    }
    Ok(present)
}

/// Finds the lines of repeated keys in a file (only when it has some: a direct load keeps no line
/// numbers).
fn locate_duplicates(
    path: &Path,
    spec: &'static FileSpec,
    keys: Vec<String>,
) -> Result<Vec<staging::Duplicate>, StoreError> {
    let mut first_lines: HashMap<String, Option<u64>> = keys.into_iter().map(|k| (k, None)).collect();
    let mut found = Vec::new();
    let (Some(mut csv), _) = reader::open(path, spec)? else { return Ok(found) };
    let positions = csv.positions.clone();
    let text_at = |record: &csv::StringRecord, column: usize| -> String {
        reader::cell(record, positions[column], spec.columns[column].kind).to_string()
    };
    let key_of = |record: &csv::StringRecord| -> String {
        match spec.key {
            Key::Id { .. } => spec.id_column().map_or_else(String::new, |c| text_at(record, c)),
            Key::Natural(names) => natural_key(spec, names, |column| {
                let text = text_at(record, column);
                let kind = spec.columns[column].kind;
                // Only the parts the key normalises are parsed again: they were valid when loaded.
                let value = match kind {
                    Kind::Timestamp | Kind::Period => {
                        parse_plain(kind, &text).map(Value::into_owned).unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                };
                (value, text)
            }),
        }
    };
    let mut record = csv::StringRecord::new();
    loop {
        let line = match csv.next_record(&mut record) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(unreadable) if unreadable.is_fatal => break,
            Err(_) => continue,
        };
        let key = key_of(&record);
        if let Some(first) = first_lines.get_mut(&key) {
            match first {
                None => *first = Some(line),
                Some(first_line) => found.push(staging::Duplicate { line, first_line: *first_line, key }),
            }
        }
    }
    Ok(found)
}

/// A row's natural key, its `names` columns joined by `|`: timestamps and quota periods as parsed
/// (so that two spellings of one time are one key), the rest as written. `column` gives a column's
/// parsed value and its text.
fn natural_key<'v>(spec: &FileSpec, names: &[&str], column: impl Fn(usize) -> (Value<'v>, String)) -> String {
    names
        .iter()
        .filter_map(|name| spec.column(name))
        .map(|index| match column(index) {
            (Value::Timestamp(at), _) => format_timestamp(at),
            (Value::Text(text), _) if spec.columns[index].kind == Kind::Period => text.into_owned(),
            (_, text) => text,
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Where `spec` is in the order the files are read.
fn position(spec: &FileSpec) -> usize {
    FILES.iter().position(|s| std::ptr::eq(s, spec)).unwrap_or(0)
}

/// A file whose ids are referred to by itself or by a file read before it has its ids registered
/// first.
fn needs_prescan(spec: &FileSpec) -> bool {
    let Some(entity) = spec.entity() else { return false };
    FILES[..=position(spec)].iter().any(|earlier| earlier.columns.iter().any(|c| c.kind == Kind::Ref(entity)))
}

/// Whether a file after `spec` refers to `entity`'s ids.
fn referred_to_after(spec: &FileSpec, entity: Entity) -> bool {
    FILES[position(spec) + 1..].iter().any(|later| later.columns.iter().any(|c| c.kind == Kind::Ref(entity)))
}

/// Whether `entity`'s ids are defined by `spec` or by a file before it.
fn defined_by_or_before(spec: &FileSpec, entity: Entity) -> bool {
    FILES[..=position(spec)].iter().any(|earlier| earlier.entity() == Some(entity))
}

/// A line number as the import keeps it (of a row defining an id, of a stage change: 4 bytes), or
/// the problem of a file longer than that.
fn kept_line(spec: &FileSpec, line: u64) -> Result<u32, Problem> {
    u32::try_from(line).map_err(|_| Problem {
        file: spec.file.to_string(),
        line,
        column: None,
        field: None,
        message: format!(
            "this file goes on past line {}, more than one import can take: split it into several bundles",
            u32::MAX
        ),
    })
}

/// Opportunity checks by internal id, in a vector indexed by the id: the ids of a bundle's
/// opportunities are dense from 1, and a million checks take 16 MB this way, where a hash map took
/// 120 MB while it grew.
#[derive(Default)]
struct OpportunityChecks(Vec<Option<OpportunityCheck>>);

impl OpportunityChecks {
    /// Keeps `check` unless `id` has one already.
    fn first(&mut self, id: i64, check: OpportunityCheck) {
        let Ok(index) = usize::try_from(id) else { return };
        if index >= self.0.len() {
            self.0.resize(index + 1, None);
        }
        self.0[index].get_or_insert(check);
    }

    fn get_mut(&mut self, id: i64) -> Option<&mut OpportunityCheck> {
        self.0.get_mut(usize::try_from(id).ok()?)?.as_mut()
    }

    /// Each check with its opportunity's internal id.
    fn into_checks(self) -> impl Iterator<Item = (i64, OpportunityCheck)> {
        self.0.into_iter().enumerate().filter_map(|(id, check)| Some((id as i64, check?)))
    }
}

struct Importer {
    org: OrgId,
    /// By [`Entity::index`].
    registries: Vec<Registry>,
    /// Next internal id per table without a registry (the entities' are their registries').
    next_ids: HashMap<&'static str, i64>,
    pipeline: Pipeline,
    opportunity_columns: OpportunityColumns,
    /// The opportunities of this bundle, for the stage-history rule.
    opportunities: OpportunityChecks,
    opportunity_status_column: Option<usize>,
    /// Whether the bundle has stage changes to check opportunities against.
    checks_stage_history: bool,
    /// The credit shares of each split opportunity so far, with where its first split row is.
    split_shares: HashMap<i64, (i64, Problem)>,
    problems: Problems,
}

impl Importer {
    fn new(db: &mut Db, org: OrgId) -> Result<Self, StoreError> {
        let mut next_ids = HashMap::new();
        for spec in &FILES {
            let stored = db.query_i64(
                &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {} WHERE org_id = ?", spec.table),
                &[org.value()],
            )?;
            let reserved = db
                .query_opt(
                    "SELECT next_id FROM id_sequences WHERE org_id = ? AND entity = ?",
                    &[org.value(), Value::text(spec.table)],
                    |row| row.int(0),
                )?
                .flatten()
                .unwrap_or(1);
            next_ids.insert(spec.table, stored.max(reserved));
        }
        let mut registries = Vec::new();
        for entity in Entity::ALL {
            let mut registry = Registry::new(next_ids.remove(entity.table()).unwrap_or(1));
            db.query_each(
                &format!(
                    "SELECT external_id, id FROM {} WHERE org_id = ? AND external_id IS NOT NULL ORDER BY id",
                    entity.table()
                ),
                &[org.value()],
                |row| {
                    registry.add_stored(row.text(0)?.unwrap_or_default(), row.int(1)?.unwrap_or_default());
                    Ok(())
                },
            )?;
            registries.push(registry);
        }
        let opportunities =
            super::spec::file("opportunities.csv").unwrap_or_else(|| unreachable!("the spec has opportunities.csv"));
        Ok(Importer {
            org,
            registries,
            next_ids,
            pipeline: Pipeline::new(orgs::pipeline_keys(db, org)?),
            opportunity_columns: OpportunityColumns::new(opportunities),
            opportunities: OpportunityChecks::default(),
            opportunity_status_column: None,
            checks_stage_history: false,
            split_shares: HashMap::new(),
            problems: Problems::default(),
        })
    }

    fn problems_extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for problem in problems {
            self.problems.push(problem);
        }
    }

    /// The next internal id of `table`, a table without a registry, taken.
    fn next_id(&mut self, table: &'static str) -> i64 {
        let next = self.next_ids.entry(table).or_insert(1);
        *next += 1;
        *next - 1
    }

    /// The problems found, and the next internal id of every table; the id maps are freed.
    fn finish(self) -> (Problems, HashMap<&'static str, i64>) {
        let mut next_ids = self.next_ids;
        for entity in Entity::ALL {
            next_ids.insert(entity.table(), self.registries[entity.index()].next_id());
        }
        (self.problems, next_ids)
    }

    /// Frees the id maps no file after `spec` needs.
    fn release_ids_read(&mut self, spec: &FileSpec) {
        for entity in Entity::ALL {
            if defined_by_or_before(spec, entity) && !referred_to_after(spec, entity) {
                self.registries[entity.index()].release();
            }
        }
    }

    /// Makes room in the registry of the file's entity for as many ids as the file has lines.
    fn reserve_ids(&mut self, spec: &'static FileSpec, path: &Path) -> Result<(), StoreError> {
        if let Some(entity) = spec.entity() {
            let ids = usize::try_from(reader::count_lines(path)?).unwrap_or(usize::MAX);
            let registry = &mut self.registries[entity.index()];
            registry.reserve(ids);
            if entity == Entity::Opportunity {
                // Checks are kept by id: up to the next id and the file's.
                let next = usize::try_from(registry.next_id()).unwrap_or(0);
                self.opportunities.0.reserve((next + ids).saturating_sub(self.opportunities.0.len()));
            }
        }
        Ok(())
    }

    fn prescan(&mut self, spec: &'static FileSpec, path: &Path) -> Result<(), StoreError> {
        if let (Some(mut csv), _) = reader::open(path, spec)? {
            self.register_ids(spec, &mut csv);
        }
        Ok(())
    }

    /// Registers the ids of a file without reading the rest of its rows.
    fn register_ids(&mut self, spec: &'static FileSpec, csv: &mut CsvFile) {
        let (Some(entity), Some(id_column)) = (spec.entity(), spec.id_column()) else {
            return;
        };
        let Some(position) = csv.positions[id_column] else { return };
        let mut record = csv::StringRecord::new();
        loop {
            match csv.next_record(&mut record) {
                Ok(Some(_)) => {
                    let key = reader::cell(&record, Some(position), Kind::Id);
                    if !key.is_empty() {
                        self.registries[entity.index()].register(key);
                    }
                }
                Ok(None) => break,
                Err(unreadable) if unreadable.is_fatal => break,
                Err(_) => {}
            }
        }
    }

    /// Reads, checks and stages one file; `None` when its header is unusable.
    fn stage(
        &mut self,
        db: &mut Db,
        spec: &'static FileSpec,
        path: &Path,
        progress: &mut dyn Progress,
    ) -> Result<Option<(u64, staging::Target)>, StoreError> {
        let (csv, header_problems) = reader::open(path, spec)?;
        self.problems_extend(header_problems);
        let Some(mut csv) = csv else { return Ok(None) };
        if csv.missing_required {
            // Its rows cannot be imported, but references to them should not be reported as well.
            self.register_ids(spec, &mut csv);
            return Ok(None);
        }
        if spec.table == "opportunities" {
            self.opportunity_status_column = self.opportunity_columns.status_position(&csv.positions);
        }
        progress.file_started(spec.file, csv.bytes);
        let mut target = staging::prepare(db, spec)?;
        let columns = target.columns(spec);
        let mut loader = db.loader(&target.table(spec), &columns, true)?;
        let mut rejected = Vec::new();
        let mut reported = 0;
        let rows = handoff::stream(
            columns.len(),
            |handoff| self.read_rows(spec, &mut csv, handoff),
            |row, line| {
                if !loader.push(row)?
                    && let Value::Text(key) = &row[2]
                {
                    rejected.push((line, key.to_string()));
                }
                Ok::<_, StoreError>(())
            },
            |rows, bytes| {
                if rows >= reported + PROGRESS_EVERY {
                    progress.advanced(rows, bytes);
                    reported = rows;
                }
            },
        )?;
        loader.finish()?;
        progress.advanced(rows, csv.bytes);
        if spec.table == "opportunity_splits" {
            self.check_split_shares();
        }
        if spec.table == "stage_changes" {
            // Checked, and its memory freed, before the file's keys are sorted for their index and
            // the largest files are read.
            self.check_stage_history();
        }
        let duplicates = match staging::duplicates(db, spec, &mut target, self.org, &rejected)? {
            staging::Duplicates::Located(found) => found,
            staging::Duplicates::Keys(keys) if keys.is_empty() => Vec::new(),
            staging::Duplicates::Keys(keys) => locate_duplicates(path, spec, keys)?,
        };
        // A row SQLite skipped that is no duplicate broke another rule of the database: never
        // drop it silently.
        for (line, _) in rejected.iter().filter(|(line, _)| !duplicates.iter().any(|d| d.line == *line)) {
            self.problems.push(Problem {
                file: spec.file.to_string(),
                line: *line,
                column: None,
                field: None,
                message: "this row could not be stored (it breaks a rule of the database): check its values"
                    .to_string(),
            });
        }
        for duplicate in duplicates {
            self.problems.push(duplicate_problem(spec, &csv, duplicate));
        }
        progress.file_finished(spec.file, rows);
        Ok(Some((rows, target)))
    }

    /// Reads, parses and checks every row of `csv`, handing the good ones over to be written;
    /// returns the number of rows read.
    fn read_rows(&mut self, spec: &'static FileSpec, csv: &mut CsvFile, handoff: &mut Handoff) -> u64 {
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        loop {
            let line = match csv.next_record(&mut record) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(Unreadable { problem, is_fatal }) => {
                    self.problems.push(problem);
                    if is_fatal {
                        break;
                    }
                    continue;
                }
            };
            rows += 1;
            handoff.read_to(rows, record.position().map_or(0, |p| p.byte()));
            if let Some(values) = self.parse_row(spec, csv, &record, line)
                && !handoff.push(values, line)
            {
                break;
            }
        }
        rows
    }

    /// Parses one record into the staged row, or records its problems and returns `None`.
    fn parse_row<'r>(
        &mut self,
        spec: &'static FileSpec,
        csv: &CsvFile,
        record: &'r csv::StringRecord,
        line: u64,
    ) -> Option<Vec<Value<'r>>> {
        let at = RowAt { spec, line, positions: &csv.positions };
        if record.len() != csv.width {
            self.problems.push(Problem {
                file: spec.file.to_string(),
                line,
                column: None,
                field: None,
                message: format!(
                    "this row has {} fields but the header has {}: check for a missing or extra delimiter, or an unclosed quote",
                    record.len(),
                    csv.width
                ),
            });
            return None;
        }
        let mut problems = Vec::new();
        let mut fields: Vec<Value<'r>> = Vec::with_capacity(spec.columns.len());
        let mut texts: Vec<&'r str> = Vec::with_capacity(spec.columns.len());
        for (index, column) in spec.columns.iter().enumerate() {
            let text = match reader::cell(record, csv.positions[index], column.kind) {
                "" => column.default.unwrap_or(""),
                text => text,
            };
            texts.push(text);
            if text.contains('\0') {
                // PostgreSQL's text cannot hold it; refused on every backend alike.
                problems.push(at.problem(index, "holds a NUL character (\\0): remove it".to_string()));
                fields.push(Value::Null);
                continue;
            }
            if text.is_empty() {
                if column.required {
                    problems.push(at.problem(index, "is required: fill it in".to_string()));
                }
                fields.push(Value::Null);
                continue;
            }
            match self.parse_field(column.kind, text) {
                Ok(value) => fields.push(value),
                Err(message) => {
                    problems.push(at.problem(index, message));
                    fields.push(Value::Null);
                }
            }
        }
        let (id, external_id) = match spec.key {
            Key::Id { entity } => {
                let index = spec.id_column().unwrap_or(0);
                let key = texts[index];
                if key.is_empty() {
                    self.problems_extend(problems);
                    return None;
                }
                let id = match entity {
                    Some(entity) => match self.define(spec, csv, entity, key, line) {
                        Ok(id) => id,
                        Err(problem) => {
                            self.problems_extend(problems);
                            self.problems.push(problem);
                            return None;
                        }
                    },
                    None => self.next_id(spec.table),
                };
                (id, Value::text(key))
            }
            Key::Natural(names) => {
                let key = natural_key(spec, names, |index| (fields[index].clone(), texts[index].to_string()));
                (self.next_id(spec.table), Value::owned(key))
            }
        };
        let derived = self.apply_rules(spec, &at, &mut fields, id, &mut problems);
        if !problems.is_empty() {
            self.problems_extend(problems);
            return None;
        }
        let mut values = Vec::with_capacity(fields.len() + derived.len() + 3);
        values.extend([self.org.value(), Value::Int(id), external_id]);
        values.extend(spec.columns.iter().zip(fields).filter(|(c, _)| c.kind != Kind::Id).map(|(_, v)| v));
        values.extend(derived);
        values.push(Value::Int(line as i64));
        Some(values)
    }

    /// The internal id of the row on `line` that defines `key`, or the problem that stops it: an
    /// earlier row defined it already (the row is not loaded: it would take the first's id), or the
    /// line is past what the import keeps.
    fn define(&mut self, spec: &FileSpec, csv: &CsvFile, entity: Entity, key: &str, line: u64) -> Result<i64, Problem> {
        match self.registries[entity.index()].define(key, kept_line(spec, line)?) {
            Definition::First(id) => Ok(id),
            Definition::Repeated(first_line) => {
                Err(duplicate_problem(spec, csv, staging::Duplicate { line, first_line, key: key.to_string() }))
            }
        }
    }

    fn parse_field<'r>(&self, kind: Kind, text: &'r str) -> Result<Value<'r>, String> {
        match kind {
            Kind::Ref(entity) => self.registries[entity.index()].get(text).map(Value::Int).ok_or_else(|| {
                let file = FILES.iter().find(|s| s.entity() == Some(entity)).map_or("the bundle", |s| s.file);
                format!("unknown {} '{text}': it is neither in {file} nor already stored", entity.noun())
            }),
            Kind::Stage => match self.pipeline.stage_outcome(text) {
                Some(_) => Ok(Value::text(text)),
                None => Err(format!(
                    "'{text}' is not a stage of this organisation: use one of {}",
                    self.pipeline.stage_keys().join(", ")
                )),
            },
            Kind::GatewayType => match self.pipeline.has_gateway_type(text) {
                true => Ok(Value::text(text)),
                false => Err(format!(
                    "'{text}' is not a gateway type of this organisation: use one of {}",
                    self.pipeline.gateway_types().join(", ")
                )),
            },
            Kind::QuotaTarget => super::fields::parse_money(text).map(|m| Value::Int(m.cents())),
            other => parse_plain(other, text),
        }
    }

    /// The file's cross-field rules; returns the derived columns.
    fn apply_rules<'r>(
        &mut self,
        spec: &'static FileSpec,
        at: &RowAt,
        fields: &mut [Value<'r>],
        id: i64,
        problems: &mut Vec<Problem>,
    ) -> Vec<Value<'r>> {
        match spec.table {
            "opportunities" => {
                if let Some(status) =
                    rules::check_opportunity(at, fields, &self.opportunity_columns, &self.pipeline, problems)
                {
                    // A repeated id is reported as a duplicate; the first row is the one checked.
                    self.opportunities.first(id, OpportunityCheck::new(status));
                }
                Vec::new()
            }
            "leads" => {
                rules::check_lead(spec, at, fields, problems);
                Vec::new()
            }
            "stage_changes" => {
                if let (Value::Int(opportunity), Value::Text(stage), Value::Timestamp(changed)) =
                    (&fields[0], &fields[1], &fields[2])
                    && let (Some(check), Some(outcome)) =
                        (self.opportunities.get_mut(*opportunity), self.pipeline.stage_outcome(stage))
                {
                    match kept_line(spec, at.line) {
                        Ok(line) => check.see_change(changed.timestamp(), outcome, line),
                        Err(problem) => problems.push(problem),
                    }
                }
                Vec::new()
            }
            "quotas" => rules::check_quota(spec, at, fields, problems),
            "opportunity_splits" => {
                if let (Value::Int(opportunity), Value::Int(share)) = (&fields[0], &fields[2]) {
                    let (total, _) =
                        self.split_shares.entry(*opportunity).or_insert_with(|| (0, at.problem(2, String::new())));
                    *total += share;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// The shares of one opportunity add to exactly 100 (`INCENTIVES.md` §1); the problem is
    /// located on the opportunity's first split row.
    fn check_split_shares(&mut self) {
        let mut found: Vec<Problem> = std::mem::take(&mut self.split_shares)
            .into_values()
            .filter(|(total, _)| *total != 100)
            .map(|(total, mut problem)| {
                problem.message = format!(
                    "the shares of this row's opportunity add to {total}, not 100: make its rows add to exactly 100"
                );
                problem
            })
            .collect();
        found.sort_by_key(|problem| problem.line);
        self.problems_extend(found);
    }

    /// A won or lost opportunity's last stage change is to won or lost as well (and an open one's
    /// to an open stage).
    fn check_stage_history(&mut self) {
        let mut found = Vec::new();
        let registry = &self.registries[Entity::Opportunity.index()];
        for (id, check) in std::mem::take(&mut self.opportunities).into_checks() {
            let Some((at, outcome, change_line)) = check.last_change() else { continue };
            if outcome != check.status {
                let when = chrono::DateTime::from_timestamp(at, 0).map(format_timestamp).unwrap_or_default();
                found.push(Problem {
                    file: "opportunities.csv".to_string(),
                    line: registry.line_of(id).unwrap_or_default(),
                    column: self.opportunity_status_column,
                    field: Some("status".to_string()),
                    message: format!(
                        "is {} but its last stage change (stage_changes.csv line {change_line}, {when}) is to a stage that is {}: make them agree",
                        check.status.key(),
                        outcome.key()
                    ),
                });
            }
        }
        self.problems_extend(found);
    }
}

/// The problem of a row that repeats an earlier row's id or natural key.
fn duplicate_problem(spec: &FileSpec, csv: &CsvFile, duplicate: staging::Duplicate) -> Problem {
    let (column, field, message) = match spec.key {
        Key::Id { .. } => {
            let index = spec.id_column().unwrap_or(0);
            let name = spec.columns[index].name;
            (
                csv.positions[index].map(|p| p + 1),
                Some(name.to_string()),
                format!(
                    "'{}' is used again (first on line {}): ids must be unique in the file",
                    duplicate.key, duplicate.first_line
                ),
            )
        }
        Key::Natural(columns) => (
            None,
            None,
            format!(
                "repeats line {}: there is already a row with the same {}",
                duplicate.first_line,
                columns.join(", ")
            ),
        ),
    };
    Problem { file: spec.file.to_string(), line: duplicate.line, column, field, message }
}

/// Saves the next free id of every table, so ids handed out later never collide.
fn save_id_counters(db: &mut Db, org: OrgId, next_ids: &HashMap<&'static str, i64>) -> Result<(), StoreError> {
    for (table, next) in next_ids {
        db.execute(
            "INSERT INTO id_sequences (org_id, entity, next_id) VALUES (?, ?, ?)
             ON CONFLICT (org_id, entity) DO UPDATE SET next_id = excluded.next_id",
            &[org.value(), Value::text(table), Value::Int(*next)],
        )?;
    }
    Ok(())
}

/// One audit entry per import: who (the command line has no user), when, and what changed per file.
fn record_audit(db: &mut Db, org: OrgId, summary: &ImportSummary) -> Result<(), StoreError> {
    let after = serde_json::to_value(summary).map_err(|e| StoreError::Decode(e.to_string()))?;
    let change = audit::Change {
        user: None,
        action: "import",
        entity: "bundle",
        entity_id: None,
        before: None,
        after: Some(after),
    };
    audit::record(db, org, change).map(|_| ())
}
