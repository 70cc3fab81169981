//! Logging an activity: the rep's most frequent action, one short form reachable from every page.

use super::{refused_fields, require, with_db, writing};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, FieldError, PageError};
use crate::templates::{self, csrf, field_error};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::input::{self, Refusals};
use quotient_core::model::{ActivityOutcome, ActivityType};
use quotient_core::refusal::Refusal;
use quotient_store::StoreError;
use quotient_store::crm::pipeline::{self, OpenDeal};
use quotient_store::ids::{OpportunityId, RepId};
use quotient_store::ops::activities::{self, LogActivity};

#[derive(serde::Deserialize, Default, Clone)]
pub struct LogForm {
    #[serde(default)]
    rep: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    opportunity: String,
}

/// The reps the caller may log for (their own row first) and the open deals to link.
struct Choices {
    reps: Vec<(i64, String)>,
    deals: Vec<OpenDeal>,
}

async fn choices(state: &AppState, caller: &Caller) -> Result<Choices, PageError> {
    let directories = state.directories.clone();
    with_db(state, caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let mut reps: Vec<(i64, String)> = directory
            .people
            .iter()
            .filter(|p| p.is_rep && caller.viewer.reaches(p.id))
            .map(|p| (p.id, p.name.clone()))
            .collect();
        reps.sort_by_key(|(id, _)| Some(*id) != caller.viewer.rep_id);
        let owner =
            if caller.viewer.reaches_everyone() { None } else { caller.viewer.rep_id.filter(|_| reps.len() == 1) };
        let (deals, _) = pipeline::open_deals(db, &caller.viewer, owner, None, 200)?;
        Ok(Choices { reps, deals })
    })
    .await
}

pub async fn form(State(state): State<AppState>, caller: Caller) -> Result<Markup, PageError> {
    require(&caller, Resource::Activities, Action::Create)?;
    let choices = choices(&state, &caller).await?;
    let now = Utc::now().format("%Y-%m-%dT%H:%M").to_string();
    let form = LogForm { occurred_at: now, kind: "cold_call".into(), ..LogForm::default() };
    Ok(render(&caller, &choices, &form, &[]))
}

fn render(caller: &Caller, choices: &Choices, form: &LogForm, errors: &[FieldError]) -> Markup {
    let l = caller.locale;
    let has_error = |field: &str| errors.iter().any(|e| e.field == field).then_some("has-error");
    let body = html! {
        h1 { (l.t("log.title")) }
        form.card method="post" action="/log" style="max-width: 520px" {
            (csrf(caller))
            div class=[has_error("kind")] {
                label for="kind" { (l.t("field.type")) }
                select #kind name="kind" {
                    @for kind in ActivityType::ALL {
                        option value=(kind.key()) selected[form.kind == kind.key()] { (l.t(&format!("activity_type.{}", kind.key()))) }
                    }
                }
                (field_error(errors, "kind"))
            }
            div class=[has_error("outcome")] {
                label for="outcome" { (l.t("field.outcome")) }
                select #outcome name="outcome" {
                    option value="" { "–" }
                    @for outcome in ActivityOutcome::ALL {
                        option value=(outcome.key()) selected[form.outcome == outcome.key()] { (l.t(&format!("activity_outcome.{}", outcome.key()))) }
                    }
                }
                (field_error(errors, "outcome"))
            }
            div class=[has_error("occurred_at")] {
                label for="occurred_at" { (l.t("field.occurred_at")) }
                input #occurred_at type="datetime-local" name="occurred_at" value=(form.occurred_at) required;
                (field_error(errors, "occurred_at"))
            }
            @if choices.reps.len() > 1 {
                div class=[has_error("rep")] {
                    label for="rep" { (l.t("field.rep")) }
                    select #rep name="rep" {
                        @for (id, name) in &choices.reps {
                            option value=(id) selected[form.rep == id.to_string()] { (name) }
                        }
                    }
                    (field_error(errors, "rep"))
                }
            }
            div class=[has_error("opportunity")] {
                label for="opportunity" { (l.t("field.opportunity")) " " span.muted { (l.t("form.optional")) } }
                select #opportunity name="opportunity" {
                    option value="" { "–" }
                    @for deal in &choices.deals {
                        option value=(deal.id) selected[form.opportunity == deal.id.to_string()] {
                            (deal.name) @if let Some(account) = &deal.account { " · " (account) }
                        }
                    }
                }
                (field_error(errors, "opportunity"))
            }
            p { button type="submit" { (l.t("log.submit")) } }
        }
    };
    templates::page(caller, "log", l.t("log.title"), body)
}

/// The command of the form; the rules are the operation's.
fn command(form: &LogForm) -> Result<LogActivity, Vec<Refusal>> {
    let mut refusals = Refusals::new();
    let kind = refusals.take(input::choice("kind", &form.kind));
    let outcome = refusals.take(input::optional_choice("outcome", &form.outcome));
    let occurred_at = refusals.take(input::time("occurred_at", &form.occurred_at));
    let rep = refusals.take(input::optional_id("rep", &form.rep));
    let opportunity = refusals.take(input::optional_id("opportunity", &form.opportunity));
    match (kind, outcome, occurred_at, rep, opportunity) {
        (Some(kind), Some(outcome), Some(occurred_at), Some(rep), Some(opportunity)) => Ok(LogActivity {
            rep: rep.map(RepId),
            kind,
            occurred_at,
            opportunity: opportunity.map(OpportunityId),
            outcome,
        }),
        _ => Err(refusals.into_vec()),
    }
}

pub async fn log(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<LogForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Activities, Action::Create)?;
    let logged = match command(&form) {
        Ok(command) => {
            writing(&state, &caller, move |db, caller| Ok(activities::log(db, &caller.viewer, &command)?.rep)).await
        }
        Err(refusals) => Err(PageError(Error::Store(StoreError::Refused(refusals)), caller.locale)),
    };
    match logged {
        Ok(rep) => Ok(Redirect::to(&format!("/reps/{rep}?logged=1")).into_response()),
        Err(error) => {
            let errors: Vec<FieldError> = refused_fields(error)?
                .into_iter()
                .map(|error| FieldError { field: form_field(&error.field).to_string(), ..error })
                .collect();
            let choices = choices(&state, &caller).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&caller, &choices, &form, &errors)).into_response())
        }
    }
}

/// The form's name of a field the operation refused (it names them as the API does).
fn form_field(field: &str) -> &str {
    field.strip_suffix("_id").unwrap_or(field)
}
