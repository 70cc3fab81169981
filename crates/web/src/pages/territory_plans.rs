//! Territory plans: the overview of a manager's reps and where each plan stands, and the plan
//! itself on one printable page — objectives beside the rep's quotas, key accounts with strategy,
//! target, status and live progress, new business, maintenance and channels — written by the rep,
//! submitted, and approved or returned with a comment by the manager.

use super::{require, today, with_db, writing};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, PageError};
use crate::i18n::Locale;
use crate::templates::{self, csrf, tile};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use maud::{Markup, html};
use quotient_core::Money;
use quotient_core::access::{self, Action, Resource};
use quotient_core::coaching::{ObjectiveKpi, PlanStatus, Step};
use quotient_core::input;
use quotient_core::model::UserRole;
use quotient_core::refusal::{Arg, Code, Refusal};
use quotient_store::StoreError;
use quotient_store::ids::RepId;
use quotient_store::ops::coaching::{self, AdvanceTerritoryPlan, SaveTerritoryPlan};
use quotient_store::planning::territory_plans::{
    self, ACCOUNT_STATUSES, KeyAccountInput, MeasuredObjective, ObjectiveInput, PlanContent, Summary, TerritoryPlan,
};
use quotient_store::planning::{PlanMetric, quotas};
use std::collections::HashMap;

#[derive(serde::Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    done: Option<String>,
    /// The codes of the refusals of a change, separated by commas.
    error: Option<String>,
    /// The most a refused field may hold, for the refusals whose text says it.
    max: Option<i64>,
}

/// The refusals a redirect back to a plan names (`?error=CODE,CODE&max=N`), in the reader's
/// language: only texts of known codes are shown, never the link's own words.
fn refusals_named(l: crate::i18n::Locale, query: &YearQuery) -> Vec<String> {
    let codes = query.error.as_deref().unwrap_or_default().split(',');
    codes
        .filter_map(|code| code.parse::<Code>().ok())
        .map(|code| {
            let refusal = Refusal::new("plan", code);
            match query.max {
                Some(max) => refusal.count("max", max),
                None => refusal,
            }
            .message(l)
        })
        .collect()
}

fn year_of(query: &YearQuery) -> i32 {
    query.year.filter(|y| (2000..=2100).contains(y)).unwrap_or_else(|| today().year())
}

fn status_label(l: crate::i18n::Locale, status: Option<PlanStatus>) -> &'static str {
    l.t(&format!("territory.status.{}", status.map_or("none", |s| s.key())))
}

pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    require(&caller, Resource::TerritoryPlans, Action::Read)?;
    let year = year_of(&query);
    // A rep has one plan: theirs.
    if caller.user.role == UserRole::Rep
        && let Some(rep) = caller.viewer.rep_id
    {
        return Ok(Redirect::to(&format!("/territory-plans/{rep}?year={year}")).into_response());
    }
    let directories = state.directories.clone();
    let (rows, directory) = with_db(&state, &caller, move |db, caller| {
        Ok((territory_plans::overview(db, &caller.viewer, year)?, directories.get(db, caller.user.org)?))
    })
    .await?;
    let l = caller.locale;
    let count = |status: Option<PlanStatus>| rows.iter().filter(|r| r.status == status).count() as i64;
    let name = |s: &Summary| directory.person(s.rep_id).map(|p| p.name.clone()).unwrap_or_default();
    let body = html! {
        h1 { (l.tf("territory.overview_title", &[("year", &year.to_string())])) }
        nav.toolbar { a href={ "?year=" (year - 1) } { "← " (year - 1) } a href={ "?year=" (year + 1) } { (year + 1) " →" } }
        div.tiles {
            (tile(l.t("territory.status.submitted"), &l.count(count(Some(PlanStatus::Submitted)))))
            (tile(l.t("territory.status.approved"), &l.count(count(Some(PlanStatus::Approved)))))
            (tile(l.t("territory.status.draft"), &l.count(count(Some(PlanStatus::Draft)))))
            (tile(l.t("territory.status.none"), &l.count(count(None))))
        }
        table #territory-plans {
            thead { tr { th { (l.t("dashboard.rep")) } th { (l.t("territory.status")) } th { (l.t("territory.updated")) } } }
            tbody {
                @for row in &rows {
                    tr data-status=(row.status.map_or("none", |s| s.key())) {
                        td { a href={ "/territory-plans/" (row.rep_id) "?year=" (year) } { (name(row)) } }
                        td { span class={ "badge status-" (row.status.map_or("none", |s| s.key())) } { (status_label(l, row.status)) } }
                        td { (row.updated_at.map(|t| l.date(t.date_naive())).unwrap_or_default()) }
                    }
                }
            }
        }
    };
    Ok(templates::page(&caller, "territory_plans", l.t("nav.territory_plans"), body).into_response())
}

