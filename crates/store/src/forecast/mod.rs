//! The forecast's reads and writes under its operations.

pub mod history;
