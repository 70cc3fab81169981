//! CRM imports: a vendor's export (Salesforce here; other readers build on the same types) is
//! converted into bundle rows (`data/BUNDLE.md`) streamed to a temporary bundle folder, which the
//! bundle import then validates, merges and rolls up, all or nothing. Every converted row keeps
//! where it came from (vendor file and line, compactly), so that a problem the bundle import finds
//! is reported in the vendor's terms: its file, line and column.
//!
//! A vendor reader: opens its files with [`text::VendorCsv`], registers each with
//! [`BundleWriter::vendor_file`] (naming which vendor column feeds which bundle column), writes
//! rows with [`BundleWriter::write`], counts what it skips in [`Skips`], and hands the
//! [`Converted`] export to [`import_converted`]. Ids are prefixed with the source's name
//! (`salesforce:0065g00000AbCdE`) so two sources never collide, and a newer export of the same CRM
//! updates the rows it imported before and leaves everything else alone.

mod bundle_out;
pub mod cells;
pub mod conversion;
pub mod currency;
pub mod deals;
pub mod hubspot;
pub mod mapping;
mod mapping_guess;
pub mod milestones;
pub mod pipedrive;
pub mod records;
pub mod salesforce;
pub mod sheet;
pub mod stages;
pub mod text;
pub mod upload;
mod workbook;