struct PlanPage {
    rep_name: String,
    plan: Option<TerritoryPlan>,
    accounts: Vec<(i64, String)>,
    revenue_quota: Option<i64>,
    deals_quota: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Path(rep): Path<i64>,
    Query(query): Query<YearQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::TerritoryPlans, Action::Read)?;
    let year = year_of(&query);
    let directories = state.directories.clone();
    let data = with_db(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let person = directory.person(rep).filter(|p| p.is_rep && caller.viewer.reaches(rep)).ok_or(Error::NotFound)?;
        let org = caller.user.org;
        let plan = territory_plans::find(db, &caller.viewer, rep, year, today())?;
        let quota = |db: &mut quotient_store::Db, metric| -> Result<Option<i64>, Error> {
            Ok(quotas::yearly(db, org, year, metric, None)?.get(&rep).copied())
        };
        Ok(PlanPage {
            rep_name: person.name.clone(),
            accounts: territory_plans::candidate_accounts(db, &caller.viewer, rep)?,
            revenue_quota: quota(db, PlanMetric::Revenue)?,
            deals_quota: quota(db, PlanMetric::Deals)?,
            plan,
        })
    })
    .await?;
    Ok(render(&caller, rep, year, &query, &data))
}

fn render(caller: &Caller, rep: i64, year: i32, query: &YearQuery, data: &PlanPage) -> Markup {
    let l = caller.locale;
    let status = data.plan.as_ref().map(|p| p.status);
    let is_the_rep = caller.viewer.rep_id == Some(rep);
    let is_owner = access::writes_territory_plan(caller.user.role, is_the_rep);
    let editable = is_owner && status.is_none_or(PlanStatus::is_editable);
    let decides = access::decides_on_territory_plan(caller.user.role, caller.viewer.reaches(rep), is_the_rep)
        && status == Some(PlanStatus::Submitted);
    let refused = refusals_named(l, query);
    let action = format!("/territory-plans/{rep}?year={year}");
    let body = html! {
        div.print-page #territory-plan {
            h1 { (l.tf("territory.title", &[("rep", &data.rep_name), ("year", &year.to_string())])) " "
                span class={ "badge status-" (status.map_or("none", |s| s.key())) } #plan-status { (status_label(l, status)) } }
            @if let Some(done) = &query.done { p.notice.no-print role="status" { (l.t(&format!("territory.done.{}", done_key(done)))) } }
            @if !refused.is_empty() { ul.alert.no-print role="alert" { @for message in &refused { li { (message) } } } }
            @if let Some(comment) = data.plan.as_ref().and_then(|p| p.review_comment.as_deref()).filter(|_| status == Some(PlanStatus::Draft)) {
                p.alert #review-comment { strong { (l.t("territory.returned")) } " " (comment) }
            }
            div.tiles {
                (tile(l.t("territory.revenue_quota"), &data.revenue_quota.map(|q| caller.money(Money::from_cents(q))).unwrap_or_else(|| "–".into())))
                (tile(l.t("territory.deals_quota"), &data.deals_quota.map(|q| l.count(q)).unwrap_or_else(|| "–".into())))
                @if let Some(plan) = &data.plan {
                    (tile(l.t("territory.key_won"), &caller.money(plan.key_accounts.iter().map(|k| k.won).sum())))
                    (tile(l.t("territory.coverage"), &l.percent(plan.coverage())))
                    (tile(l.t("territory.mean_coverage_score"), &l.percent(plan.key_account_coverage.mean_score)))
                }
            }
            @if editable {
                (edit_form(caller, &action, data))
            } @else if let Some(plan) = &data.plan {
                (read_only(caller, plan))
            } @else {
                p.muted { (l.t("territory.none")) }
            }
            div.no-print {
                @if is_owner && status == Some(PlanStatus::Draft) {
                    (step_form(caller, rep, year, Step::Submit, false))
                }
                @if decides {
                    (step_form(caller, rep, year, Step::Approve, false))
                    (step_form(caller, rep, year, Step::Return, true))
                }
                p { button.secondary type="button" data-print { (l.t("territory.print")) } }
            }
        }
    };
    templates::page(caller, "territory_plans", l.t("nav.territory_plans"), body)
}

