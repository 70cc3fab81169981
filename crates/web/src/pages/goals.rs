//! The goal-setting assistant: for a metric, each rep's last twelve months, the team's bottom,
//! median and top producers, the organisation's seasonality, a realistic goal per rep for next month
//! and the next twelve ("start low": the rep's own median, adjusted, capped at the team's 75th
//! percentile), and the plan risk of a yearly plan the user enters. A team with teams of its own
//! lists those teams summed, a page at a time, and its direct reps; each team is a link to its own.

use super::{encode, require, today, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::cache;
use crate::charts;
use crate::error::{Error, PageError, subject_missing};
use crate::templates::{self, PAGE_SIZE, Paged, pager};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::{Datelike, NaiveDate};
use maud::{Markup, PreEscaped, html};
use quotient_core::Money;
use quotient_core::access::{Action, Resource};
use quotient_core::model::QuotaMetric;
use quotient_core::planning::{Distribution, MonthlyIndex, PlanRisk, RepGoal, goal_sheet, plan_risk};
use quotient_core::refusal::{Code, Refusal};
use quotient_core::{Period, QuotaPeriod};
use quotient_store::Db;
use quotient_store::StoreError;
use quotient_store::ids::RepId;
use quotient_store::kpi::{self, Directory, Subject};
use quotient_store::ops::goals::{self, GoalInput, SetActivityGoals};
use quotient_store::ops::reports::{self, Named, SubjectRequest};
use quotient_store::planning::{self, PlanMetric};
use std::collections::HashMap;
use std::sync::Arc;

/// Years of history the seasonality is learnt from.
const SEASONALITY_YEARS: u32 = 3;

#[derive(serde::Deserialize, Default)]
pub struct GoalsQuery {
    metric: Option<String>,
    /// Growth in percent over each rep's own median.
    growth: Option<String>,
    /// A manager's id (internal) whose team to show, within the caller's reach.
    team: Option<i64>,
    /// A yearly plan for the team, in the metric's unit, to weigh against the realistic goals.
    plan: Option<String>,
    /// What a change of the goals did, or the code of the refusal it met.
    done: Option<String>,
    error: Option<String>,
    /// The page of the teams, from 1.
    page: Option<i64>,
    /// The page of the reps, from 1.
    reps_page: Option<i64>,
}

/// A rep's row.
struct Row {
    rep: i64,
    name: String,
    goal: RepGoal,
    /// The rep's activity goal for next month as set, if any.
    set: Option<i64>,
}

/// A team's suggested goals, computed once per team, metric, growth and month until the data
/// changes: every rep's of the whole subtree (the spread and the plan risk are the subtree's), and
/// the teams one level down summed.
pub struct GoalSheet {
    rows: Vec<Row>,
    spread: Option<Distribution>,
    /// The teams one level down, by name.
    teams: Vec<TeamGoals>,
    /// The rows listed rep by rep, by index: the reps reporting directly when the team has teams of
    /// its own (each of those is a row of `teams`), else every rep.
    listed: Vec<usize>,
}

/// A team one level down: its manager and its whole subtree's goals summed.
struct TeamGoals {
    manager: i64,
    name: String,
    reps: usize,
    last_12_months: f64,
    next_month: f64,
    next_12_months: f64,
}

struct Goals {
    /// The managers whose teams the caller may look at, and the one shown.
    teams: Vec<(i64, String)>,
    /// The managers from the top of the caller's reach down to the one shown.
    path: Vec<(i64, String)>,
    team: i64,
    team_name: String,
    sheet: Arc<GoalSheet>,
    seasonality: Arc<MonthlyIndex>,
    next_month: NaiveDate,
    risk: Option<PlanRisk>,
}

pub async fn goals(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<GoalsQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::TeamDashboard, Action::Read)?;
    let l = caller.locale;
    let metric = match query.metric.as_deref().filter(|m| !m.is_empty()) {
        Some(key) => {
            PlanMetric::from_key(key).ok_or(PageError(Error::invalid("metric", l.t("goals.bad_metric")), l))?
        }
        None => PlanMetric::Revenue,
    };
    let growth = parse_number(query.growth.as_deref(), l)
        .map_err(|_| PageError(Error::invalid("growth", l.t("goals.bad_number")), l))?;
    let plan = parse_number(query.plan.as_deref(), l)
        .map_err(|_| PageError(Error::invalid("plan", l.t("goals.bad_number")), l))?;
    let directories = state.directories.clone();
    let seasonalities = Arc::clone(&state.seasonalities);
    let sheets = Arc::clone(&state.goal_sheets);
    let pool = state.pool.clone();
    let team = query.team;
    let goals = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let managers: std::collections::HashSet<i64> = directory.people.iter().filter_map(|p| p.manager_id).collect();
        let asked = team.map_or(SubjectRequest::Own, |id| SubjectRequest::Team(Named::Id(RepId(id))));
        let first_team = || managers.iter().copied().filter(|m| caller.viewer.reaches(*m)).min();
        let manager = match reports::subject(&caller.viewer, &directory, &asked).map_err(subject_missing)? {
            Subject::Team(key) => directory.people.iter().find(|p| p.external_id == key).map(|p| p.id),
            // The organisation's goals are set team by team: the executive's own, else the first
            // they reach.
            Subject::Organisation => caller.viewer.rep_id.filter(|m| managers.contains(m)).or_else(first_team),
            _ => None,
        };
        let manager = manager.filter(|m| managers.contains(m)).ok_or(Error::NotFound)?;
        let mut teams: Vec<(i64, String)> = directory
            .people
            .iter()
            .filter(|p| managers.contains(&p.id) && caller.viewer.reaches(p.id))
            .map(|p| (p.id, p.name.clone()))
            .collect();
        teams.sort_by(|a, b| a.1.cmp(&b.1));
        let next_month = first_of_next_month(today());
        let org = caller.user.org;
        let key = format!("{}|{next_month}", metric.key());
        let seasonality = seasonalities
            .get(db, org, key, |db| Ok(planning::seasonality(db, org, metric, next_month, SEASONALITY_YEARS, None)?))?;
        // What the caller may read of the goals set depends on their role.
        let key = format!("{manager}|{}|{growth:?}|{next_month}|{:?}", metric.key(), caller.user.role);
        let factor = seasonality.factor(next_month.month());
        let large = directory.subtree(manager).len() >= cache::LARGE;
        let (computer, people) = (caller.clone(), Arc::clone(&directory));
        let sheet = sheets.get_or_refresh(db, org, key, large, &pool, move |db| {
            goal_sheet_of(db, &computer, &people, manager, metric, next_month, factor, growth.unwrap_or(0.0))
        })?;
        let realistic: Vec<f64> = sheet.rows.iter().filter_map(|r| r.goal.next_12_months).collect();
        let unit = if metric.is_money() { 100.0 } else { 1.0 };
        let path = kpi::path_to(&directory, manager).into_iter().filter(|(id, _)| caller.viewer.reaches(*id)).collect();
        Ok(Goals {
            teams,
            path,
            team: manager,
            team_name: directory.person(manager).map(|p| p.name.clone()).unwrap_or_default(),
            sheet,
            seasonality,
            next_month,
            risk: plan.map(|p| plan_risk(p * unit, &realistic)),
        })
    })
    .await?;
    Ok(render(&caller, &query, metric, &goals))
}

