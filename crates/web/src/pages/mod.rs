//! One module per screen. A handler extracts, authorises, calls the store, renders.

pub mod account_map;
pub mod breakdowns;
pub mod dashboard;
pub mod decision_process;
pub mod earnings;
pub mod editing;
pub mod forecast;
pub mod forecast_parts;
pub mod goals;
pub mod home;
pub mod import;
pub mod incentives;
pub mod leaderboard;
pub mod log_activity;
pub mod me;
pub mod one_on_ones;
pub mod pipeline;
pub mod plan;
pub mod records;
pub mod scorecard;
pub mod settings;
pub mod statements;
pub mod territory_plans;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, FieldError, PageError};
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_store::{Db, StoreError};

pub use crate::params::{as_of, encode, period_param, today};

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

/// A refusal a redirect names by code (`?error=CODE`): the page shows the message of a code it
/// knows, in the reader's language, and nothing for any other text, so that a link cannot put its
/// own words on the page. `known` pairs each code with its message key.
pub fn refusal(l: crate::i18n::Locale, code: Option<&str>, known: &[(&str, &str)]) -> Option<&'static str> {
    let code = code?;
    known.iter().find(|(known, _)| *known == code).map(|(_, key)| l.t(key))
}

/// What a write was refused for, in the caller's words, to show beside its form; any other error
/// as it is.
pub fn refused_fields(error: PageError) -> Result<Vec<FieldError>, PageError> {
    match error {
        PageError(Error::Store(StoreError::Refused(refusals)), locale) => {
            Ok(refusals.iter().map(|refusal| FieldError::refused(refusal, locale)).collect())
        }
        error => Err(error),
    }
}

/// The refusals of a write, listed above the page's forms.
pub fn refused_list(errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            ul.alert #refused role="alert" { @for error in errors { li data-field=(error.field) { (error.message) } } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::refusal;
    use crate::i18n::Locale;

    #[test]
    fn a_refusal_is_shown_by_its_code_only() {
        let known = [("stage_unknown", "refusal.stage_unknown")];
        let message = Locale::ENGLISH.t("refusal.stage_unknown");
        assert_eq!(refusal(Locale::ENGLISH, Some("stage_unknown"), &known), Some(message));
        assert_eq!(refusal(Locale::ENGLISH, Some("Call 555-0100 to unlock your account"), &known), None);
        assert_eq!(refusal(Locale::ENGLISH, None, &known), None);
    }

    /// Every message a page shows by code is written in every language.
    #[test]
    fn every_refusal_code_has_its_message_in_every_language() {
        let tables = [super::pipeline::REFUSALS, super::statements::REFUSALS];
        for (code, key) in tables.iter().flat_map(|t| t.iter()) {
            for lang in Locale::all() {
                assert!(lang.message(key).is_some(), "{code}: {key} is missing in {}", lang.tag());
            }
        }
    }
}
