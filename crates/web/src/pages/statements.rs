//! The team's statements of a month (`INCENTIVES.md` §3, §4): per rep the components, awards,
//! adjustments, draw, payable and state; the manager approves ended months and resolves disputes,
//! the executive locks and downloads the payroll export; the team's cost of sales beside them.

use super::{encode, refusal, require, today, with_db, writing};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError};
use crate::i18n::Locale;
use crate::templates::{self, csrf};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::access::{self, Action, Resource};
use quotient_core::period::PeriodKind;
use quotient_core::{Money, Period};
use quotient_store::access::Viewer;
use quotient_store::ids::RepId;
use quotient_store::incentives::sheet::{StatementSheet, StatementState};
use quotient_store::ops::incentives::{self as ops, Resolution, ResolveDispute, StatementRef, StatementsOf};
use quotient_store::ops::incentives_views::{self as views, TeamStatements};
use quotient_store::ops::reports::{Named, SubjectRequest};
use quotient_store::{Db, Result as StoreResult, StoreError};

/// The refusals a redirect back to the page may name.
pub const REFUSALS: &[(&str, &str)] = &[
    ("statement_month_open", "refusal.statement_month_open"),
    ("statement_no_plan", "refusal.statement_no_plan"),
    ("statement_locked", "refusal.statement_locked"),
    ("statement_not_approved", "refusal.statement_not_approved"),
    ("dispute_line_unknown", "refusal.dispute_line_unknown"),
    ("dispute_resolved", "refusal.dispute_resolved"),
    ("required", "refusal.required"),
    ("too_long", "statements.note_too_long"),
    ("amount", "statements.amount_unreadable"),
];

#[derive(serde::Deserialize, Default)]
pub struct StatementsQuery {
    period: Option<String>,
    /// A manager's external id: their team; default: the caller's own.
    team: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

/// The month of `text` (default: the month before this one, the one to approve).
pub fn month_param(text: Option<&str>, locale: Locale) -> Result<Period, PageError> {
    match text {
        Some(text) => {
            let period: Period = text.parse().map_err(|_| PageError(Error::NotFound, locale))?;
            if period.kind() == PeriodKind::Month { Ok(period) } else { Err(PageError(Error::NotFound, locale)) }
        }
        None => Ok(Period::containing(PeriodKind::Month, today()).previous()),
    }
}

fn subject(team: Option<&str>) -> SubjectRequest {
    team.map_or(SubjectRequest::Own, |team| SubjectRequest::Team(Named::Key(team.to_string())))
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<StatementsQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::Statements, Action::Read)?;
    let period = month_param(query.period.as_deref(), caller.locale)?;
    let request = StatementsOf { period, subject: subject(query.team.as_deref()), today: today() };
    let team = with_db(&state, &caller, move |db, caller| {
        views::team_statements(db, &caller.viewer, &request).map_err(crate::error::subject_missing)
    })
    .await?;
    let l = caller.locale;
    let message = refusal(l, query.error.as_deref(), REFUSALS);
    let done = query.done.as_deref().and_then(|d| DONE.iter().find(|(k, _)| *k == d)).map(|(_, key)| l.t(key));
    let keep = query.team.as_deref().map(|t| format!("&team={}", encode(t))).unwrap_or_default();
    let body = html! {
        h1 { (l.t("statements.title")) }
        nav.toolbar aria-label=(l.t("period.label")) {
            a.button.secondary href={ "/statements?period=" (period.previous()) (keep) } aria-label=(l.t("period.previous")) { "‹" }
            strong { (templates::period_label(l, period)) }
            a.button.secondary href={ "/statements?period=" (period.next()) (keep) } aria-label=(l.t("period.next")) { "›" }
            @if access::locks_statements(caller.user.role) {
                a.button.secondary href={ "/statements/export.csv?period=" (period) (keep) } download { (l.t("statements.payroll_export")) }
            }
        }
        @if let Some(message) = message { p.alert role="alert" { (message) } }
        @if let Some(done) = done { p.notice role="status" { (done) } }
        (table(&caller, &team, period))
        (disputes(&caller, &team, period))
    };
    Ok(templates::page(&caller, "statements", l.t("statements.title"), body))
}

const DONE: &[(&str, &str)] = &[
    ("approved", "statements.done_approved"),
    ("locked", "statements.done_locked"),
    ("resolved", "statements.done_resolved"),
    ("disputed", "statements.done_disputed"),
];