fn done_key(done: &str) -> &'static str {
    match done {
        "submit" => "submit",
        "approve" => "approve",
        "return" => "return",
        _ => "saved",
    }
}

fn step_form(caller: &Caller, rep: i64, year: i32, step: Step, with_comment: bool) -> Markup {
    let l = caller.locale;
    html! {
        form.inline method="post" action={ "/territory-plans/" (rep) "/" (step.key()) "?year=" (year) } {
            (csrf(caller))
            @if with_comment {
                label { (l.t("territory.comment")) textarea name="comment" rows="2" required #return-comment {} }
            }
            button type="submit" #{ "plan-" (step.key()) } class=[(step == Step::Return).then_some("secondary")] { (l.t(&format!("territory.step.{}", step.key()))) }
        }
    }
}

const SECTIONS: [&str; 4] = ["objectives", "new_business", "maintenance", "channel_strategy"];

fn section_text<'p>(content: &'p PlanContent, key: &str) -> &'p str {
    match key {
        "objectives" => &content.objectives,
        "new_business" => &content.new_business,
        "maintenance" => &content.maintenance,
        _ => &content.channel_strategy,
    }
}

fn read_only(caller: &Caller, plan: &TerritoryPlan) -> Markup {
    let l = caller.locale;
    let content = plan.content();
    html! {
        @for key in SECTIONS {
            section.plan-section { h2 { (l.t(&format!("territory.{key}"))) } p.pre { (section_text(&content, key)) } }
        }
        (measured(caller, &plan.measured_objectives))
        section.plan-section {
            h2 { (l.t("territory.key_accounts")) }
            table #key-accounts {
                thead { tr { th { (l.t("territory.account")) } th { (l.t("territory.strategy")) } th.num { (l.t("territory.target")) } th.num { (l.t("territory.won")) } th { (l.t("territory.account_status")) } th { (l.t("territory.covered")) } th.num { (l.t("territory.coverage_score")) } } }
                tbody {
                    @for key in &plan.key_accounts {
                        tr {
                            td { a href={ "/accounts/" (key.input.account_id) "/map" } { (key.name) } }
                            td { (key.input.strategy) }
                            td.num { (caller.money(key.input.target)) }
                            td.num { (caller.money(key.won)) " " span.muted { (l.percent((key.input.target.cents() > 0).then(|| key.won.cents() as f64 / key.input.target.cents() as f64))) } }
                            td { (l.t(&format!("territory.account_status.{}", key.input.status))) }
                            td { (l.t(if key.covered { "territory.yes" } else { "territory.no" })) }
                            td.num { (l.percent(Some(key.coverage_score))) }
                        }
                    }
                }
            }
        }
    }
}

/// The rep's territory plan in a 1:1: its status, the objectives with their progress, and the
/// key accounts with their coverage.
pub fn in_one_on_one(caller: &Caller, rep: i64, year: i32, plan: Option<&TerritoryPlan>) -> Markup {
    let l = caller.locale;
    let status = plan.map(|p| p.status);
    html! {
        section.card #one-on-one-territory-plan {
            h2 {
                a href={ "/territory-plans/" (rep) "?year=" (year) } { (l.tf("one_on_one.territory_plan", &[("year", &year.to_string())])) }
                " " span class={ "badge status-" (status.map_or("none", |s| s.key())) } { (status_label(l, status)) }
            }
            @if let Some(plan) = plan {
                div.tiles {
                    (tile(l.t("territory.coverage"), &l.percent(plan.key_account_coverage.covered)))
                    (tile(l.t("territory.mean_coverage_score"), &l.percent(plan.key_account_coverage.mean_score)))
                }
                (measured(caller, &plan.measured_objectives))
                @if !plan.key_accounts.is_empty() {
                    table #one-on-one-key-accounts {
                        thead { tr { th { (l.t("territory.account")) } th.num { (l.t("territory.target")) } th.num { (l.t("territory.won")) } th { (l.t("territory.covered")) } th.num { (l.t("territory.coverage_score")) } } }
                        tbody {
                            @for key in &plan.key_accounts {
                                tr {
                                    td { a href={ "/accounts/" (key.input.account_id) "/map" } { (key.name) } }
                                    td.num { (caller.money(key.input.target)) }
                                    td.num { (caller.money(key.won)) }
                                    td { (l.t(if key.covered { "territory.yes" } else { "territory.no" })) }
                                    td.num { (l.percent(Some(key.coverage_score))) }
                                }
                            }
                        }
                    }
                }
            } @else {
                p.muted { (l.t("one_on_one.no_territory_plan")) }
            }
        }
    }
}

