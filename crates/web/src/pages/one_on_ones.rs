//! 1:1 sessions: the rep's list, opening one (which freezes the rep's scorecard and flags of the
//! current week, or the month or quarter asked for), and the session's page — the frozen KPIs with the change since the previous
//! 1:1, the flags, the actions carried over, this session's actions and the notes.

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
use quotient_core::Money;
use quotient_core::access::{Action, Resource};
use quotient_core::coaching::ActionOwner;
use quotient_core::input::{self, Refusals};
use quotient_core::period::PeriodKind;
use quotient_store::StoreError;
use quotient_store::ids::{ActionId, OneOnOneId, RepId};
use quotient_store::ops::coaching::{self, AddAction, OpenOneOnOne, SaveNotes, TickAction};
use quotient_store::planning::one_on_ones::{self, ActionItem, OneOnOne, Summary};
use quotient_store::planning::territory_plans::{self, TerritoryPlan};

/// Formats a headline KPI by its kind.
fn show_kpi(caller: &Caller, key: &str, value: Option<f64>) -> String {
    let l = caller.locale;
    let Some(value) = value else { return "–".into() };
    match key {
        "revenue" | "average_revenue_per_sale" => caller.money(Money::from_cents(value.round() as i64)),
        "deals" | "new_first_appointments" | "conversations" => l.count(value.round() as i64),
        "median_cycle_days" => l.number(value, 0),
        "barometer_pct" => format!("{}%", l.number(value, 0)),
        "pipeline_coverage" => format!("{}×", l.number(value, 2)),
        _ => l.percent(Some(value)),
    }
}

fn show_change(caller: &Caller, key: &str, change: Option<f64>) -> String {
    let l = caller.locale;
    let Some(change) = change else { return "–".into() };
    let sign = if change > 0.0 {
        "+"
    } else if change < 0.0 {
        "−"
    } else {
        "±"
    };
    let magnitude = change.abs();
    let text = match key {
        "revenue" | "average_revenue_per_sale" => caller.money(Money::from_cents(magnitude.round() as i64)),
        "deals" | "new_first_appointments" | "conversations" => l.count(magnitude.round() as i64),
        "median_cycle_days" | "barometer_pct" => l.number(magnitude, 0),
        "pipeline_coverage" => l.number(magnitude, 2),
        // Ratios change by percentage points.
        _ => format!("{} {}", l.number(magnitude * 100.0, 1), l.t("one_on_one.points")),
    };
    format!("{sign}{text}")
}

pub async fn list(State(state): State<AppState>, caller: Caller, Path(rep): Path<i64>) -> Result<Markup, PageError> {
    require(&caller, Resource::OneOnOnes, Action::Read)?;
    let directories = state.directories.clone();
    let (name, sessions) = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let person = directory.person(rep).filter(|p| p.is_rep && caller.viewer.reaches(rep)).ok_or(Error::NotFound)?;
        Ok((person.name.clone(), one_on_ones::list(db, &caller.viewer, rep)?))
    })
    .await?;
    let l = caller.locale;
    let may_open = one_on_ones::holds(&caller.viewer, rep);
    let body = html! {
        h1 { (l.tf("one_on_one.list_title", &[("rep", &name)])) }
        p { a href={ "/reps/" (rep) } { "← " (l.t("one_on_one.scorecard")) } }
        @if may_open {
            form method="post" action={ "/reps/" (rep) "/one-on-ones" } {
                (csrf(&caller))
                p {
                    label { (l.t("one_on_one.period")) " "
                        select name="period" #one-on-one-period {
                            @for kind in [PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter] {
                                option value=(kind.key()) selected[kind == PeriodKind::Week] { (l.t(&format!("period.{}", kind.key()))) }
                            }
                        }
                    }
                    " " button type="submit" #open-one-on-one { (l.t("one_on_one.open")) } " " span.muted { (l.t("one_on_one.open_help")) }
                }
            }
        }
        @if sessions.is_empty() { p.muted { (l.t("one_on_one.none")) } }
        table #one-on-ones {
            tbody {
                @for s in &sessions { (summary_row(&caller, s)) }
            }
        }
    };
    Ok(templates::page(&caller, "one_on_ones", l.t("nav.one_on_ones"), body))
}