/// The component keys of the statements, in the order first met.
fn component_keys(sheets: &[StatementSheet]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for key in sheets.iter().flat_map(|s| s.components.iter().map(|c| &c.key)) {
        if !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    keys
}

pub fn state_label(l: Locale, state: StatementState) -> Markup {
    html! { span class={ "badge state-" (state.key()) } { (l.t(&format!("statements.state.{}", state.key()))) } }
}

fn table(caller: &Caller, team: &TeamStatements, period: Period) -> Markup {
    let l = caller.locale;
    let money = |cents: i64| caller.money(Money::from_cents(cents));
    let keys = component_keys(&team.statements);
    html! {
        @if team.statements.is_empty() {
            p.muted { (l.t("statements.none")) }
        } @else {
            div.table-wrap {
                table #statements {
                    thead { tr {
                        th { (l.t("field.rep")) }
                        @for key in &keys { th.num { (key) } }
                        th.num { (l.t("statements.awards")) }
                        th.num { (l.t("statements.adjustments")) }
                        th.num { (l.t("statements.draw")) }
                        th.num { (l.t("statements.payable")) }
                        th { (l.t("statements.state")) }
                        th { }
                    } }
                    tbody {
                        @for sheet in &team.statements {
                            tr {
                                td { a href={ "/reps/" (sheet.rep_id) "/earnings?period=" (period) } { (sheet.name) } }
                                @for key in &keys {
                                    td.num { (money(sheet.components.iter().filter(|c| &c.key == key).map(|c| c.due_cents).sum())) }
                                }
                                td.num { (money(sheet.awards.iter().map(|a| a.amount_cents).sum())) }
                                td.num { (money(sheet.adjustments.iter().map(|a| a.amount_cents).sum())) }
                                td.num { (sheet.draw.as_ref().map_or("–".into(), |d| money(d.advanced_cents - d.recovered_cents))) }
                                td.num { strong { (money(sheet.payable_cents)) } }
                                td { (state_label(l, sheet.state)) }
                                td { (actions(caller, sheet, period)) }
                            }
                        }
                    }
                    tfoot { tr {
                        th { (l.t("statements.total")) }
                        @for _ in &keys { td { } }
                        td { } td { } td { }
                        td.num { strong { (money(team.payable_cents)) } }
                        td { } td { }
                    } }
                }
            }
            p #cost-of-sales {
                (l.t("statements.cost_of_sales")) ": "
                strong { (team.cost_share.as_deref().and_then(|s| s.parse::<f64>().ok()).map_or("–".into(), |s| l.percent(Some(s)))) }
                span.muted { " (" (money(team.payable_cents)) " ÷ " (money(team.revenue_cents)) ")" }
            }
        }
    }
}

/// Approve (the rep's manager, an ended month, not locked) and lock (an executive, approved).
fn actions(caller: &Caller, sheet: &StatementSheet, period: Period) -> Markup {
    let l = caller.locale;
    let rep = sheet.rep_id;
    let approves =
        access::approves_statements(caller.user.role, caller.viewer.reaches(rep), caller.viewer.rep_id == Some(rep))
            && sheet.month_ended
            && sheet.state != StatementState::Locked;
    let locks = access::locks_statements(caller.user.role) && sheet.state == StatementState::Approved;
    html! {
        @if approves {
            form.inline method="post" action={ "/statements/" (rep) "/" (period) "/approve" } {
                (csrf(caller)) button.secondary type="submit" { (l.t("statements.approve")) }
            }
        }
        @if locks {
            form.inline method="post" action={ "/statements/" (rep) "/" (period) "/lock" } {
                (csrf(caller)) button type="submit" { (l.t("statements.lock")) }
            }
        }
    }
}