use crate::bundle::{self, ImportError, ImportSummary, Problem, Problems, Progress};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use std::collections::{BTreeMap, HashMap};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// A CRM's export could not be imported; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum CrmImportError {
    /// Problems located in the vendor's files (or the mapping files).
    #[error("the export has {} problem(s); nothing was imported", .0.total())]
    Invalid(Problems),
    /// Stages the mapping does not place: the user edits the mapping file and runs again.
    #[error("{} stage(s) are not placed in {}; nothing was imported", .unplaced.len(), .file.display())]
    UnplacedStages { file: PathBuf, unplaced: Vec<String> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CrmImportError {
    /// One problem, as an invalid export.
    pub fn problem(problem: Problem) -> CrmImportError {
        let mut problems = Problems::default();
        problems.push(problem);
        CrmImportError::Invalid(problems)
    }
}

/// A vendor file a converted row came from: an index into the writer's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorFile(u16);

struct VendorFileInfo {
    name: String,
    header: Vec<String>,
    /// Bundle column → the vendor column it is converted from.
    columns: HashMap<&'static str, String>,
}

/// Runs of consecutive bundle rows that come from consecutive vendor lines of one file: a
/// million rows read in order take a few runs, not a million entries.
#[derive(Default)]
struct LineMap {
    /// (first bundle row, vendor file, its vendor line, rows in the run), by first row.
    runs: Vec<(u64, VendorFile, u64, u64)>,
    rows: u64,
}

impl LineMap {
    fn push(&mut self, file: VendorFile, line: u64) {
        match self.runs.last_mut() {
            Some((first, run_file, run_line, len)) if *run_file == file && *run_line + *len == line => {
                let _ = first;
                *len += 1;
            }
            _ => self.runs.push((self.rows, file, line, 1)),
        }
        self.rows += 1;
    }

    /// The vendor file and line of the 0-based bundle row.
    fn origin(&self, row: u64) -> Option<(VendorFile, u64)> {
        let at = self.runs.partition_point(|run| run.0 <= row).checked_sub(1)?;
        let (first, file, line, len) = self.runs[at];
        (row < first + len).then_some((file, line + row - first))
    }
}

/// One bundle file being written.
struct BundleFile {
    out: csv::Writer<BufWriter<std::fs::File>>,
    columns: Vec<&'static str>,
    lines: LineMap,
}

/// Converted rows written as a bundle in a temporary folder (removed when dropped), each
/// remembered with its vendor file and line.
pub struct BundleWriter {
    dir: PathBuf,
    vendor_files: Vec<VendorFileInfo>,
    files: BTreeMap<&'static str, BundleFile>,
    record: Vec<String>,
}

impl BundleWriter {
    /// A writer into a new temporary folder.
    pub fn create() -> Result<BundleWriter> {
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("quotient-import-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        Ok(BundleWriter { dir, vendor_files: Vec::new(), files: BTreeMap::new(), record: Vec::new() })
    }

    /// Registers a vendor file: its name, header, and which vendor column each bundle column is
    /// converted from (`("amount", "Amount")`), to place problems.
    pub fn vendor_file(&mut self, name: &str, header: &[String], columns: &[(&'static str, &str)]) -> VendorFile {
        let index = u16::try_from(self.vendor_files.len()).unwrap_or(u16::MAX);
        self.vendor_files.push(VendorFileInfo {
            name: name.to_string(),
            header: header.to_vec(),
            columns: columns.iter().map(|(bundle, vendor)| (*bundle, (*vendor).to_string())).collect(),
        });
        VendorFile(index)
    }

    /// Declares the bundle file `file` with `columns` (bundle column names), which every row
    /// written to it gives in that order. Declaring it again changes nothing.
    pub fn declare(&mut self, file: &'static str, columns: &[&'static str]) -> Result<()> {
        if self.files.contains_key(file) {
            return Ok(());
        }
        let path = self.dir.join(file);
        let handle = std::fs::File::create(&path).map_err(|e| StoreError::io(&path, e))?;
        let mut out = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(256 * 1024, handle));
        out.write_record(columns).map_err(|e| csv_error(&path, e))?;
        self.files.insert(file, BundleFile { out, columns: columns.to_vec(), lines: LineMap::default() });
        Ok(())
    }

    /// Writes one row of `file` (declared before), converted from `line` of `from`. Line breaks in
    /// values become spaces, so that each bundle row is one line; text that would read as a
    /// formula is guarded as the bundle export guards it.
    pub fn write(&mut self, file: &'static str, row: &[&str], from: VendorFile, line: u64) -> Result<()> {
        let path = self.dir.join(file);
        let Some(target) = self.files.get_mut(file) else {
            return Err(StoreError::Decode(format!("{file} was not declared before writing")));
        };
        debug_assert_eq!(row.len(), target.columns.len());
        self.record.clear();
        for value in row {
            let flat =
                if value.contains(['\n', '\r']) { value.replace(['\r', '\n'], " ") } else { (*value).to_string() };
            self.record.push(bundle::guard(&flat).into_owned());
        }
        target.out.write_record(&self.record).map_err(|e| csv_error(&path, e))?;
        target.lines.push(from, line);
        Ok(())
    }

    /// Rows written to `file` so far.
    pub fn rows(&self, file: &str) -> u64 {
        self.files.get(file).map_or(0, |f| f.lines.rows)
    }

    fn finish(&mut self) -> Result<()> {
        for (file, target) in &mut self.files {
            target.out.flush().map_err(|e| StoreError::io(self.dir.join(file), e))?;
        }
        Ok(())
    }

    /// A bundle problem in the vendor's terms: the vendor file, line and column the row and field
    /// came from, the bundle's column named in the message.
    fn locate(&self, problem: Problem) -> Problem {
        let origin = self
            .files
            .get(problem.file.as_str())
            .filter(|_| problem.line >= 2)
            .and_then(|f| f.lines.origin(problem.line - 2))
            .and_then(|(file, line)| Some((self.vendor_files.get(usize::from(file.0))?, line)));
        let Some((vendor, line)) = origin else {
            return Problem { message: format!("(converted {}) {}", problem.file, problem.message), ..problem };
        };
        let vendor_column = problem.field.as_deref().and_then(|field| vendor.columns.get(field));
        let column = vendor_column.and_then(|name| vendor.header.iter().position(|h| h.eq_ignore_ascii_case(name)));
        let message = match &problem.field {
            Some(field) => format!("{} (Quotient's {field})", problem.message),
            None => problem.message,
        };
        Problem {
            file: vendor.name.clone(),
            line,
            column: column.map(|c| c + 1),
            field: vendor_column.cloned().or(problem.field),
            message,
        }
    }
}

impl Drop for BundleWriter {
    fn drop(&mut self) {
        // Best effort: a temporary folder left behind is harmless.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn csv_error(path: &Path, error: csv::Error) -> StoreError {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => StoreError::io(path, e),
        other => StoreError::Decode(format!("{}: {other:?}", path.display())),
    }
}

/// Rows a conversion left out, and why, per vendor file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Skips {
    /// (vendor file, reason) → rows.
    pub counts: BTreeMap<(String, String), u64>,
}

impl Skips {
    pub fn skip(&mut self, file: &str, reason: &str) {
        *self.counts.entry((file.to_string(), reason.to_string())).or_default() += 1;
    }
}

/// What was read of one vendor file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ObjectCount {
    pub file: String,
    /// Records read.
    pub read: u64,
    /// Records converted into bundle rows.
    pub converted: u64,
}

/// The first KPIs the import can tell, over its date range, in the organisation's currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FirstKpis {
    pub won: u64,
    pub lost: u64,
    pub open: u64,
    /// Won revenue in cents.
    pub revenue_cents: i64,
}

impl FirstKpis {
    /// Won out of closed, in percent with one decimal, `None` before anything closed.
    pub fn win_rate_permille(&self) -> Option<u64> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| (self.won * 1000 + closed / 2) / closed)
    }
}

