//! The company plan: an executive sets the year's objectives (optionally per product line), how they
//! are split (realistic goals or territory weights) and, if need be, the seasonality; sees the
//! allocation per territory and rep with the plan risk; writes it into quotas; and adjusts any rep's
//! quota by hand with the difference to the plan shown live. Managers read their reps' share.
//!
//! The handlers read the forms (`form`) into the operations of `quotient_store::ops::plans` and
//! show the answer (`view`); the rules are the operations'.

mod form;
mod view;

use super::{require, today, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, FieldError, PageError};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use form::PlanForm;
use maud::Markup;
use quotient_core::access::{Action, Resource};
use quotient_core::refusal::{Code, Refusal};
use quotient_store::StoreError;
use quotient_store::ops::plans::{self, AllocatePlan};
pub use view::Allocation;

#[derive(serde::Deserialize, Default)]
pub struct PlanQuery {
    year: Option<i32>,
    done: Option<String>,
    /// The code of the refusal a change met.
    error: Option<String>,
    /// The page of the reps, from 1.
    page: Option<i64>,
    /// The page of the territories, from 1.
    territories_page: Option<i64>,
}

/// The plan year shown by default: next year from October on, else this year.
fn default_year() -> i32 {
    let day = today();
    if day.month() >= 10 { day.year() + 1 } else { day.year() }
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PlanQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::CompanyPlan, Action::Read)?;
    let year = query.year.filter(|y| plans::YEARS.contains(y)).unwrap_or_else(default_year);
    let view = view::load(&state, &caller, year, true).await?;
    Ok(view::render(&caller, &query, &view, &[], None))
}

pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::CompanyPlan, Action::Edit)?;
    // The form is read beside the database: a territory may be given by name.
    let (directories, sent) = (state.directories.clone(), form.clone());
    let saved = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let plan = sent.plan(caller.locale, &directory).map_err(StoreError::Refused)?;
        Ok(plans::save_plan(db, &caller.viewer, &plan)?)
    })
    .await;
    match saved {
        Ok(plan) => Ok(redirect(plan.fiscal_year, Ok("saved"))),
        Err(PageError(Error::Store(StoreError::Refused(refusals)), _)) => {
            let year = form.year().ok().unwrap_or_else(default_year);
            let errors: Vec<FieldError> = refusals
                .iter()
                .map(|refusal| FieldError::refused(&refusal.clone().on(form::field(refusal.field)), caller.locale))
                .collect();
            let query = PlanQuery { year: Some(year), ..PlanQuery::default() };
            let view = view::load(&state, &caller, year, false).await?;
            let page = view::render(&caller, &query, &view, &errors, Some(&form));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error),
    }
}

/// Back to the plan with what was done, or the code of the first refusal.
fn redirect(year: i32, outcome: Result<&str, &[Refusal]>) -> Response {
    match outcome {
        Ok(done) => Redirect::to(&format!("/plan?year={year}&done={done}")).into_response(),
        Err(refusals) => {
            let code = refusals.first().map_or("", |r| r.code.key());
            Redirect::to(&format!("/plan?year={year}&error={code}")).into_response()
        }
    }
}

/// The answer to a change of the plan: back to it with what was done, or with what was refused.
fn answer(year: i32, done: &str, outcome: Result<(), PageError>) -> Result<Response, PageError> {
    match outcome {
        Ok(()) => Ok(redirect(year, Ok(done))),
        Err(PageError(Error::Store(StoreError::Refused(refusals)), _)) => Ok(redirect(year, Err(&refusals))),
        Err(error) => Err(error),
    }
}

/// The year of a change to the plan, by a caller who may change it.
fn year_to_change(caller: &Caller, form: &PlanForm) -> Result<i32, PageError> {
    require(caller, Resource::CompanyPlan, Action::Edit)?;
    form.year().map_err(|refusal| PageError(Error::Store(refusal.into()), caller.locale))
}

pub async fn allocate(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    let year = year_to_change(&caller, &form)?;
    let beyond_history = form.beyond_history().map_err(|r| PageError(Error::Store(r.into()), caller.locale))?;
    let command = AllocatePlan { year, plan: None, write: true, as_of: today(), beyond_history };
    let outcome =
        with_db(&state, &caller, move |db, caller| Ok(plans::allocate_plan(db, &caller.viewer, &command).map(drop)?))
            .await;
    answer(year, "allocated", outcome)
}

/// Saves the revenue quotas changed by hand, each phased by the plan's seasonality: all or none.
pub async fn adjust(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    let year = year_to_change(&caller, &form)?;
    let outcome = match form.quotas(year, caller.locale) {
        // The form's field names name the reps: one out of reach is as missing as any record.
        Ok(command) => {
            with_db(&state, &caller, move |db, caller| {
                plans::adjust_quotas(db, &caller.viewer, &command)
                    .map(drop)
                    .map_err(|e| Error::from(e).missing_when(Code::RepOutOfReach))
            })
            .await
        }
        Err(refusals) => Err(PageError(Error::Store(StoreError::Refused(refusals)), caller.locale)),
    };
    answer(year, "adjusted", outcome)
}
