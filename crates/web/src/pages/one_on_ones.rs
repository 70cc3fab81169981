//! 1:1 sessions: the rep's list, opening one (which freezes the rep's scorecard and flags of the
//! current quarter), and the session's page — the frozen KPIs with the change since the previous
//! 1:1, the flags, the actions carried over, this session's actions and the notes.

use super::{as_of, require, with_db};
use crate::app::{AppState, Directories};
use crate::auth::Caller;
use crate::error::{Error, PageError};
use crate::templates::{self, csrf};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use quotient_core::access::{Action, Resource};
use quotient_core::period::PeriodKind;
use quotient_core::{Money, Period};
use quotient_store::Db;
use quotient_store::kpi::{self, ReportRequest, Subject};
use quotient_store::planning::one_on_ones::{self, ActionItem, NewAction, OneOnOne, Summary};

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
                p { button type="submit" #open-one-on-one { (l.t("one_on_one.open")) } " " span.muted { (l.t("one_on_one.open_help")) } }
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

/// Opens a 1:1 with the rep: their scorecard of the current quarter, frozen now.
pub async fn open(State(state): State<AppState>, caller: Caller, Path(rep): Path<i64>) -> Result<Response, PageError> {
    require(&caller, Resource::OneOnOnes, Action::Create)?;
    let directories = state.directories.clone();
    let id = with_db(&state, &caller, move |db, caller| open_with(db, caller, &directories, rep)).await?;
    Ok(Redirect::to(&format!("/one-on-ones/{id}")).into_response())
}

/// Opens a 1:1 with `rep` (within the caller's reach), freezing the rep's report card for the
/// current quarter. Returns the session's id.
pub fn open_with(db: &mut Db, caller: &Caller, directories: &Directories, rep: i64) -> Result<i64, Error> {
    let directory = directories.get(db, caller.user.org)?;
    let person = directory.person(rep).filter(|p| p.is_rep && caller.viewer.reaches(rep)).ok_or(Error::NotFound)?;
    let period = Period::containing(PeriodKind::Quarter, super::today());
    let request = ReportRequest {
        subject: Subject::Rep(person.external_id.clone()),
        period,
        as_of: as_of(period),
        lang: caller.locale,
    };
    let card =
        kpi::report_with(db, caller.user.org, &directory, &request)?.reps.into_iter().next().ok_or(Error::NotFound)?;
    Ok(one_on_ones::open(db, &caller.viewer, rep, &period.to_string(), &card)?)
}

pub async fn page(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Markup, PageError> {
    require(&caller, Resource::OneOnOnes, Action::Read)?;
    let directories = state.directories.clone();
    let (session, name) = with_db(&state, &caller, move |db, caller| {
        let session = one_on_ones::find(db, &caller.viewer, id)?.ok_or(Error::NotFound)?;
        let directory = directories.get(db, caller.user.org)?;
        let name = directory.person(session.rep_id).map(|p| p.name.clone()).unwrap_or_default();
        Ok((session, name))
    })
    .await?;
    Ok(render(&caller, &session, &name))
}

fn render(caller: &Caller, session: &OneOnOne, name: &str) -> Markup {
    let l = caller.locale;
    let holds = one_on_ones::holds(&caller.viewer, session.rep_id);
    let changes: std::collections::HashMap<&str, Option<f64>> =
        session.changes.iter().map(|c| (c.key.as_str(), c.change)).collect();
    let body = html! {
        h1 { (l.tf("one_on_one.title", &[("rep", name), ("date", &l.date(session.held_at.date_naive()))])) }
        p.muted { (l.tf("one_on_one.frozen", &[("by", &session.held_by), ("period", &session.period)])) " "
            a href={ "/reps/" (session.rep_id) "/one-on-ones" } { (l.t("one_on_one.all")) } }
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
                            option value="rep" { (l.t("one_on_one.owner.rep")) } option value="manager" { (l.t("one_on_one.owner.manager")) }
                        } }
                        label { (l.t("one_on_one.due")) input type="date" name="due_on"; }
                        button type="submit" { (l.t("one_on_one.add")) }
                    }
                }
            }
        }
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
                    @if one_on_ones::may_tick(&caller.viewer, rep, &item.owner) {
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
    with_db(&state, &caller, move |db, caller| Ok(one_on_ones::set_notes(db, &caller.viewer, id, &form.notes)?))
        .await?;
    Ok(Redirect::to(&format!("/one-on-ones/{id}")).into_response())
}

#[derive(serde::Deserialize)]
pub struct ActionForm {
    description: String,
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
    let due_on =
        match form.due_on.trim() {
            "" => None,
            text => Some(text.parse().map_err(|_| {
                PageError(Error::invalid("due_on", caller.locale.t("one_on_one.bad_date")), caller.locale)
            })?),
        };
    let new = NewAction { description: form.description, owner: form.owner, due_on };
    with_db(&state, &caller, move |db, caller| Ok(one_on_ones::add_action(db, &caller.viewer, id, &new)?)).await?;
    Ok(Redirect::to(&format!("/one-on-ones/{id}")).into_response())
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
    require(&caller, Resource::OneOnOnes, Action::Read)?;
    let done = form.done == "true";
    with_db(&state, &caller, move |db, caller| Ok(one_on_ones::set_done(db, &caller.viewer, action, done)?)).await?;
    let back = headers
        .get(axum::http::header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("/one-on-ones/").map(|i| r[i..].to_string()))
        .unwrap_or_else(|| "/".into());
    Ok(Redirect::to(&back).into_response())
}
