//! A bundle (`data/BUNDLE.md`) built from a CRM export, row by row, then written to a folder for the
//! bundle import, which checks it and writes it all or nothing.

use crate::bundle::guard;
use crate::bundle::spec::{self, FileSpec};
use std::collections::BTreeMap;
use std::path::Path;

/// The rows of each bundle file, every column of the file in the spec's order.
#[derive(Default)]
pub struct BundleOut {
    files: BTreeMap<&'static str, Vec<Vec<String>>>,
}

/// One row being filled, column by column name.
pub struct NewRow {
    spec: &'static FileSpec,
    cells: Vec<String>,
}

impl NewRow {
    /// Sets `column` (a column of the file; a name not in the spec is a programming error caught
    /// by the tests of each vendor).
    pub fn set(&mut self, column: &str, value: impl Into<String>) -> &mut Self {
        if let Some(index) = self.spec.column(column) {
            self.cells[index] = value.into();
        } else {
            debug_assert!(false, "{} has no column {column}", self.spec.file);
        }
        self
    }
}

impl BundleOut {
    /// An empty row of `file` to fill and [`BundleOut::push`].
    pub fn row(file: &str) -> NewRow {
        let spec = spec::file(file).unwrap_or_else(|| panic!("{file} is not a bundle file"));
        NewRow { spec, cells: vec![String::new(); spec.columns.len()] }
    }

    pub fn push(&mut self, row: NewRow) {
        self.files.entry(row.spec.file).or_default().push(row.cells);
    }

    /// Rows per bundle file.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        self.files.iter().map(|(file, rows)| (*file, rows.len())).collect()
    }

    /// The values of `column` in every row of `file`.
    pub fn column_values(&self, file: &str, column: &str) -> Vec<&str> {
        let index = spec::file(file).and_then(|spec| spec.column(column));
        let rows = self.files.get(file).map(Vec::as_slice).unwrap_or_default();
        index.map_or_else(Vec::new, |i| rows.iter().map(|row| row[i].as_str()).collect())
    }

    /// Writes every file with rows into `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (file, rows) in &self.files {
            let Some(spec) = spec::file(file) else { continue };
            let mut out = csv::Writer::from_path(dir.join(file))?;
            out.write_record(spec.columns.iter().map(|c| c.name))?;
            for row in rows {
                // Guarded as the export guards text, so that a CRM name starting like a formula
                // reads back exactly as it was.
                out.write_record(row.iter().zip(spec.columns).map(|(cell, column)| {
                    if column.kind.is_text() { guard(cell).into_owned() } else { cell.clone() }
                }))?;
            }
            out.flush()?;
        }
        Ok(())
    }
}
