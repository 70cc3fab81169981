//! The decision-making process on the account map: its steps (who decides, by when, done), the
//! criteria and the expected decision date, shown and, for whoever may edit the map, edited in one
//! form that replaces what was recorded.

use super::account_map::{map_of, render};
use super::{refused_fields, require, writing};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError};
use crate::templates::csrf;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::coaching::{DecisionProcess, DecisionStep};
use quotient_core::input::{self, Refusals};
use quotient_store::StoreError;
use quotient_store::ids::AccountId;
use quotient_store::ops::coaching::{self, SaveDecisionProcess};
use quotient_store::planning::account_maps::AccountMap;
use std::collections::HashMap;

/// Empty step rows the form offers beyond the recorded ones.
const EMPTY_ROWS: usize = 3;

/// The process as the map shows it, with the form when the caller may edit the map.
pub fn section(caller: &Caller, map: &AccountMap) -> Markup {
    let l = caller.locale;
    let process = &map.decision_process;
    let date = |d: Option<NaiveDate>| d.map_or_else(|| "–".to_string(), |d| l.date(d));
    html! {
        section.plan-section #decision-process {
            h2 { (l.t("decision.title")) }
            p {
                (l.t("decision.expected")) " " strong #expected-decision { (date(process.expected_decision_on)) }
                " · " (l.t("decision.done")) " " strong #decision-done { (l.percent(process.done_share())) }
            }
            @if process.steps.is_empty() {
                p.muted { (l.t("decision.no_steps")) }
            } @else {
                table #decision-steps {
                    thead { tr { th { "#" } th { (l.t("decision.step")) } th { (l.t("decision.decider")) } th { (l.t("decision.due_on")) } th { (l.t("decision.status")) } } }
                    tbody {
                        @for (i, step) in process.steps.iter().enumerate() {
                            @let late = map.overdue_steps.contains(&i);
                            tr class=[late.then_some("below")] {
                                td { (i + 1) }
                                td { (step.name) }
                                td { (step.decider) }
                                td { (date(step.due_on)) }
                                td { (l.t(if step.done { "decision.status.done" } else if late { "decision.status.late" } else { "decision.status.open" })) }
                            }
                        }
                    }
                }
            }
            h3 { (l.t("decision.criteria")) }
            @if process.criteria.is_empty() {
                p.muted { (l.t("decision.no_criteria")) }
            } @else {
                ol #decision-criteria { @for criterion in &process.criteria { li { (criterion) } } }
            }
            @if caller.viewer.may(Resource::Contacts, Action::Edit) { (form(caller, map)) }
        }
    }
}

fn form(caller: &Caller, map: &AccountMap) -> Markup {
    let l = caller.locale;
    let process = &map.decision_process;
    let rows: Vec<Option<&DecisionStep>> =
        process.steps.iter().map(Some).chain(std::iter::repeat_n(None, EMPTY_ROWS)).collect();
    let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    html! {
        details.no-print {
            summary { (l.t("decision.edit")) }
            form.card method="post" action={ "/accounts/" (map.account_id) "/decision-process" } #decision-form {
                (csrf(caller))
                label { (l.t("decision.expected")) input type="date" name="expected_decision_on" value=(iso(process.expected_decision_on)); }
                table {
                    thead { tr { th { (l.t("decision.step")) } th { (l.t("decision.decider")) } th { (l.t("decision.due_on")) } th { (l.t("decision.status.done")) } } }
                    tbody {
                        @for (i, row) in rows.iter().enumerate() {
                            tr {
                                td { input type="text" name={ "step_" (i) } value=(row.map(|s| s.name.clone()).unwrap_or_default()) aria-label=(l.t("decision.step")); }
                                td { input type="text" name={ "decider_" (i) } value=(row.map(|s| s.decider.clone()).unwrap_or_default()) aria-label=(l.t("decision.decider")); }
                                td { input type="date" name={ "due_" (i) } value=(iso(row.and_then(|s| s.due_on))) aria-label=(l.t("decision.due_on")); }
                                td { input type="checkbox" name={ "done_" (i) } value="1" checked[row.is_some_and(|s| s.done)] aria-label=(l.t("decision.status.done")); }
                            }
                        }
                    }
                }
                label { (l.t("decision.criteria_one_per_line")) textarea name="criteria" rows="4" { (process.criteria.join("\n")) } }
                p { button type="submit" #save-decision-process { (l.t("form.save")) } }
            }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct DecisionForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

/// The process as written in the form: a row whose step name is blank is no step (a row with a
/// decider or a date but no name is refused by the operation as a step without a name).
fn process_of(form: &DecisionForm, refusals: &mut Refusals) -> DecisionProcess {
    let get = |key: &str| form.fields.get(key).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut steps = vec![];
    for i in 0..200 {
        let (name, decider, due) = (get(&format!("step_{i}")), get(&format!("decider_{i}")), get(&format!("due_{i}")));
        if !form.fields.contains_key(&format!("step_{i}")) {
            break;
        }
        if name.is_empty() && decider.is_empty() && due.is_empty() {
            continue;
        }
        let due_on = refusals.take(input::optional_date("steps", &due)).flatten();
        steps.push(DecisionStep { name, decider, due_on, done: form.fields.contains_key(&format!("done_{i}")) });
    }
    let criteria = get("criteria").lines().map(str::to_string).collect();
    let expected_decision_on =
        refusals.take(input::optional_date("expected_decision_on", &get("expected_decision_on"))).flatten();
    DecisionProcess { steps, criteria, expected_decision_on }
}

pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(account): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Contacts, Action::Edit)?;
    let mut refusals = Refusals::new();
    let process = process_of(&form, &mut refusals);
    let saved = if refusals.is_empty() {
        let command = SaveDecisionProcess { account: AccountId(account), process };
        writing(&state, &caller, move |db, caller| Ok(coaching::save_decision_process(db, &caller.viewer, &command)?))
            .await
    } else {
        Err(PageError(Error::Store(StoreError::Refused(refusals.into_vec())), caller.locale))
    };
    let Err(error) = saved else { return Ok(Redirect::to(&format!("/accounts/{account}/map")).into_response()) };
    let errors = refused_fields(error)?;
    let map = map_of(&state, &caller, account).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&caller, &map, &errors)).into_response())
}
