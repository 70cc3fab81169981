//! The forecast: a rep's deals by category (with the override), their call and the week's changes;
//! a manager's grid of their people by category with each call, the adjustment and its note, quota,
//! gap and the data forecast; an executive's roll-up by team. Beside them the data forecast, the
//! call against what was won over the weeks of the period, and how accurate past calls were.

use super::{encode, require, today, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError, subject_missing};
use crate::pages::forecast_parts::{self, View};
use crate::templates;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::period::PeriodKind;
use quotient_core::{Money, Period};
use quotient_store::StoreError;
use quotient_store::ids::{OpportunityId, RepId};
use quotient_store::ops::forecast::{self, AdjustCall, ChangesQuery, ForecastQuery, SetCategory, SubmitCall};
use quotient_store::ops::forecast_model::{self, FiguresOn, ForecastFigures};
use quotient_store::ops::reports::{Named, SubjectRequest};
use std::collections::HashMap;

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    period: Option<String>,
    /// A manager's id (internal) whose team to show, within the caller's reach.
    team: Option<i64>,
    /// What a write did, or the code of the refusal it met.
    done: Option<String>,
    error: Option<String>,
}

/// The forecast period: a month or a quarter, the current quarter unless named.
fn period_of(text: Option<&str>, caller: &Caller) -> Result<Period, PageError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => forecast::forecast_period(text)
            .map_err(|refusal| PageError(Error::Store(StoreError::Refused(vec![refusal])), caller.locale)),
        None => Ok(Period::containing(PeriodKind::Quarter, today())),
    }
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PageQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::Forecast, Action::Read)?;
    let period = period_of(query.period.as_deref(), &caller)?;
    let directories = state.directories.clone();
    let team = query.team;
    let view = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let scope = &caller.viewer;
        let today = today();
        let team_key = match team {
            Some(id) => Some(directory.person(id).map(|p| p.external_id.clone()).ok_or(Error::NotFound)?),
            None => None,
        };
        let subject = team.map_or(SubjectRequest::Own, |id| SubjectRequest::Team(Named::Id(RepId(id))));
        let query = ForecastQuery { period: period.to_string(), team: team_key.clone(), today };
        let rolled = forecast::forecast(db, scope, &directory, &query).map_err(subject_missing)?;
        let figures = forecast_model::forecast_figures(db, scope, &directory, &FiguresOn { subject, period, today })
            .map_err(subject_missing)?;
        let changes = forecast::changes(db, scope, &directory, &ChangesQuery { team: team_key, today })?;
        let ForecastFigures { data, weeks, accuracy } = figures;
        // A person's data forecast is their own deals' and those of everyone beneath them: the
        // roll-up's line carries it.
        let data_by_person = rolled
            .lines
            .iter()
            .filter_map(|line| line.rolled.person.map(|person| (person, Money::from_cents(line.data_forecast_cents))))
            .collect();
        let categories = if data.subject_kind == "rep" {
            let deals: Vec<OpportunityId> = data.deals.iter().map(|deal| OpportunityId(deal.opportunity_id)).collect();
            forecast::deal_categories(db, scope, &deals)?
        } else {
            HashMap::new()
        };
        Ok(View { period, team, rolled, data, data_by_person, changes, weeks, accuracy, categories })
    })
    .await?;
    Ok(render(&caller, &query, &view))
}

