//! The forecast's rows: each stage's default category and the overrides of open deals
//! ([`categories`]), the calls submitted and adjusted ([`calls`]), the period's deals by person
//! ([`deals`]), the data forecast's expected revenue kept by revision ([`expected`]) and the
//! forecast page's figures beside it ([`figures`]), the roll-up's category totals kept by revision
//! ([`totals`]), the weekly snapshots of the open pipeline ([`snapshots`]), and the deals a data
//! forecast learns from ([`history`]). The rules are `quotient_core::forecast`'s; the use cases
//! `crate::ops::forecast` and `crate::ops::forecast_model`.

pub mod calls;
pub mod categories;
pub mod deals;
pub mod expected;
pub mod figures;
pub mod history;
mod kept;
pub mod snapshots;
pub mod totals;