/// The suggested goals of every rep of `manager`'s subtree, and of the teams one level down.
#[allow(clippy::too_many_arguments)]
fn goal_sheet_of(
    db: &mut Db,
    caller: &Caller,
    directory: &Directory,
    manager: i64,
    metric: PlanMetric,
    next_month: NaiveDate,
    season: f64,
    growth: f64,
) -> Result<GoalSheet, Error> {
    let org = caller.user.org;
    let reps: Vec<i64> =
        directory.subtree(manager).into_iter().filter(|r| directory.person(*r).is_some_and(|p| p.is_rep)).collect();
    // The whole organisation is read as such, not as a list of every rep.
    let everyone = reps.len() == directory.people.iter().filter(|p| p.is_rep).count();
    let history = planning::rep_history(db, org, directory, metric, next_month, (!everyone).then_some(&reps), None)?;
    let months: Vec<Vec<f64>> = history.iter().map(|h| h.months.clone()).collect();
    let (sheet, spread) = goal_sheet(&months, season, growth / 100.0);
    let set: HashMap<i64, i64> = match metric.activity_goal() {
        Some(goal_metric) => {
            let month = Period::from(QuotaPeriod::month_of(next_month));
            let found = match goals::activity_goals_of(db, &caller.viewer, month) {
                Ok(found) => found,
                Err(StoreError::NotPermitted) => vec![],
                Err(error) => return Err(error.into()),
            };
            found.into_iter().filter(|g| g.metric == goal_metric).map(|g| (g.rep, g.target)).collect()
        }
        None => Default::default(),
    };
    let rows: Vec<Row> = history
        .iter()
        .zip(sheet)
        .map(|(h, goal)| Row {
            rep: h.rep,
            name: directory.person(h.rep).map(|p| p.name.clone()).unwrap_or_default(),
            goal,
            set: set.get(&h.rep).copied(),
        })
        .collect();
    let index: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, row)| (row.rep, i)).collect();
    let (managers, direct) = kpi::one_level_down(directory, Some(manager));
    let teams: Vec<TeamGoals> = managers
        .iter()
        .map(|&team| {
            let members: Vec<&Row> =
                directory.subtree(team).iter().filter_map(|rep| index.get(rep)).map(|&i| &rows[i]).collect();
            let sum = |goal: fn(&RepGoal) -> Option<f64>| members.iter().filter_map(|r| goal(&r.goal)).sum();
            TeamGoals {
                manager: team,
                name: directory.person(team).map(|p| p.name.clone()).unwrap_or_default(),
                reps: members.len(),
                last_12_months: sum(|g| Some(g.last_12_months)),
                next_month: sum(|g| g.next_month),
                next_12_months: sum(|g| g.next_12_months),
            }
        })
        .collect();
    let listed = match teams.is_empty() {
        true => (0..rows.len()).collect(),
        false => direct.iter().filter_map(|rep| index.get(rep).copied()).collect(),
    };
    Ok(GoalSheet { rows, spread, teams, listed })
}

