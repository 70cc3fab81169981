//! The use cases: one function per operation of the product, under every interface. Each takes the
//! caller's scope (a [`Viewer`]) and a typed command, checks the caller's role through
//! `quotient_core::access`, refuses bad input with coded [`Refusal`]s (every one at once), and runs
//! in one transaction, so that nothing of a refused or failed operation is written. Pages, the API
//! and the command line only read their input into the command and turn the answer — or the
//! refusals, in the caller's language — into their output.
//!
//! The store's other modules are the repository under these operations: scoped reads, and the
//! audited writes with their rollup deltas.

pub mod activities;
pub mod coaching;
pub mod feedback;
pub mod forecast;
pub mod forecast_model;
pub mod goals;
pub mod incentives;
pub mod incentives_views;
pub mod pipeline;
pub mod plans;
pub mod records;
pub mod reports;
pub mod settings;

use crate::access::Viewer;
use crate::error::{Refusal, Result, StoreError};
use quotient_core::access::{Action, Resource};
use quotient_core::input::Refusals;

/// Refuses unless the caller's role may take `action` on `resource`.
pub(crate) fn permit(scope: &Viewer, resource: Resource, action: Action) -> Result<()> {
    if scope.may(resource, action) { Ok(()) } else { Err(StoreError::NotPermitted) }
}

/// `Ok` when nothing was refused, else every refusal.
pub(crate) fn refuse_any(refusals: Refusals) -> Result<()> {
    refusals.finish().map_err(StoreError::Refused)
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> StoreError {
        StoreError::Refused(vec![refusal])
    }
}
