//! One module per screen. A handler extracts, authorises, calls the store, renders.

pub mod account_map;
pub mod dashboard;
pub mod editing;
pub mod goals;
pub mod home;
pub mod leaderboard;
pub mod log_activity;
pub mod me;
pub mod one_on_ones;
pub mod pipeline;
pub mod plan;
pub mod records;
pub mod scorecard;
pub mod territory_plans;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError};
use chrono::NaiveDate;
use quotient_core::Period;
use quotient_core::access::{Action, Resource};
use quotient_core::period::PeriodKind;
use quotient_store::Db;

/// Runs `work` on a connection, with the caller; errors become pages in the caller's language.
pub async fn with_db<T, F>(state: &AppState, caller: &Caller, work: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&mut Db, &Caller) -> Result<T, Error> + Send + 'static,
{
    let locale = caller.locale;
    let caller = caller.clone();
    state.pool.run(move |db| work(db, &caller)).await.map_err(|e| PageError(e, locale))
}

/// Like [`with_db`], for a short write: committed together with the writes queued beside it (and
/// run again alone should their shared commit fail).
pub async fn writing<T, F>(state: &AppState, caller: &Caller, work: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: Fn(&mut Db, &Caller) -> Result<T, Error> + Send + 'static,
{
    let locale = caller.locale;
    let caller = caller.clone();
    state.pool.write(move |db| work(db, &caller)).await.map_err(|e| PageError(e, locale))
}

/// Refuses what the caller's role may not do, as "not found".
pub fn require(caller: &Caller, resource: Resource, action: Action) -> Result<(), PageError> {
    if caller.viewer.may(resource, action) { Ok(()) } else { Err(PageError(Error::NotFound, caller.locale)) }
}

pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The `period` query parameter, else the current quarter.
pub fn period_param(text: Option<&str>) -> Result<Period, Error> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            text.parse().map_err(|e: quotient_core::period::PeriodParseError| Error::invalid("period", e.to_string()))
        }
        None => Ok(Period::containing(PeriodKind::Quarter, today())),
    }
}

/// The evaluation day of a period: today while it runs, its last day once it is over.
pub fn as_of(period: Period) -> NaiveDate {
    let last = period.end() - chrono::Duration::days(1);
    today().clamp(period.start(), last.max(period.start()))
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
