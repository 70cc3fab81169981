//! Importing a converted export: the bundle it became goes through the bundle import (every rule
//! checked, all or nothing), and the summary says what came in, what was left out and why, how the
//! stages were placed and the first figures it gives.

use super::conversion::Conversion;
use crate::bundle::{self, ImportError, ImportSummary, Problems, Progress};
use crate::db::Db;
use crate::error::StoreError;
use crate::orgs::OrgId;

/// What an import of a CRM export did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub vendor: String,
    pub summary: ImportSummary,
    /// Rows left out, by reason.
    pub skipped: Vec<(String, u64)>,
    /// Each vendor stage and the Quotient stage it was placed on ("" when unplaced).
    pub stages: Vec<(String, String)>,
    pub unplaced: Vec<String>,
    pub stages_reviewed: bool,
    pub notes: Vec<String>,
    pub reps: usize,
    pub date_range: Option<(String, String)>,
    pub deals_won: usize,
    pub deals_lost: usize,
    pub deals_open: usize,
}

impl ImportReport {
    /// Won deals among closed ones, in whole percent; `None` before any deal closed.
    pub fn win_rate_percent(&self) -> Option<u64> {
        let closed = self.deals_won + self.deals_lost;
        (closed > 0).then(|| (self.deals_won as u64 * 100 + closed as u64 / 2) / closed as u64)
    }
}

/// The problems of a conversion, for the same report as a bundle's.
pub fn problems_of(conversion: &Conversion) -> Problems {
    let mut problems = Problems::default();
    for problem in &conversion.problems {
        problems.push(problem.clone());
    }
    problems
}

/// Imports a conversion into the organisation: its problems, if any, and nothing written; else the
/// bundle import of what it became.
pub fn import(
    db: &mut Db,
    org: OrgId,
    conversion: &Conversion,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    if !conversion.problems.is_empty() {
        return Err(ImportError::Invalid(problems_of(conversion)));
    }
    let dir = tempfile::tempdir().map_err(|e| StoreError::io(std::path::Path::new("a temporary folder"), e))?;
    conversion.bundle.write(dir.path()).map_err(|e| StoreError::io(dir.path(), e))?;
    let summary = bundle::import(db, org, dir.path(), progress)?;
    Ok(report(conversion, summary))
}

fn report(conversion: &Conversion, summary: ImportSummary) -> ImportReport {
    let statuses = conversion.bundle.column_values("opportunities.csv", "status");
    let count = |status: &str| statuses.iter().filter(|s| **s == status).count();
    ImportReport {
        vendor: conversion.vendor.to_string(),
        summary,
        skipped: conversion.skipped.iter().map(|(reason, n)| (reason.clone(), *n)).collect(),
        stages: conversion
            .stages
            .entries()
            .map(|(label, p)| (label, p.map_or(String::new(), |p| p.stage.key().to_string())))
            .collect(),
        unplaced: conversion.stages.unplaced(),
        stages_reviewed: conversion.stages_reviewed,
        notes: conversion.notes.clone(),
        reps: conversion.bundle.counts().get("reps.csv").copied().unwrap_or(0),
        date_range: conversion.date_range.clone(),
        deals_won: count("won"),
        deals_lost: count("lost"),
        deals_open: count("open"),
    }
}