/// A number as the caller writes it (grouping and decimal mark of their language, at most two
/// decimals), read by the one amount reader every form uses.
fn parse_number(text: Option<&str>, l: crate::i18n::Locale) -> Result<Option<f64>, ()> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => l.parse_money(text).map(|amount| Some(amount.cents() as f64 / 100.0)).map_err(drop),
    }
}

fn first_of_next_month(day: NaiveDate) -> NaiveDate {
    let (year, month) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(day)
}

fn render(caller: &Caller, query: &GoalsQuery, metric: PlanMetric, goals: &Goals) -> Markup {
    let l = caller.locale;
    let show = |value: f64| {
        if metric.is_money() { caller.money(Money::from_cents(value.round() as i64)) } else { l.number(value, 1) }
    };
    let show_opt = |value: Option<f64>| value.map_or("–".to_string(), show);
    // A year's total of a count is a whole number.
    let show_total = |value: f64| if metric.is_money() { show(value) } else { l.count(value.round() as i64) };
    let month_names: Vec<String> = (1..=12)
        .map(|m| NaiveDate::from_ymd_opt(2001, m, 1).map(|d| d.format("%m").to_string()).unwrap_or_default())
        .collect();
    let season_points: Vec<(String, f64)> =
        month_names.iter().cloned().zip(goals.seasonality.shares.iter().map(|s| s * 100.0)).collect();
    let next_month = format!("{}-{:02}", goals.next_month.year(), goals.next_month.month());
    let sheet = &goals.sheet;
    // Every list of a large team is shown a page at a time.
    let (teams_page, reps_page) =
        (Paged::of(sheet.teams.len(), query.page), Paged::of(sheet.listed.len(), query.reps_page));
    let keep = |name: &str, value: &Option<String>| {
        value.as_deref().map(|v| format!("&{name}={}", encode(v))).unwrap_or_default()
    };
    let kept = format!(
        "{}{}{}",
        keep("growth", &query.growth),
        keep("plan", &query.plan),
        format_args!("&metric={}", metric.key())
    );
    let team_link = |team: i64| format!("/goals?team={team}{kept}");
    let base = team_link(goals.team);
    // The figures' headings of a team's row and of a rep's (with the rep's monthly median).
    let goal_heads = |median: bool| {
        html! {
            th.num { (l.t("goals.last_12_months")) }
            @if median { th.num { (l.t("goals.monthly_median")) } }
            th.num { (l.tf("goals.next_month", &[("month", &next_month)])) }
            th.num { (l.t("goals.next_12_months")) }
        }
    };
    let body = html! {
        h1 { (l.tf("goals.title", &[("team", &goals.team_name)])) }
        @if query.done.is_some() { p.notice role="status" #goals-done { (l.t("goals.set_done")) } }
        @if let Some(code) = query.error.as_deref().and_then(|c| c.parse::<Code>().ok()) {
            p.alert role="alert" #goals-refused data-code=(code.key()) { (Refusal::new("goals", code).message(l)) }
        }
        @if goals.path.len() > 1 {
            nav.breadcrumb #goals-path aria-label=(l.t("dashboard.breadcrumb")) {
                @for (i, (id, name)) in goals.path.iter().enumerate() {
                    @if i > 0 { " › " }
                    @if *id == goals.team { strong { (name) } } @else { a href=(team_link(*id)) { (name) } }
                }
            }
        }
        form.toolbar method="get" action="/goals" {
            // A large organisation's teams are reached through the teams below instead.
            @if goals.teams.len() > 1 && goals.teams.len() <= PAGE_SIZE {
                label { (l.t("goals.team")) " "
                    select name="team" {
                        @for (id, name) in &goals.teams { option value=(id) selected[*id == goals.team] { (name) } }
                    }
                }
            }
            label { (l.t("goals.metric")) " "
                select name="metric" {
                    @for m in PlanMetric::ALL {
                        option value=(m.key()) selected[m == metric] { (l.t(&format!("goals.metric.{}", m.key()))) }
                    }
                }
            }
            label { (l.t("goals.growth")) " " input type="number" name="growth" step="0.5" value=(query.growth.clone().unwrap_or_default()) style="width: 6em"; " %" }
            label { (l.t("goals.plan")) " " input type="text" inputmode="decimal" name="plan" value=(query.plan.clone().unwrap_or_default()) style="width: 10em"; }
            button type="submit" { (l.t("form.show")) }
        }
        @if let Some(spread) = sheet.spread {
            div.tiles {
                (templates::tile(l.t("goals.bottom"), &show(spread.bottom)))
                (templates::tile(l.t("goals.median"), &show(spread.median)))
                (templates::tile(l.t("goals.p75"), &show(spread.p75)))
                (templates::tile(l.t("goals.top"), &show(spread.top)))
            }
            p.muted { (l.t("goals.spread_help")) }
        }
        @if let Some(risk) = goals.risk {
            @if risk.gap > 0.0 {
                p.alert role="status" #plan-risk { (l.tf("goals.risk", &[("plan", &show(risk.plan)), ("realistic", &show(risk.realistic)), ("gap", &show(risk.gap)), ("share", &l.percent(risk.share))])) }
            } @else {
                p.notice role="status" #plan-risk { (l.tf("goals.no_risk", &[("plan", &show(risk.plan)), ("realistic", &show(risk.realistic))])) }
            }
        }
        div.grid {
            @if !sheet.teams.is_empty() {
                section.card {
                    h2 { (l.t("goals.teams")) }
                    div.table-wrap {
                        table #goal-teams {
                            thead { tr {
                                th { (l.t("dashboard.team")) }
                                th.num { (l.t("dashboard.team_reps")) }
                                (goal_heads(false))
                            } }
                            tbody {
                                @for team in teams_page.slice(&sheet.teams) {
                                    tr data-team=(team.manager) {
                                        td { a href=(team_link(team.manager)) { (team.name) } }
                                        td.num { (l.count(team.reps as i64)) }
                                        td.num { (show_total(team.last_12_months)) }
                                        td.num { (show(team.next_month)) }
                                        td.num { (show(team.next_12_months)) }
                                    }
                                }
                            }
                        }
                    }
                    (pager(l, "teams-pages", &format!("{base}&reps_page={}", reps_page.page), teams_page, "page"))
                    p.muted { (l.t("goals.teams_help")) }
                }
            }
            section.card {
                h2 { (l.t(if sheet.teams.is_empty() { "goals.suggested" } else { "dashboard.direct_reps" })) }
                div.table-wrap {
                    table #goals-table {
                        thead { tr {
                            th { (l.t("dashboard.rep")) }
                            (goal_heads(true))
                        } }
                        tbody {
                            @for &i in reps_page.slice(&sheet.listed) {
                                @let row = &sheet.rows[i];
                                tr {
                                    td { (row.name) }
                                    td.num { (show_total(row.goal.last_12_months)) }
                                    td.num { (show_opt(row.goal.median)) }
                                    td.num data-goal="next_month" { (show_opt(row.goal.next_month)) }
                                    td.num data-goal="next_12_months" { (show_opt(row.goal.next_12_months)) }
                                }
                            }
                        }
                    }
                }
                (pager(l, "reps-pages", &format!("{base}&page={}", teams_page.page), reps_page, "reps_page"))
                p.muted { (l.t("goals.rule")) }
            }
            @if let Some(goal_metric) = metric.activity_goal().filter(|_| caller.viewer.may(Resource::ActivityGoals, Action::Edit) && !sheet.listed.is_empty()) {
                (set_goals_form(caller, goals, goal_metric, query, reps_page))
            }
            section.card.chart #seasonality {
                h2 { (l.t("goals.seasonality")) }
                (PreEscaped(charts::columns(l.t("goals.seasonality_chart"), &season_points, None, &|v| format!("{}%", l.number(v, 1)))))
            }
        }
    };
    templates::page(caller, "goals", l.t("nav.goals"), body)
}

