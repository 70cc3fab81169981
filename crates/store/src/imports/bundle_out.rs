//! A bundle row filled column by column name, then written through the [`BundleWriter`] with the
//! vendor file and line it was converted from.

use super::{BundleWriter, VendorFile};
use crate::bundle::spec::{self, FileSpec};
use crate::error::Result;

/// One row of a bundle file being filled; every column of the file, in the spec's order.
pub struct NewRow {
    spec: &'static FileSpec,
    cells: Vec<String>,
}

impl NewRow {
    /// An empty row of the bundle file `file` (a name of `bundle::spec::FILES`).
    pub fn of(file: &str) -> NewRow {
        let spec = spec::file(file).unwrap_or_else(|| panic!("{file} is not a bundle file"));
        NewRow { spec, cells: vec![String::new(); spec.columns.len()] }
    }

    /// Sets `column`, a column of the file (another name is a programming error the vendors'
    /// tests catch).
    pub fn set(&mut self, column: &str, value: impl Into<String>) -> &mut Self {
        match self.spec.column(column) {
            Some(index) => self.cells[index] = value.into(),
            None => debug_assert!(false, "{} has no column {column}", self.spec.file),
        }
        self
    }

    pub fn get(&self, column: &str) -> &str {
        self.spec.column(column).map_or("", |index| self.cells[index].as_str())
    }

    /// Writes the row, converted from `line` of `from`.
    pub fn write(self, writer: &mut BundleWriter, from: VendorFile, line: u64) -> Result<()> {
        let columns: Vec<&'static str> = self.spec.columns.iter().map(|c| c.name).collect();
        writer.declare(self.spec.file, &columns)?;
        let cells: Vec<&str> = self.cells.iter().map(String::as_str).collect();
        writer.write(self.spec.file, &cells, from, line)
    }
}