/// An objective's target or actual in its unit.
fn in_unit(caller: &Caller, objective: &ObjectiveInput, value: i64) -> String {
    if objective.is_money() { caller.money(Money::from_cents(value)) } else { caller.locale.count(value) }
}

/// What an objective is measured by, in words.
fn link_label(caller: &Caller, objective: &MeasuredObjective) -> String {
    let l = caller.locale;
    match (objective.input.kpi(), &objective.account_name) {
        (Some(kpi), _) => l.t(&format!("territory.kpi.{}", kpi.key())).to_string(),
        (None, Some(account)) => l.tf("territory.link_account", &[("account", account)]),
        (None, None) => "–".into(),
    }
}

/// The measured objectives with their progress: on the plan's page, its print and the 1:1.
pub fn measured(caller: &Caller, objectives: &[MeasuredObjective]) -> Markup {
    let l = caller.locale;
    html! {
        section.plan-section {
            h2 { (l.t("territory.measured")) }
            @if objectives.is_empty() {
                p.muted { (l.t("territory.no_measured")) }
            } @else {
                table #measured-objectives {
                    thead { tr { th { (l.t("territory.objective")) } th { (l.t("territory.measured_by")) } th.num { (l.t("territory.target")) } th.num { (l.t("territory.actual")) } th.num { (l.t("territory.progress")) } th.num { (l.t("territory.expected")) } th {} } }
                    tbody {
                        @for objective in objectives {
                            @let progress = &objective.progress;
                            tr data-on-track=(progress.on_track.map_or("none", |on| if on { "yes" } else { "no" })) {
                                td { (objective.input.description) }
                                td { (link_label(caller, objective)) }
                                td.num { (in_unit(caller, &objective.input, progress.target)) }
                                td.num { (in_unit(caller, &objective.input, progress.actual)) }
                                td.num class=[(progress.on_track == Some(false)).then_some("below")] { (l.percent(progress.share)) }
                                td.num { (l.percent(Some(progress.expected))) }
                                td { @match progress.on_track { Some(true) => (l.t("territory.on_track")), Some(false) => (l.t("territory.behind")), None => "" } }
                            }
                        }
                    }
                }
                p.muted { (l.t("territory.measured_help")) }
            }
        }
    }
}

/// The form's value for an objective's link: `kpi:KEY` or `account:ID`.
fn link_value(objective: &ObjectiveInput) -> String {
    match (&objective.kpi, objective.account_id) {
        (Some(kpi), _) => format!("kpi:{kpi}"),
        (None, Some(account)) => format!("account:{account}"),
        (None, None) => String::new(),
    }
}

/// The target as the form shows it: an amount with two decimals for money, else the count.
fn target_text(objective: &ObjectiveInput) -> String {
    if objective.is_money() { format!("{:.2}", objective.target as f64 / 100.0) } else { objective.target.to_string() }
}