/// The suggested goals made real targets with one action: the whole team's at once, or one rep's
/// (each row's own button); each value may be edited first. A goal already set shows as it is.
fn set_goals_form(caller: &Caller, goals: &Goals, metric: QuotaMetric, query: &GoalsQuery, page: Paged) -> Markup {
    let l = caller.locale;
    let month = QuotaPeriod::month_of(goals.next_month).to_string();
    let week = Period::week_of(today() + chrono::Duration::days(7)).to_string();
    html! {
        section.card #set-goals {
            h2 { (l.t("goals.set_title")) }
            form method="post" action="/goals/set" {
                (templates::csrf(caller))
                input type="hidden" name="metric" value=(metric.key());
                input type="hidden" name="team" value=(goals.team);
                input type="hidden" name="growth" value=(query.growth.clone().unwrap_or_default());
                label { (l.t("goals.period")) " "
                    select name="period" {
                        option value=(month) { (l.tf("goals.period.month", &[("period", &month)])) }
                        option value=(week) { (l.tf("goals.period.week", &[("period", &week)])) }
                    }
                }
                table #set-goals-table {
                    thead { tr { th { (l.t("dashboard.rep")) } th.num { (l.t("goals.goal")) } th {} } }
                    tbody {
                        @for &i in page.slice(&goals.sheet.listed) {
                            @let row = &goals.sheet.rows[i];
                            @let value = row.set.or(row.goal.next_month.map(|v| v.round() as i64));
                            tr data-rep=(row.rep) {
                                td { (row.name) }
                                td.num { input type="number" min="0" step="1" name={ "g_" (row.rep) } aria-label={ (l.t("goals.goal")) " " (row.name) } value=(value.map(|v| v.to_string()).unwrap_or_default()) style="width: 7em"; }
                                td { button type="submit" name="only" value=(row.rep) { (l.t("goals.set_one")) } }
                            }
                        }
                    }
                }
                p { button type="submit" #set-team-goals { (l.t("goals.set_team")) } " " span.muted { (l.t("goals.set_help")) } }
            }
        }
    }
}