/// What an import does with the records of its source that a newer export's complete files no
/// longer hold. A CRM's export may be filtered (a view, one pipeline, open deals only), so absence
/// means deletion only when the person importing says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Missing {
    /// Leave them as they are (the default).
    #[default]
    Keep,
    /// Delete them as a user deletes a record: marked, audited, restorable.
    Delete,
}

/// A vendor export converted into bundle rows, ready for [`import_converted`].
pub struct Converted {
    /// The source's name (`salesforce`).
    pub source: &'static str,
    pub bundle: BundleWriter,
    pub objects: Vec<ObjectCount>,
    pub skips: Skips,
    /// CRM stage → Quotient stage (with gateway type), as used.
    pub stages: Vec<(String, String)>,
    /// The organisation's currency, when the export names it.
    pub currency: Option<String>,
    /// The earliest and latest opportunity dates (created or closed).
    pub date_range: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    pub kpis: FirstKpis,
    /// The bundle files the export holds every row of (their objects' files were all in it): with
    /// [`Missing::Delete`], the source's rows of these files that it no longer has are deleted.
    pub complete: Vec<&'static str>,
}

impl Converted {
    /// The converted export, unless its conversion found `problems`.
    pub fn unless(self, problems: Vec<Problem>) -> std::result::Result<Converted, CrmImportError> {
        if problems.is_empty() { Ok(self) } else { Err(conversion::invalid(problems)) }
    }
}

/// What a CRM import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CrmImportSummary {
    pub source: String,
    pub objects: Vec<ObjectCount>,
    pub skips: Skips,
    pub stages: Vec<(String, String)>,
    pub currency: Option<String>,
    pub reps: u64,
    pub date_range: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    pub kpis: FirstKpis,
    /// What the bundle import did with the converted rows.
    pub bundle: ImportSummary,
}

/// Imports a converted export: the bundle import of its rows, with every problem placed in the
/// vendor's files. All or nothing.
pub fn import_converted(
    db: &mut Db,
    org: OrgId,
    mut converted: Converted,
    progress: &mut dyn Progress,
) -> std::result::Result<CrmImportSummary, CrmImportError> {
    converted.bundle.finish()?;
    let removals = bundle::Removals { prefix: external_id(converted.source, ""), files: converted.complete.clone() };
    match bundle::import_removing(db, org, &converted.bundle.dir, &removals, progress) {
        Ok(summary) => Ok(CrmImportSummary {
            source: converted.source.to_string(),
            reps: converted.bundle.rows("reps.csv"),
            objects: converted.objects,
            skips: converted.skips,
            stages: converted.stages,
            currency: converted.currency,
            date_range: converted.date_range,
            kpis: converted.kpis,
            bundle: summary,
        }),
        Err(ImportError::Invalid(problems)) => {
            let mut located = Problems::default();
            for problem in problems.list() {
                located.push(converted.bundle.locate(problem.clone()));
            }
            // Problems past those kept are counted, not placed.
            for _ in problems.list().len() as u64..problems.total() {
                located.push(Problem {
                    file: converted.source.to_string(),
                    line: 0,
                    column: None,
                    field: None,
                    message: "another problem".to_string(),
                });
            }
            located.sort();
            Err(CrmImportError::Invalid(located))
        }
        Err(ImportError::Store(error)) => Err(error.into()),
    }
}

/// An id as stored: the source's name, a colon, the vendor's id.
pub fn external_id(source: &str, id: &str) -> String {
    format!("{source}:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_map_finds_rows_across_runs() {
        let (a, b) = (VendorFile(0), VendorFile(1));
        let mut map = LineMap::default();
        // Rows 0–2 from lines 2, 3, 4 of a; row 3 from line 7 of a (lines 5–6 skipped); row 4 from b:2.
        for line in [2, 3, 4, 7] {
            map.push(a, line);
        }
        map.push(b, 2);
        assert_eq!(map.runs.len(), 3);
        assert_eq!(map.origin(1), Some((a, 3)));
        assert_eq!(map.origin(3), Some((a, 7)));
        assert_eq!(map.origin(4), Some((b, 2)));
        assert_eq!(map.origin(5), None);
    }

    #[test]
    fn win_rate_is_won_out_of_closed() {
        // 2 won of 3 closed = 666.7 ‰, rounded to 667.
        let kpis = FirstKpis { won: 2, lost: 1, open: 5, revenue_cents: 0 };
        assert_eq!(kpis.win_rate_permille(), Some(667));
        assert_eq!(FirstKpis::default().win_rate_permille(), None);
    }
}