fn render(caller: &Caller, query: &PageQuery, view: &View) -> Markup {
    let l = caller.locale;
    let is_rep = view.data.subject_kind == "rep";
    let keep = view.team.map(|t| format!("&team={t}")).unwrap_or_default();
    let body = html! {
        h1 { (l.tf("forecast.page.title", &[("subject", &view.data.subject_name), ("period", &view.period.to_string())])) }
        (periods(caller, view.period, &keep))
        @if query.done.is_some() { p.notice role="status" #forecast-done { (l.t("forecast.page.saved")) } }
        @if let Some(code) = query.error.as_deref().and_then(|c| c.parse::<quotient_core::refusal::Code>().ok()) {
            p.alert role="alert" #forecast-refused data-code=(code.key()) { (quotient_core::refusal::Refusal::new("forecast", code).message(l)) }
        }
        (forecast_parts::data_tiles(caller, &view.data))
        @if is_rep {
            (forecast_parts::call_form(caller, view))
            (forecast_parts::deals_by_category(caller, view))
        } @else {
            @if view.team.is_none() && caller.viewer.reaches_everyone() {
                (forecast_parts::by_team(caller, view))
            } @else {
                (forecast_parts::grid(caller, view))
            }
        }
        (forecast_parts::changes(caller, &view.changes))
        (forecast_parts::call_chart(caller, view))
        (forecast_parts::accuracy_table(caller, &view.accuracy))
        p.muted { (l.t("forecast.page.help")) }
    };
    templates::page(caller, "forecast", l.t("nav.forecast"), body)
}

/// The previous and next period of the kind shown, and the month or the quarter around it.
fn periods(caller: &Caller, period: Period, keep: &str) -> Markup {
    let l = caller.locale;
    let link = |p: Period| format!("/forecast?period={p}{keep}");
    let month = Period::containing(PeriodKind::Month, period.start());
    let quarter = Period::containing(PeriodKind::Quarter, period.start());
    html! {
        nav.toolbar aria-label=(l.t("period.label")) {
            a.button.secondary href=(link(period.previous())) aria-label=(l.t("period.previous")) { "‹" }
            strong { (templates::period_label(l, period)) }
            a.button.secondary href=(link(period.next())) aria-label=(l.t("period.next")) { "›" }
            a.button.secondary href=(link(month)) { (l.t("period.month")) }
            a.button.secondary href=(link(quarter)) { (l.t("period.quarter")) }
        }
    }
}

/// Where a write goes back to: the page of the period (and team), with what was done or the code
/// of the first refusal.
fn back(period: &str, team: Option<&str>, outcome: Result<(), PageError>) -> Result<Response, PageError> {
    let team = team.filter(|t| !t.trim().is_empty()).map(|t| format!("&team={}", encode(t.trim()))).unwrap_or_default();
    let base = format!("/forecast?period={}{team}", encode(period.trim()));
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("{base}&done=saved")).into_response()),
        Err(PageError(Error::Store(StoreError::Refused(refusals)), _)) => {
            let code = refusals.first().map_or("", |r| r.code.key());
            Ok(Redirect::to(&format!("{base}&error={code}")).into_response())
        }
        Err(error) => Err(error),
    }
}

/// An amount as the caller writes it; an unreadable one is refused as the field's amount.
fn amount(caller: &Caller, text: &str, field: &'static str) -> Result<i64, PageError> {
    caller.locale.parse_money(text.trim()).map(Money::cents).map_err(|_| {
        let refusal = quotient_core::refusal::Refusal::new(field, quotient_core::refusal::Code::Amount);
        PageError(Error::Store(StoreError::Refused(vec![refusal])), caller.locale)
    })
}

/// A call's commit and best case as typed.
fn amounts(caller: &Caller, commit: &str, best_case: &str) -> Result<(i64, i64), PageError> {
    Ok((amount(caller, commit, "commit_cents")?, amount(caller, best_case, "best_case_cents")?))
}

#[derive(serde::Deserialize)]
pub struct CallForm {
    period: String,
    commit: String,
    best_case: String,
}

/// Submits the caller's own call.
pub async fn submit_call(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<CallForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Forecast, Action::Edit)?;
    let outcome = async {
        let (commit_cents, best_case_cents) = amounts(&caller, &form.commit, &form.best_case)?;
        let command = SubmitCall { period: form.period.clone(), commit_cents, best_case_cents };
        super::writing(&state, &caller, move |db, caller| Ok(forecast::submit_call(db, &caller.viewer, &command)?))
            .await
            .map(drop)
    }
    .await;
    back(&form.period, None, outcome)
}

#[derive(serde::Deserialize)]
pub struct AdjustForm {
    period: String,
    rep: i64,
    commit: String,
    best_case: String,
    #[serde(default)]
    note: String,
    /// The team shown, to go back to.
    #[serde(default)]
    team: String,
}

/// A manager adjusts the call of someone beneath them, with a note.
pub async fn adjust_call(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<AdjustForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Forecast, Action::Edit)?;
    let outcome = async {
        let (commit_cents, best_case_cents) = amounts(&caller, &form.commit, &form.best_case)?;
        let note = form.note.clone();
        let command =
            AdjustCall { period: form.period.clone(), rep: RepId(form.rep), commit_cents, best_case_cents, note };
        super::writing(&state, &caller, move |db, caller| Ok(forecast::adjust_call(db, &caller.viewer, &command)?))
            .await
            .map(drop)
    }
    .await;
    back(&form.period, Some(&form.team), outcome)
}

#[derive(serde::Deserialize)]
pub struct CategoryForm {
    period: String,
    /// A category key, or empty for the stage's default.
    #[serde(default)]
    category: String,
}

/// The owner (or their manager) overrides a deal's category, or clears the override.
pub async fn set_category(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<CategoryForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Forecast, Action::Edit)?;
    let command = SetCategory { opportunity: OpportunityId(id), category: form.category.clone() };
    // The deal is named in the path: one out of reach is missing, as every record page answers.
    let outcome = super::writing(&state, &caller, move |db, caller| {
        forecast::set_category(db, &caller.viewer, &command)
            .map_err(|e| Error::from(e).missing_when(quotient_core::refusal::Code::OpportunityOutOfReach))
    })
    .await
    .map(drop);
    back(&form.period, None, outcome)
}
