//! The account map: the buying committee as a picture — one column per buying role, each contact a
//! card sized by authority and coloured by the relationship, with their last touch — the gaps, and
//! whether the account is covered ("have we touched all the bases?") with its coverage score, and
//! the customer's decision-making process (`decision_process`).

use super::{refused_fields, refused_list, require, today, with_db, writing};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, FieldError, PageError};
use crate::templates::{self, csrf};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::input::{self, Refusals};
use quotient_core::model::BuyingRole;
use quotient_core::refusal::Refusal;
use quotient_store::ids::{AccountId, ContactId};
use quotient_store::ops::coaching::{self, SetRelationship};
use quotient_store::ops::feedback::{self, EnterFeedback};
use quotient_store::planning::account_maps::{self, AccountMap, MapContact};
use quotient_store::{Code, StoreError};

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(account): Path<i64>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::Accounts, Action::Read)?;
    let map = map_of(&state, &caller, account).await?;
    Ok(render(&caller, &map, &[]))
}

pub(super) async fn map_of(state: &AppState, caller: &Caller, account: i64) -> Result<AccountMap, PageError> {
    with_db(state, caller, move |db, caller| {
        account_maps::load(db, &caller.viewer, account, today())?.ok_or(Error::NotFound)
    })
    .await
}

/// The map; `errors` are what a relationship was refused for.
pub(super) fn render(caller: &Caller, map: &AccountMap, errors: &[FieldError]) -> Markup {
    let l = caller.locale;
    let may_edit = caller.viewer.may(Resource::Contacts, Action::Edit);
    let columns: Vec<(Option<BuyingRole>, Vec<&MapContact>)> = BuyingRole::ALL
        .iter()
        .map(|role| Some(*role))
        .chain([None])
        .map(|role| (role, map.contacts.iter().filter(|c| c.role == role).collect::<Vec<_>>()))
        .filter(|(role, contacts)| role.is_some() || !contacts.is_empty())
        .collect();
    let gap_lines = [
        (map.gaps.no_decision_maker, "account_map.gap.no_decision_maker"),
        (map.gaps.no_financial_authority, "account_map.gap.no_financial_authority"),
        (map.gaps.decision_maker_untouched, "account_map.gap.decision_maker_untouched"),
        (map.gaps.financial_authority_untouched, "account_map.gap.financial_authority_untouched"),
    ];
    let body = html! {
        h1 { (l.tf("account_map.title", &[("account", &map.name)])) }
        (refused_list(errors))
        p { a href={ "/records/accounts/" (map.account_id) } { "← " (l.t("account_map.record")) } }
        @if map.covered {
            p.notice #coverage { (l.t("account_map.covered")) }
        } @else {
            p.alert #coverage { (l.t("account_map.not_covered")) }
        }
        p #coverage-score {
            (l.t("account_map.coverage_score")) " " strong { (l.percent(Some(map.coverage_score))) }
            " " span.muted { (l.tf("account_map.coverage_score_help", &[("days", &l.count(map.untouched_window_days))])) }
        }
        ul #gaps {
            @for (found, key) in gap_lines { @if found { li { (l.t(key)) } } }
            @if !map.gaps.untouched.is_empty() {
                li { (l.tf("account_map.gap.untouched", &[("count", &l.count(map.gaps.untouched.len() as i64))])) }
            }
        }
        div.committee #committee {
            @for (role, contacts) in &columns {
                section.role {
                    h2 { (l.t(&format!("account_map.role.{}", role.map_or("unknown", |r| r.key())))) }
                    @if contacts.is_empty() { p.gap { (l.t("account_map.missing")) } }
                    @for contact in contacts {
                        div class={ "person authority-" (contact.authority.unwrap_or(1)) " relationship-" (contact.relationship.map_or("unknown".to_string(), |r| r.to_string())) (if contact.current { "" } else { " stale" }) } data-contact=(contact.id) {
                            strong { (contact.name) }
                            @if let Some(title) = &contact.title { div.muted { (title) } }
                            div { (l.t("account_map.authority")) " " (contact.authority.map_or("–".into(), |a| a.to_string())) "/5"
                                  " · " (l.t("account_map.influence")) " " (contact.influence.map_or("–".into(), |a| a.to_string())) "/5" }
                            div { (l.t("account_map.relationship")) " " (contact.relationship.map_or_else(|| "–".to_string(), |r| l.t(&format!("account_map.relationship.{r}")).to_string())) }
                            div class=[(!contact.current).then_some("below")] {
                                (l.t("account_map.last_touch")) " " (contact.last_touch.map_or_else(|| l.t("account_map.never").to_string(), |d| l.date(d)))
                            }
                            @if may_edit {
                                form.inline.no-print method="post" action={ "/contacts/" (contact.id) "/relationship" } {
                                    (csrf(caller))
                                    input type="hidden" name="account" value=(map.account_id);
                                    select name="relationship" aria-label=(l.t("account_map.relationship")) {
                                        option value="" { "–" }
                                        @for level in 1..=5u8 { option value=(level) selected[contact.relationship == Some(level)] { (l.t(&format!("account_map.relationship.{level}"))) } }
                                    }
                                    select name="influence" aria-label=(l.t("account_map.influence")) {
                                        option value="" { "–" }
                                        @for level in 1..=5u8 { option value=(level) selected[contact.influence == Some(level)] { (level) } }
                                    }
                                    button.secondary type="submit" { (l.t("form.save")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        p.muted { (l.t("account_map.legend")) }
        (super::decision_process::section(caller, map))
        @if caller.viewer.may(Resource::Accounts, Action::Edit) { (feedback_form(caller, map.account_id)) }
    };
    templates::page(caller, "accounts", l.t("nav.accounts"), body)
}

/// The form that records a customer's satisfaction score on the account.
fn feedback_form(caller: &Caller, account: i64) -> Markup {
    let l = caller.locale;
    html! {
        section.no-print #feedback {
            h2 { (l.t("feedback.title")) }
            form method="post" action={ "/accounts/" (account) "/feedback" } {
                (csrf(caller))
                label { (l.t("feedback.score")) " " input type="number" name="score" min="0" max="10" required; }
                label { (l.t("feedback.received_on")) " " input type="date" name="received_on" value=(today()); }
                label { (l.t("feedback.comment")) textarea name="comment" rows="2" maxlength=(feedback::COMMENT_MAX) {} }
                button type="submit" { (l.t("feedback.enter")) }
            }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    comment: String,
}

/// Records a satisfaction score from the account map's form, and goes back to the map; refused,
/// the map again with the refusals.
pub async fn enter_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(account): Path<i64>,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Accounts, Action::Edit)?;
    let mut refusals = Refusals::new();
    // A number out of 0–10 goes on to the operation, which refuses it beside the day and the account.
    let score = input::whole_number("score", &form.score, 0, 10)
        .or_else(|refusal| form.score.trim().parse::<i64>().map_err(|_| refusal));
    let score = refusals.take(score);
    let received_on = refusals.take(input::optional_date("received_on", &form.received_on));
    let comment = refusals.take(input::free_text("comment", &form.comment, feedback::COMMENT_MAX));
    let entered = match (score, received_on, comment) {
        (Some(score), Some(received_on), Some(comment)) => {
            let command = EnterFeedback {
                account: AccountId(account),
                received_on: received_on.unwrap_or_else(today),
                score,
                comment: Some(comment.to_string()),
            };
            writing(&state, &caller, move |db, caller| {
                // The account is named by the path: out of reach, it is missing.
                feedback::enter_feedback(db, &caller.viewer, &command)
                    .map_err(|e| Error::from(e).missing_when(Code::AccountOutOfReach))
            })
            .await
        }
        _ => Err(PageError(Error::Store(StoreError::Refused(refusals.into_vec())), caller.locale)),
    };
    let Err(error) = entered else { return Ok(Redirect::to(&format!("/accounts/{account}/map")).into_response()) };
    let errors = refused_fields(error)?;
    let map = map_of(&state, &caller, account).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&caller, &map, &errors)).into_response())
}

#[derive(serde::Deserialize)]
pub struct RelationshipForm {
    account: i64,
    #[serde(default)]
    relationship: String,
    #[serde(default)]
    influence: String,
}

/// A level of the form (1–5), or nothing for an empty choice.
fn level(field: &'static str, text: &str) -> Result<Option<u8>, Refusal> {
    match text.trim() {
        "" => Ok(None),
        text => input::whole_number(field, text, 1, 5).map(|n| u8::try_from(n).ok()),
    }
}

pub async fn set_relationship(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<i64>,
    Form(form): Form<RelationshipForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::Contacts, Action::Edit)?;
    let mut refusals = Refusals::new();
    let relationship = refusals.take(level("relationship", &form.relationship));
    let influence = refusals.take(level("influence", &form.influence));
    let set = match (relationship, influence) {
        (Some(relationship), Some(influence)) => {
            let command = SetRelationship { contact: ContactId(contact), relationship, influence };
            writing(&state, &caller, move |db, caller| Ok(coaching::set_relationship(db, &caller.viewer, &command)?))
                .await
        }
        _ => Err(PageError(Error::Store(StoreError::Refused(refusals.into_vec())), caller.locale)),
    };
    let Err(error) = set else { return Ok(Redirect::to(&format!("/accounts/{}/map", form.account)).into_response()) };
    let errors = refused_fields(error)?;
    let map = map_of(&state, &caller, form.account).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&caller, &map, &errors)).into_response())
}
