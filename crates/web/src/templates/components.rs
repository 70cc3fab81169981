//! Small pieces of markup the pages share.

use crate::auth::{CSRF_FIELD, Caller};
use crate::error::FieldError;
use crate::i18n::Locale;
use maud::{Markup, html};
use quotient_core::Period;
use quotient_core::diagnostics::FlagKind;
use quotient_core::period::PeriodKind;

/// The hidden CSRF field every form carries.
pub fn csrf(caller: &Caller) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(caller.csrf()); }
}

/// Week / month / quarter / year around the shown period, with previous and next. `keep` are the
/// other query parameters of the page (already URL-encoded pairs).
pub fn period_picker(l: Locale, path: &str, period: Period, keep: &str) -> Markup {
    let link = |p: Period| format!("{path}?period={p}{keep}");
    let kinds = [
        (PeriodKind::Week, "period.week"),
        (PeriodKind::Month, "period.month"),
        (PeriodKind::Quarter, "period.quarter"),
        (PeriodKind::Year, "period.year"),
    ];
    html! {
        nav.toolbar aria-label=(l.t("period.label")) {
            a.button.secondary href=(link(period.previous())) aria-label=(l.t("period.previous")) { "‹" }
            strong { (period_label(l, period)) }
            a.button.secondary href=(link(period.next())) aria-label=(l.t("period.next")) { "›" }
            @for (kind, key) in kinds {
                @let target = Period::containing(kind, period.start());
                @if period.kind() == kind {
                    span.button { (l.t(key)) }
                } @else {
                    a.button.secondary href=(link(target)) { (l.t(key)) }
                }
            }
        }
    }
}

/// How a period reads: "2026-Q3 (Jul 1, 2026 – Sep 30, 2026)".
pub fn period_label(l: Locale, period: Period) -> String {
    format!("{period} ({} – {})", l.date(period.start()), l.date(period.end() - chrono::Duration::days(1)))
}

/// A column header that sorts by `key`, toggling the direction when already sorted by it.
pub fn sort_header(label: &str, key: &str, base: &str, sort: &str, descending: bool, numeric: bool) -> Markup {
    let next_desc = if sort == key { !descending } else { numeric };
    let arrow = match (sort == key, descending) {
        (false, _) => "",
        (true, true) => " ▼",
        (true, false) => " ▲",
    };
    let aria = match (sort == key, descending) {
        (false, _) => "none",
        (true, true) => "descending",
        (true, false) => "ascending",
    };
    html! {
        th class=[numeric.then_some("num")] aria-sort=(aria) {
            a href={ (base) "&sort=" (key) "&dir=" (if next_desc { "desc" } else { "asc" }) } { (label) (arrow) }
        }
    }
}

/// The flags of a scorecard as small labels (text, not colour alone, says which).
pub fn flag_badges(l: Locale, flags: &[(FlagKind, bool)]) -> Markup {
    html! {
        @for (kind, best) in flags {
            span class=(if *best { "flag best" } else { "flag" }) data-flag=(kind.key()) title=(l.t(&format!("flag.{}.title", kind.key()))) {
                (l.t(&format!("flag.{}.short", kind.key())))
            }
        }
    }
}

/// A value that is below its threshold gets a marker and a class; others render plain.
pub fn against(text: String, below: bool) -> Markup {
    html! { @if below { span.below { (text) } } @else { (text) } }
}

/// The error of `field`, if any, right under it.
pub fn field_error(errors: &[FieldError], field: &str) -> Markup {
    html! {
        @for error in errors.iter().filter(|e| e.field == field) {
            div.field-error id={ "error-" (field) } role="alert" data-code=[error.code] { (error.message) }
        }
    }
}

pub fn tile(label: &str, value: &str) -> Markup {
    html! { div.tile { div.label { (label) } div.value { (value) } } }
}