fn summary_row(caller: &Caller, s: &Summary) -> Markup {
    let l = caller.locale;
    html! {
        tr {
            td { a href={ "/one-on-ones/" (s.id) } { (l.date(s.held_at.date_naive())) } }
            td { (s.held_by) }
            td { (l.tf("one_on_one.open_actions", &[("count", &l.count(s.open_actions))])) }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    period: String,
}

/// Opens a 1:1 with the rep: their scorecard of the current week (or the month or quarter asked
/// for), frozen now.
pub async fn open(
    State(state): State<AppState>,
    caller: Caller,
    Path(rep): Path<i64>,
    Form(form): Form<OpenForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::OneOnOnes, Action::Create)?;
    let period = input::optional_choice::<PeriodKind>("period", &form.period)
        .map_err(|refusal| PageError(Error::Store(StoreError::Refused(vec![refusal])), caller.locale))?
        .unwrap_or(PeriodKind::Week);
    let command = OpenOneOnOne { rep: RepId(rep), on: today(), period, lang: caller.locale };
    let id = with_db(&state, &caller, move |db, caller| Ok(coaching::open_one_on_one(db, &caller.viewer, &command)?))
        .await?;
    Ok(Redirect::to(&format!("/one-on-ones/{id}")).into_response())
}

/// The session and its rep's name, within the caller's reach.
/// The session, its rep's name and the rep's territory plan of the year of the session (with its
/// progress as of today), within the caller's reach.
async fn session_of(state: &AppState, caller: &Caller, id: i64) -> Result<(OneOnOne, String, RepPlan), PageError> {
    let directories = state.directories.clone();
    with_db(state, caller, move |db, caller| {
        let session = one_on_ones::find(db, &caller.viewer, id)?.ok_or(Error::NotFound)?;
        let directory = directories.get(db, caller.user.org)?;
        let name = directory.person(session.rep_id).map(|p| p.name.clone()).unwrap_or_default();
        let year = chrono::Datelike::year(&session.held_at.date_naive());
        let plan = territory_plans::find(db, &caller.viewer, session.rep_id, year, today())?;
        Ok((session, name, RepPlan { year, plan }))
    })
    .await
}

/// The rep's territory plan the 1:1 shows.
struct RepPlan {
    year: i32,
    plan: Option<TerritoryPlan>,
}

pub async fn page(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Markup, PageError> {
    require(&caller, Resource::OneOnOnes, Action::Read)?;
    let (session, name, plan) = session_of(&state, &caller, id).await?;
    Ok(render(&caller, &session, &name, &plan, &[]))
}

/// The session's page; `errors` are what a write to it was refused for.
fn render(caller: &Caller, session: &OneOnOne, name: &str, plan: &RepPlan, errors: &[FieldError]) -> Markup {
    let l = caller.locale;
    let holds = one_on_ones::holds(&caller.viewer, session.rep_id);
    let changes: std::collections::HashMap<&str, Option<f64>> =
        session.changes.iter().map(|c| (c.key.as_str(), c.change)).collect();
    let body = html! {
        h1 { (l.tf("one_on_one.title", &[("rep", name), ("date", &l.date(session.held_at.date_naive()))])) }
        p.muted { (l.tf("one_on_one.frozen", &[("by", &session.held_by), ("period", &session.period)])) " "
            a href={ "/reps/" (session.rep_id) "/one-on-ones" } { (l.t("one_on_one.all")) } }
        p.no-print #live-scorecards { (l.t("one_on_one.live")) " "
            @for kind in [PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter] {
                @let period = quotient_core::Period::containing(kind, session.held_at.date_naive());
                a href={ "/reps/" (session.rep_id) "?period=" (period) } { (l.t(&format!("period.{}", kind.key()))) } " "
            }
        }
        (refused_list(errors))
        div.grid {
            section.card #frozen-scorecard {
                h2 { (l.t("one_on_one.kpis")) }
                table {
                    thead { tr {
                        th { (l.t("one_on_one.kpi")) } th.num { (l.t("one_on_one.then")) }
                        th.num { @if let Some(at) = session.previous_at { (l.tf("one_on_one.since", &[("date", &l.date(at.date_naive()))])) } @else { (l.t("one_on_one.since_first")) } }
                    } }
                    tbody {
                        @for (key, value) in &session.snapshot.kpis {
                            tr data-kpi=(key) {
                                td { (l.t(&format!("one_on_one.kpi.{key}"))) }
                                td.num { (show_kpi(caller, key, *value)) }
                                td.num { (changes.get(key.as_str()).map_or("–".to_string(), |c| show_change(caller, key, *c))) }
                            }
                        }
                    }
                }
                h3 { (l.t("one_on_one.flags")) }
                @if session.snapshot.flags.is_empty() { p.muted { (l.t("one_on_one.no_flags")) } }
                ul #frozen-flags { @for flag in &session.snapshot.flags { li { (l.t(&format!("flag.{flag}.title"))) } } }
            }
            section.card {
                h2 { (l.t("one_on_one.carried_over")) }
                @if session.carried_over.is_empty() { p.muted { (l.t("one_on_one.nothing_open")) } }
                (actions(caller, session.rep_id, &session.carried_over, "carried-over"))
                h2 { (l.t("one_on_one.actions")) }
                (actions(caller, session.rep_id, &session.actions, "actions"))
                @if holds {
                    form method="post" action={ "/one-on-ones/" (session.id) "/actions" } #add-action {
                        (csrf(caller))
                        label { (l.t("one_on_one.action")) input type="text" name="description" required; }
                        label { (l.t("one_on_one.owner")) select name="owner" {
                            @for owner in ActionOwner::ALL { option value=(owner.key()) { (l.t(&format!("one_on_one.owner.{owner}"))) } }
                        } }
                        label { (l.t("one_on_one.due")) input type="date" name="due_on"; }
                        button type="submit" { (l.t("one_on_one.add")) }
                    }
                }
            }
        }
        (super::territory_plans::in_one_on_one(caller, session.rep_id, plan.year, plan.plan.as_ref()))
        section.card {
            h2 { (l.t("one_on_one.notes")) }
            @if holds {
                form method="post" action={ "/one-on-ones/" (session.id) "/notes" } {
                    (csrf(caller))
                    textarea name="notes" rows="6" #notes { (session.notes) }
                    p { button type="submit" { (l.t("form.save")) } }
                }
            } @else {
                p.pre { (session.notes) }
            }
        }
    };
    templates::page(caller, "one_on_ones", l.t("nav.one_on_ones"), body)
}

