//! A standard's evaluation in words: the `standard.<key>` text of the language's catalog, with the
//! figures written the language's way.

use super::StandardKey;
use crate::Lang;

/// e.g. "estimates for Storage: 7 of 12", "lead follow-up within 48 hours: 80% of 100%".
pub(super) fn describe(key: StandardKey, subject: Option<&str>, actual: f64, required: f64, lang: Lang) -> String {
    let shares =
        matches!(key, StandardKey::QuotaAttainment | StandardKey::LeadFollowUp | StandardKey::ContactCompleteness);
    let figure = |value: f64| {
        if shares { lang.percent(Some(value)) } else { lang.number(value, if value.fract() == 0.0 { 0 } else { 1 }) }
    };
    lang.tf(
        key.text_key(),
        // The line's name last: a name is the user's text, never a placeholder.
        &[("actual", &figure(actual)), ("required", &figure(required)), ("line", subject.unwrap_or_default())],
    )
}

/// e.g. " — short by 3 in 2026-02, 2026-03": what a failed estimates rule lacks, and where.
pub(super) fn short_by(shortfall: f64, months: &[String], lang: Lang) -> String {
    lang.tf("standard.estimates_short", &[("short", &lang.number(shortfall, 0)), ("months", &months.join(", "))])
}
