//! Incentives in the store (`docs/INCENTIVES.md`): the year's plans and contests as saved, the
//! engine's inputs read in range queries, and the statements' lifecycle — approved and locked
//! statements kept as computed, locked ones never changed again, adjustments, disputes and
//! contest awards. The use cases over them are `crate::ops::incentives`.

pub(crate) mod changes;
pub mod compute;
pub mod contests;
pub mod disputes;
pub mod inputs;
mod locked;
pub mod plans;
pub mod sheet;
pub mod statements;
