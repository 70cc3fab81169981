//! Bundle export: every file of the format, rows in the order they were first stored, values in
//! their canonical form (amounts with 2 decimals, timestamps in UTC with `Z`), soft-deleted rows
//! (and references to them) left out, text that would read as a spreadsheet formula guarded with a
//! `'` the import removes. Import → export → import → export gives identical files. Each saved
//! year's commission plans file is written beside them (`plans-2027.json`).

use super::fields::format_timestamp;
use super::formula::guard;
use super::import::Progress;
use super::spec::{FILES, FileSpec, Kind};
use crate::db::{Db, Row};
use crate::error::{Result, StoreError};
use crate::orgs::OrgId;
use quotient_core::Money;
use quotient_core::model::QuotaMetric;
use std::path::Path;

/// How many rows each exported file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub files: Vec<(String, u64)>,
}

impl ExportSummary {
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|(_, rows)| rows).sum()
    }
}

/// Writes the organisation's data as a bundle into `dir` (created if missing).
pub fn export(db: &mut Db, org: OrgId, dir: &Path, progress: &mut dyn Progress) -> Result<ExportSummary> {
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    // One snapshot for every file: an import committing meanwhile is in all of them or in none.
    db.read_snapshot(|db| {
        let mut summary = ExportSummary::default();
        for spec in &FILES {
            let path = dir.join(spec.file);
            progress.file_started(spec.file, 0);
            let rows = export_file(db, org, spec, &path, progress)?;
            progress.file_finished(spec.file, rows);
            summary.files.push((spec.file.to_string(), rows));
        }
        // The plans files go beside the bundle: the import reads CSV files only.
        for (year, text) in crate::incentives::plans::all_years(db, org)? {
            let path = dir.join(crate::incentives::plans::file_name(year));
            std::fs::write(&path, text).map_err(|e| StoreError::io(&path, e))?;
        }
        Ok(summary)
    })
}

fn export_file(db: &mut Db, org: OrgId, spec: &FileSpec, path: &Path, progress: &mut dyn Progress) -> Result<u64> {
    let io_error = |e: csv::Error| StoreError::io(path, std::io::Error::other(e));
    let mut writer = csv::WriterBuilder::new().from_path(path).map_err(io_error)?;
    writer.write_record(spec.columns.iter().map(|c| c.name)).map_err(io_error)?;
    let metric_index = spec.column("metric");
    let mut rows = 0;
    let mut buffer = String::new();
    db.query_each(&select(spec), &[org.value()], |row| {
        for (index, column) in spec.columns.iter().enumerate() {
            buffer.clear();
            format_field(row, index, column.kind, metric_index, &mut buffer)?;
            writer.write_field(&buffer).map_err(io_error)?;
        }
        writer.write_record(None::<&[u8]>).map_err(io_error)?;
        rows += 1;
        if rows % 65_536 == 0 {
            progress.advanced(rows, 0);
        }
        Ok(())
    })?;
    writer.flush().map_err(|e| StoreError::io(path, e))?;
    Ok(rows)
}

/// One column per field of the file, references turned back into the referenced row's external id.
/// The bundle stays self-consistent when records are soft-deleted: an optional reference to a deleted
/// row is left empty, and a row whose required reference is deleted is left out.
fn select(spec: &FileSpec) -> String {
    let mut columns = Vec::new();
    let mut joins = String::new();
    let mut conditions = vec!["t.org_id = ?".to_string(), "t.deleted_at IS NULL".to_string()];
    for (index, column) in spec.columns.iter().enumerate() {
        match column.kind {
            Kind::Id => columns.push("t.external_id".to_string()),
            Kind::Ref(entity) => {
                columns.push(format!("r{index}.external_id"));
                joins.push_str(&format!(
                    " LEFT JOIN {table} r{index} ON r{index}.org_id = t.org_id AND r{index}.id = t.{db} AND r{index}.deleted_at IS NULL",
                    table = entity.table(),
                    db = column.db
                ));
                if column.required {
                    conditions.push(format!("r{index}.id IS NOT NULL"));
                }
            }
            _ => columns.push(format!("t.{}", column.db)),
        }
    }
    format!(
        "SELECT {} FROM {} t{joins} WHERE {} ORDER BY t.id",
        columns.join(", "),
        spec.table,
        conditions.join(" AND ")
    )
}

fn format_field(row: &Row, index: usize, kind: Kind, metric_index: Option<usize>, out: &mut String) -> Result<()> {
    use std::fmt::Write;
    let _ = match kind {
        Kind::Timestamp => row.timestamp(index)?.map(|at| write!(out, "{}", format_timestamp(at))),
        Kind::Date => row.date(index)?.map(|date| write!(out, "{}", date.format("%Y-%m-%d"))),
        Kind::Money => row.int(index)?.map(|cents| write!(out, "{}", Money::from_cents(cents))),
        Kind::Int { .. } => row.int(index)?.map(|n| write!(out, "{n}")),
        Kind::QuotaTarget => {
            let is_money = metric_index
                .map(|m| row.text(m))
                .transpose()?
                .flatten()
                .and_then(|metric| metric.parse::<QuotaMetric>().ok())
                .is_some_and(QuotaMetric::is_money);
            row.int(index)?.map(|n| if is_money { write!(out, "{}", Money::from_cents(n)) } else { write!(out, "{n}") })
        }
        _ => row.text(index)?.map(|text| {
            out.push_str(&guard(text));
            Ok(())
        }),
    };
    Ok(())
}