/// The rep's form: the sections, the key accounts (five empty rows to add more).
fn edit_form(caller: &Caller, action: &str, data: &PlanPage) -> Markup {
    let l = caller.locale;
    let content = data.plan.as_ref().map(TerritoryPlan::content).unwrap_or_default();
    let mut rows: Vec<Option<&KeyAccountInput>> = content.key_accounts.iter().map(Some).collect();
    rows.extend(std::iter::repeat_n(None, 5));
    let mut objective_rows: Vec<Option<&ObjectiveInput>> = content.measured_objectives.iter().map(Some).collect();
    objective_rows.extend(std::iter::repeat_n(None, 3));
    html! {
        form.card method="post" action=(action) #territory-form {
            (csrf(caller))
            @for key in SECTIONS {
                label { (l.t(&format!("territory.{key}"))) textarea name=(key) rows="3" { (section_text(&content, key)) } }
            }
            h2 { (l.t("territory.key_accounts")) }
            table {
                thead { tr { th { (l.t("territory.account")) } th { (l.t("territory.strategy")) } th { (l.t("territory.target")) } th { (l.t("territory.account_status")) } } }
                tbody {
                    @for (i, row) in rows.iter().enumerate() {
                        tr {
                            td { select name={ "account_" (i) } aria-label=(l.t("territory.account")) {
                                option value="" { "–" }
                                @for (id, name) in &data.accounts { option value=(id) selected[row.is_some_and(|r| r.account_id == *id)] { (name) } }
                            } }
                            td { input type="text" name={ "strategy_" (i) } value=(row.map(|r| r.strategy.clone()).unwrap_or_default()) aria-label=(l.t("territory.strategy")); }
                            td { input type="text" inputmode="decimal" name={ "target_" (i) } style="width: 9em" value=(row.map(|r| format!("{:.2}", r.target.cents() as f64 / 100.0)).unwrap_or_default()) aria-label=(l.t("territory.target")); }
                            td { select name={ "status_" (i) } aria-label=(l.t("territory.account_status")) {
                                @for status in ACCOUNT_STATUSES { option value=(status) selected[row.is_some_and(|r| r.status == status)] { (l.t(&format!("territory.account_status.{status}"))) } }
                            } }
                        }
                    }
                }
            }
            h2 { (l.t("territory.measured")) }
            table {
                thead { tr { th { (l.t("territory.objective")) } th { (l.t("territory.measured_by")) } th { (l.t("territory.target")) } } }
                tbody {
                    @for (i, row) in objective_rows.iter().enumerate() {
                        @let link = row.map(link_value).unwrap_or_default();
                        tr {
                            td { input type="text" name={ "objective_" (i) } value=(row.map(|o| o.description.clone()).unwrap_or_default()) aria-label=(l.t("territory.objective")); }
                            td { select name={ "objective_link_" (i) } aria-label=(l.t("territory.measured_by")) {
                                option value="" { (l.t("territory.pick_link")) }
                                @for kpi in ObjectiveKpi::ALL { @let value = format!("kpi:{}", kpi.key()); option value=(value) selected[link == value] { (l.t(&format!("territory.kpi.{}", kpi.key()))) } }
                                @for (id, name) in &data.accounts { @let value = format!("account:{id}"); option value=(value) selected[link == value] { (l.tf("territory.link_account", &[("account", name)])) } }
                            } }
                            td { input type="text" inputmode="decimal" name={ "objective_target_" (i) } style="width: 9em" value=(row.map(target_text).unwrap_or_default()) aria-label=(l.t("territory.target")); }
                        }
                    }
                }
            }
            p { button type="submit" #save-territory-plan { (l.t("form.save")) } }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct PlanForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

/// The plan as written in the form, or what is refused.
fn content_of(form: &PlanForm, lang: Locale) -> Result<PlanContent, Vec<Refusal>> {
    let get = |key: &str| form.fields.get(key).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut key_accounts = vec![];
    let mut refused = None;
    for i in 0..200 {
        let account = get(&format!("account_{i}"));
        if account.is_empty() {
            if !form.fields.contains_key(&format!("account_{i}")) {
                break;
            }
            continue;
        }
        let Ok(account_id) = account.parse::<i64>() else {
            refused = Some(Refusal::new("key_accounts", Code::Reference));
            break;
        };
        let target = match input::optional_amount("key_accounts", &get(&format!("target_{i}")), lang) {
            Ok(target) => target.unwrap_or(Money::ZERO),
            Err(refusal) => {
                refused = Some(refusal);
                break;
            }
        };
        key_accounts.push(KeyAccountInput {
            account_id,
            strategy: get(&format!("strategy_{i}")),
            target,
            status: get(&format!("status_{i}")),
        });
    }
    if let Some(refusal) = refused {
        return Err(vec![refusal]);
    }
    let measured_objectives = objectives_of(&form.fields, lang)?;
    Ok(PlanContent {
        objectives: get("objectives"),
        new_business: get("new_business"),
        maintenance: get("maintenance"),
        channel_strategy: get("channel_strategy"),
        key_accounts,
        measured_objectives,
    })
}

/// The measured objectives of the form: rows with neither a description nor a link are left out;
/// a target is read as an amount for money, as a whole number otherwise.
fn objectives_of(fields: &HashMap<String, String>, lang: Locale) -> Result<Vec<ObjectiveInput>, Vec<Refusal>> {
    const FIELD: &str = "measured_objectives";
    let get = |key: &str| fields.get(key).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut objectives = vec![];
    for i in 0..200 {
        if !fields.contains_key(&format!("objective_{i}")) {
            break;
        }
        let (description, link, target) = (
            get(&format!("objective_{i}")),
            get(&format!("objective_link_{i}")),
            get(&format!("objective_target_{i}")),
        );
        if description.is_empty() && link.is_empty() && target.is_empty() {
            continue;
        }
        let (kpi, account_id) = match link.split_once(':') {
            Some(("kpi", kpi)) => (Some(kpi.to_string()), None),
            Some(("account", id)) => {
                (None, Some(id.parse::<i64>().map_err(|_| vec![Refusal::new(FIELD, Code::Reference)])?))
            }
            _ => (None, None),
        };
        let mut objective = ObjectiveInput { description, kpi, account_id, target: 0 };
        objective.target = if objective.is_money() {
            input::optional_amount(FIELD, &target, lang).map_err(|r| vec![r])?.unwrap_or(Money::ZERO).cents()
        } else if target.is_empty() {
            0
        } else {
            input::whole_number(FIELD, &target, 0, i64::from(i32::MAX)).map_err(|r| vec![r])?
        };
        objectives.push(objective);
    }
    Ok(objectives)
}

/// Back to the plan with what was done, or with the codes of what was refused.
fn back(rep: i64, year: i32, outcome: Result<&str, Vec<Refusal>>) -> Response {
    match outcome {
        Ok(done) => Redirect::to(&format!("/territory-plans/{rep}?year={year}&done={done}")).into_response(),
        Err(refusals) => {
            let codes: Vec<&str> = refusals.iter().map(|r| r.code.key()).collect();
            let max = refusals.iter().flat_map(|r| &r.args).find_map(|(name, arg)| match (name, arg) {
                (&"max", Arg::Count(max)) => Some(format!("&max={max}")),
                _ => None,
            });
            let to = format!("/territory-plans/{rep}?year={year}&error={}{}", codes.join(","), max.unwrap_or_default());
            Redirect::to(&to).into_response()
        }
    }
}

/// Refusals by the rules come back as the page's message; anything else is an error.
fn refused<T>(result: Result<T, PageError>) -> Result<Result<T, Vec<Refusal>>, PageError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(PageError(Error::Store(StoreError::Refused(refusals)), _)) => Ok(Err(refusals)),
        Err(error) => Err(error),
    }
}

pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(rep): Path<i64>,
    Query(query): Query<YearQuery>,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::TerritoryPlans, Action::Edit)?;
    let year = year_of(&query);
    let content = match content_of(&form, caller.locale) {
        Ok(content) => content,
        Err(refusals) => return Ok(back(rep, year, Err(refusals))),
    };
    let command = SaveTerritoryPlan { rep: RepId(rep), year, content };
    let saved =
        writing(&state, &caller, move |db, caller| Ok(coaching::save_territory_plan(db, &caller.viewer, &command)?))
            .await;
    Ok(back(rep, year, refused(saved)?.map(|_| "saved")))
}

