//! Importing a CRM's own export: each vendor's files are turned into a bundle, which the bundle
//! import checks and writes all or nothing.

mod bundle_out;
pub mod cells;
pub mod conversion;
pub mod hubspot;
pub mod milestones;
pub mod report;
pub mod sheet;