/// The actions of a 1:1 with `rep`; a box to tick for those the caller may tick off.
fn actions(caller: &Caller, rep: i64, items: &[ActionItem], id: &str) -> Markup {
    let l = caller.locale;
    html! {
        ul.actions id=(id) {
            @for item in items {
                li class=[item.done_at.is_some().then_some("done")] {
                    @if one_on_ones::may_tick(&caller.viewer, rep, item.owner) {
                        form.inline method="post" action={ "/one-on-one-actions/" (item.id) } {
                            (csrf(caller))
                            input type="hidden" name="done" value=(if item.done_at.is_some() { "false" } else { "true" });
                            button.link type="submit" title=(l.t(if item.done_at.is_some() { "one_on_one.reopen" } else { "one_on_one.mark_done" })) {
                                (if item.done_at.is_some() { "☑" } else { "☐" })
                            }
                        }
                    } @else {
                        span aria-label=(l.t(if item.done_at.is_some() { "one_on_one.done" } else { "one_on_one.open_action" })) {
                            (if item.done_at.is_some() { "☑" } else { "☐" })
                        }
                    }
                    " " (item.description) " · " (l.t(&format!("one_on_one.owner.{}", item.owner)))
                    @if let Some(due) = item.due_on { " · " (l.tf("one_on_one.due_on", &[("date", &l.date(due))])) }
                }
            }
        }
    }
}

/// Back to the session, or the session with what the write was refused for.
async fn answer(
    state: &AppState,
    caller: &Caller,
    id: i64,
    written: Result<(), PageError>,
) -> Result<Response, PageError> {
    let Err(error) = written else { return Ok(Redirect::to(&format!("/one-on-ones/{id}")).into_response()) };
    let errors = refused_fields(error)?;
    let (session, name, plan) = session_of(state, caller, id).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(caller, &session, &name, &plan, &errors)).into_response())
}

#[derive(serde::Deserialize)]
pub struct NotesForm {
    #[serde(default)]
    notes: String,
}

pub async fn save_notes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<NotesForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::OneOnOnes, Action::Edit)?;
    let command = SaveNotes { one_on_one: OneOnOneId(id), notes: form.notes };
    let saved =
        writing(&state, &caller, move |db, caller| Ok(coaching::save_notes(db, &caller.viewer, &command)?)).await;
    answer(&state, &caller, id, saved).await
}

#[derive(serde::Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_on: String,
}

pub async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::OneOnOnes, Action::Edit)?;
    let mut refusals = Refusals::new();
    let owner = refusals.take(input::choice("owner", &form.owner));
    let due_on = refusals.take(input::optional_date("due_on", &form.due_on));
    let added = match (owner, due_on) {
        (Some(owner), Some(due_on)) => {
            let command = AddAction { one_on_one: OneOnOneId(id), description: form.description, owner, due_on };
            writing(&state, &caller, move |db, caller| Ok(coaching::add_action(db, &caller.viewer, &command)?))
                .await
                .map(|_| ())
        }
        _ => Err(PageError(Error::Store(StoreError::Refused(refusals.into_vec())), caller.locale)),
    };
    answer(&state, &caller, id, added).await
}

#[derive(serde::Deserialize)]
pub struct DoneForm {
    done: String,
}

/// Ticks an action off (or reopens it); back to the page it was ticked on.
pub async fn set_done(
    State(state): State<AppState>,
    caller: Caller,
    Path(action): Path<i64>,
    headers: axum::http::HeaderMap,
    Form(form): Form<DoneForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::OneOnOnes, Action::Edit)?;
    let command = TickAction { action: ActionId(action), done: form.done == "true" };
    writing(&state, &caller, move |db, caller| Ok(coaching::tick_action(db, &caller.viewer, &command)?)).await?;
    let back = headers
        .get(axum::http::header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("/one-on-ones/").map(|i| r[i..].to_string()))
        .unwrap_or_else(|| "/".into());
    Ok(Redirect::to(&back).into_response())
}