#[derive(serde::Deserialize)]
pub struct StepForm {
    #[serde(default)]
    comment: String,
}

pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path((rep, step)): Path<(i64, String)>,
    Query(query): Query<YearQuery>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::TerritoryPlans, Action::Edit)?;
    let step: Step = step.parse().map_err(|_| PageError(Error::NotFound, caller.locale))?;
    let year = year_of(&query);
    let command = AdvanceTerritoryPlan { rep: RepId(rep), year, step, comment: form.comment };
    let taken =
        writing(&state, &caller, move |db, caller| Ok(coaching::advance_territory_plan(db, &caller.viewer, &command)?))
            .await;
    Ok(back(rep, year, refused(taken)?.map(|_| step.key())))
}

#[cfg(test)]
mod tests {
    use super::{YearQuery, refusals_named};
    use crate::i18n::Locale;

    #[test]
    fn a_redirect_names_refusals_by_code_only() {
        let query = |error: &str, max| YearQuery { error: Some(error.into()), max, ..YearQuery::default() };
        let shown = refusals_named(Locale::ENGLISH, &query("plan_not_draft,too_long", Some(20_000)));
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown[0].starts_with("Only a draft can be changed"), "{shown:?}");
        assert_eq!(shown[1], "Use at most 20,000 characters.");
        assert!(refusals_named(Locale::ENGLISH, &query("Call 555-0100 to unlock your account", None)).is_empty());
        assert!(refusals_named(Locale::ENGLISH, &YearQuery::default()).is_empty());
    }
}
