//! The organisation CSV bundle of `data/BUNDLE.md`: import (validated, all or nothing) and export.

mod export;
mod fields;
mod handoff;
mod import;
mod problem;
mod reader;
mod rules;
pub mod spec;
mod staging;

pub use export::{ExportSummary, export};
pub use fields::format_timestamp;
pub use import::{FileSummary, ImportError, ImportSummary, Progress, Silent, import};
pub use problem::{Problem, Problems};