fn disputes(caller: &Caller, team: &TeamStatements, period: Period) -> Markup {
    let l = caller.locale;
    let name = |rep: i64| team.statements.iter().find(|s| s.rep_id == rep).map_or("", |s| s.name.as_str());
    html! {
        @if !team.disputes.is_empty() {
            section.card #disputes {
                h2 { (l.t("statements.disputes")) }
                table {
                    thead { tr { th { (l.t("field.rep")) } th { (l.t("statements.line")) } th { (l.t("statements.comment")) } th { (l.t("statements.state")) } th { } } }
                    tbody {
                        @for dispute in &team.disputes {
                            @let state = dispute_state(dispute);
                            @let open = state == "open";
                            tr {
                                td { (name(dispute.rep_id)) }
                                td { code { (dispute.line) } }
                                td { (dispute.comment) }
                                td { (l.t(&format!("statements.dispute.{state}")))
                                     @if let Some(note) = &dispute.resolution_note { br; span.muted { (note) } } }
                                td {
                                    @if open && access::approves_statements(caller.user.role, caller.viewer.reaches(dispute.rep_id), caller.viewer.rep_id == Some(dispute.rep_id)) {
                                        form method="post" action={ "/disputes/" (dispute.id) "/resolve?period=" (period) } {
                                            (csrf(caller))
                                            label { (l.t("statements.note")) input name="note" required maxlength="2000"; }
                                            label { (l.t("statements.adjustment_amount")) input name="amount" inputmode="decimal" placeholder="0.00"; }
                                            button type="submit" name="decision" value="accept" { (l.t("statements.accept")) }
                                            " "
                                            button.secondary type="submit" name="decision" value="reject" { (l.t("statements.reject")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `open`, `accepted` or `rejected`.
fn dispute_state(dispute: &ops::Dispute) -> String {
    serde_json::to_value(dispute.state).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Where a write goes back to: the statements page of the month, with what was done or refused.
fn back(to: &str, period: Period, outcome: Result<&str, PageError>) -> Result<Response, PageError> {
    let (key, value) = match outcome {
        Ok(done) => ("done", done.to_string()),
        Err(PageError(Error::Store(StoreError::Refused(refusals)), _)) => {
            ("error", refusals.first().map_or("required", |r| r.code.key()).to_string())
        }
        Err(error) => return Err(error),
    };
    Ok(Redirect::to(&format!("{to}?period={period}&{key}={value}")).into_response())
}

/// What moves a statement on: approving it or locking it, and what the page then says.
async fn settle(
    state: AppState,
    caller: Caller,
    (rep, period): (i64, String),
    step: fn(&mut Db, &Viewer, &StatementRef) -> StoreResult<StatementSheet>,
    done: &'static str,
) -> Result<Response, PageError> {
    require(&caller, Resource::Statements, Action::Edit)?;
    let period = month_param(Some(&period), caller.locale)?;
    let statement = StatementRef { rep: RepId(rep), period, today: today() };
    let settled = writing(&state, &caller, move |db, caller| Ok(step(db, &caller.viewer, &statement)?)).await;
    back("/statements", period, settled.map(|_| done))
}

pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(path): Path<(i64, String)>,
) -> Result<Response, PageError> {
    settle(state, caller, path, ops::approve_statement, "approved").await
}

pub async fn lock(
    State(state): State<AppState>,
    caller: Caller,
    Path(path): Path<(i64, String)>,
) -> Result<Response, PageError> {
    settle(state, caller, path, ops::lock_statement, "locked").await
}

#[derive(serde::Deserialize)]
pub struct ResolveForm {
    decision: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

#[derive(serde::Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
    Form(form): Form<ResolveForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Statements, Action::Edit)?;
    let l = caller.locale;
    let period = month_param(query.period.as_deref(), l)?;
    let resolution = match form.decision.as_str() {
        "accept" if form.amount.trim().is_empty() => Resolution::Accept { amount_cents: 0 },
        "accept" => match l.parse_money(form.amount.trim()) {
            Ok(amount) => Resolution::Accept { amount_cents: amount.cents() },
            Err(_) => return Ok(Redirect::to(&format!("/statements?period={period}&error=amount")).into_response()),
        },
        "reject" => Resolution::Reject,
        _ => return Err(PageError(Error::NotFound, l)),
    };
    let command = ResolveDispute { dispute: id, resolution, note: form.note, today: today() };
    let done =
        writing(&state, &caller, move |db, caller| Ok(ops::resolve_dispute(db, &caller.viewer, &command)?)).await;
    back("/statements", period, done.map(|_| "resolved"))
}

/// The payroll export of the month (executives and admins): `rep_id, name, period, payable`.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<StatementsQuery>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Statements, Action::Read)?;
    if !access::locks_statements(caller.user.role) {
        return Err(PageError(Error::NotFound, caller.locale));
    }
    let period = month_param(query.period.as_deref(), caller.locale)?;
    let request = StatementsOf { period, subject: subject(query.team.as_deref()), today: today() };
    let sheets = with_db(&state, &caller, move |db, caller| {
        ops::statements(db, &caller.viewer, &request).map_err(crate::error::subject_missing)
    })
    .await?;
    let disposition = format!("attachment; filename=\"payroll-{period}.csv\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        views::payroll_csv(&sheets),
    )
        .into_response())
}
