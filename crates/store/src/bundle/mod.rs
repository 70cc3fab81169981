//! The organisation CSV bundle of `data/BUNDLE.md`: import (validated, all or nothing) and export.

mod export;
mod fields;
mod formula;
mod handoff;
mod import;
pub(crate) mod lines;
mod problem;
pub(crate) mod reader;
mod registry;
mod rules;
pub mod spec;
mod staging;

pub use export::{ExportSummary, export};
pub use fields::format_timestamp;
pub use formula::{guard, neutralise_formula};
pub use import::{FileSummary, ImportError, ImportSummary, Progress, Removals, Silent, import, import_removing};
pub use problem::{Problem, Problems};