/// Sets the activity goals the form sends (every rep's, or the one rep's whose button was pressed),
/// back to the assistant with what was done or the code of the first refusal.
pub async fn set_goals(
    State(state): State<AppState>,
    caller: Caller,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> Result<axum::response::Response, PageError> {
    require(&caller, Resource::ActivityGoals, Action::Edit)?;
    let metric = form.get("metric").cloned().unwrap_or_default();
    let period = form.get("period").cloned().unwrap_or_default();
    let only: Option<i64> = form.get("only").and_then(|r| r.parse().ok());
    let mut refusals = vec![];
    let mut inputs = vec![];
    for (key, value) in &form {
        let Some(rep) = key.strip_prefix("g_").and_then(|r| r.parse::<i64>().ok()) else { continue };
        if only.is_some_and(|o| o != rep) || value.trim().is_empty() {
            continue;
        }
        match value.trim().parse::<i64>() {
            Ok(target) => {
                inputs.push(GoalInput { rep: RepId(rep), metric: metric.clone(), period: period.clone(), target })
            }
            Err(_) => refusals.push(Refusal::new("target", Code::Count)),
        }
    }
    inputs.sort_by_key(|g| g.rep);
    let outcome = match refusals.is_empty() {
        true => {
            let command = SetActivityGoals { goals: inputs };
            with_db(&state, &caller, move |db, caller| Ok(goals::set_activity_goals(db, &caller.viewer, &command)?))
                .await
                .map(drop)
        }
        false => Err(PageError(Error::Store(StoreError::Refused(refusals)), caller.locale)),
    };
    let plan_metric = PlanMetric::ALL.into_iter().find(|m| m.activity_goal().is_some_and(|g| g.key() == metric));
    let base = format!(
        "/goals?team={}&metric={}&growth={}",
        form.get("team").map(String::as_str).unwrap_or_default(),
        plan_metric.map_or("", PlanMetric::key),
        crate::params::encode(form.get("growth").map(String::as_str).unwrap_or_default()),
    );
    match outcome {
        Ok(()) => Ok(axum::response::Redirect::to(&format!("{base}&done=set")).into_response()),
        Err(PageError(Error::Store(StoreError::Refused(refusals)), _)) => {
            let code = refusals.first().map_or("", |r| r.code.key());
            Ok(axum::response::Redirect::to(&format!("{base}&error={code}")).into_response())
        }
        Err(error) => Err(error),
    }
}
