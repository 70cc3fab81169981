//! The page shell and the pieces every page shares.

mod components;
mod pager;

pub use components::*;
pub use pager::*;

use crate::auth::{CSRF_FIELD, Caller};
use crate::i18n::Locale;
use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, html};
use quotient_core::access::{Action, Resource};

/// The top navigation's sections, each shown to the roles that may read it.
const SECTIONS: &[(&str, &str, Resource)] = &[
    ("dashboard", "/dashboard", Resource::TeamDashboard),
    ("pipeline", "/pipeline", Resource::Opportunities),
    ("forecast", "/forecast", Resource::Forecast),
    ("leaderboard", "/leaderboard", Resource::Leaderboard),
    ("goals", "/goals", Resource::TeamDashboard),
    ("statements", "/statements", Resource::TeamDashboard),
    ("incentives", "/incentives", Resource::IncentivePlans),
    ("plan", "/plan", Resource::CompanyPlan),
    ("territory_plans", "/territory-plans", Resource::TerritoryPlans),
    ("accounts", "/records/accounts", Resource::Accounts),
    ("contacts", "/records/contacts", Resource::Contacts),
    ("leads", "/records/leads", Resource::Leads),
    ("opportunities", "/records/opportunities", Resource::Opportunities),
    ("activities", "/records/activities", Resource::Activities),
    ("estimates", "/records/estimates", Resource::Estimates),
    ("settings", "/settings", Resource::Settings),
];

fn head(locale: Locale, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Quotient" }
            link rel="stylesheet" href="/assets/style.css";
            link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
            script src="/assets/app.js" defer {}
            meta name="language" content=(locale.tag());
        }
    }
}

/// A signed-in page: navigation, the one-click "log activity", the user's menu, and `body`.
pub fn page(caller: &Caller, active: &str, title: &str, body: Markup) -> Markup {
    let l = caller.locale;
    let own_scorecard = caller.viewer.rep_id.map(|_| "/".to_string());
    html! {
        (DOCTYPE)
        html lang=(l.tag()) {
            (head(l, title))
            body {
                header.top {
                    a.brand href="/" { img src="/assets/icon.svg" width="22" height="22" alt=""; "Quotient" }
                    nav aria-label=(l.t("nav.label")) {
                        @if own_scorecard.is_some() && caller.user.role == quotient_core::model::UserRole::Rep {
                            a href="/" class=[(active == "scorecard").then_some("active")] { (l.t("nav.scorecard")) }
                            a href="/earnings" class=[(active == "earnings").then_some("active")] { (l.t("nav.earnings")) }
                        }
                        @for (key, href, resource) in SECTIONS {
                            @if caller.viewer.may(*resource, Action::Read) {
                                a href=(href) class=[(active == *key).then_some("active")] { (l.t(&format!("nav.{key}"))) }
                            }
                        }
                        @if caller.viewer.may(Resource::Settings, Action::Edit) {
                            a href="/import" class=[(active == "import").then_some("active")] { (l.t("nav.import")) }
                        }
                    }
                    div.who {
                        @if caller.viewer.may(Resource::Activities, Action::Create) && caller.viewer.rep_id.is_some() {
                            a.button.log-button href="/log" { "+ " (l.t("nav.log_activity")) }
                        }
                        a href="/me" title=(caller.user.email) { (caller.user.name) }
                        span.muted.hide-narrow { (caller.org_name) }
                        form method="post" action="/sign-out" {
                            input type="hidden" name=(CSRF_FIELD) value=(caller.csrf());
                            button.link type="submit" { (l.t("nav.sign_out")) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// What the sign-in page shows: the e-mail typed, why it is shown again, and the organisations to
/// choose from when the password opened several.
#[derive(Debug, Clone, Default)]
pub struct SignInForm {
    pub email: String,
    pub failure: Option<String>,
    pub organisations: Vec<quotient_store::orgs::Organisation>,
}

pub fn sign_in(l: Locale, form: &SignInForm) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(l.tag()) {
            (head(l, l.t("sign_in.title")))
            body {
                main.sign-in {
                    div.card {
                        h1 { img src="/assets/icon.svg" width="28" height="28" alt=""; " Quotient" }
                        @if let Some(failure) = &form.failure { p.alert role="alert" { (failure) } }
                        form method="post" action="/sign-in" {
                            label for="email" { (l.t("sign_in.email")) }
                            input #email type="email" name="email" value=(form.email) required autocomplete="username" autofocus[form.organisations.is_empty()];
                            @if !form.organisations.is_empty() {
                                label for="organisation" { (l.t("sign_in.organisation")) }
                                select #organisation name="organisation" required autofocus {
                                    @for org in &form.organisations { option value=(org.slug) { (org.name) } }
                                }
                            }
                            label for="password" { (l.t("sign_in.password")) }
                            input #password type="password" name="password" required autocomplete="current-password";
                            p { button type="submit" { (l.t("sign_in.submit")) } }
                        }
                    }
                }
            }
        }
    }
}

pub fn error_page(l: Locale, status: StatusCode, message: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(l.tag()) {
            (head(l, &status.as_u16().to_string()))
            body {
                main {
                    div.card {
                        h1 { (status.as_u16()) " · " (status.canonical_reason().unwrap_or_default()) }
                        p { (message) }
                        p { a href="/" { (l.t("nav.home")) } }
                    }
                }
            }
        }
    }
}
