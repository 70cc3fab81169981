//! The forecast: each open deal's category (from its stage, or the owner's override), the calls
//! reps and managers submit per month or quarter, their roll-up through the hierarchy beside quota
//! and plan, and what changed in the pipeline from one weekly snapshot to the next; the forecast
//! from the data and how accurate the calls turned out.

pub mod accuracy;
pub mod band;
pub mod category;
pub mod changes;
pub mod model;
pub mod rollup;

pub use category::{Category, category_of, is_stale};
pub use changes::{ChangeKind, DealChange, SnapshotLine, changes_between, pushes};
pub use rollup::{Call, CategoryTotals, Coverage, Node, Rolled, coverage_bp, roll_up};
