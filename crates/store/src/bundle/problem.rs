//! What is wrong with a bundle, and where: `file:line:column: field: message`.

use std::fmt;

/// One thing wrong with a bundle.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    /// 1-based line where the record starts; 0 for a problem with the bundle as a whole.
    pub line: u64,
    /// 1-based column of the field, when the problem is one field's.
    pub column: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The problems found in a bundle. Keeps the first [`Problems::KEPT`] in full and counts the rest,
/// so a file that is wrong on every one of its million lines cannot exhaust memory.
#[derive(Debug, Default, Clone)]
pub struct Problems {
    kept: Vec<Problem>,
    total: u64,
}

impl Problems {
    pub const KEPT: usize = 10_000;

    pub fn push(&mut self, problem: Problem) {
        self.total += 1;
        if self.kept.len() < Self::KEPT {
            self.kept.push(problem);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many problems were found, including those not kept.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept problems, ordered by file, line and column.
    pub fn list(&self) -> &[Problem] {
        &self.kept
    }

    pub(crate) fn sort(&mut self) {
        self.kept.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.kept {
            writeln!(f, "{problem}")?;
        }
        let untold = self.total - self.kept.len() as u64;
        if untold > 0 {
            writeln!(f, "… and {untold} more problems (the first {} are listed)", self.kept.len())?;
        }
        Ok(())
    }
}
