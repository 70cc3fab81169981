//! The company plan: an executive sets the year's objectives (optionally per product line), how they
//! are split (realistic goals or territory weights) and, if need be, the seasonality; sees the
//! allocation per territory and rep with the plan risk; writes it into quotas; and adjusts any rep's
//! quota by hand with the difference to the plan shown live. Managers read their reps' share.

use super::{refusal, require, today, with_db};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, FieldError, PageError};
use crate::templates::{self, csrf, field_error, tile};
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use maud::{Markup, html};
use quotient_core::Money;
use quotient_core::access::{Action, Resource, sees_whole_company_plan};
use quotient_core::planning::{MonthlyIndex, PlanRisk};
use quotient_store::kpi::Directory;
use quotient_store::planning::company_plan::{self, CompanyPlan, PlanLine, Split};
use quotient_store::planning::quotas::{self, Allocated, Objective};
use quotient_store::planning::{self as store_planning, PlanMetric};
use std::collections::HashMap;

/// The refusals a redirect back to the plan names by code, and their messages.
pub const REFUSALS: &[(&str, &str)] = &[
    ("bad_amount", "plan.bad_amount"),
    ("not_saved", "plan.error.not_saved"),
    ("not_allocated", "plan.error.not_allocated"),
    ("not_adjusted", "plan.error.not_adjusted"),
];

#[derive(serde::Deserialize, Default)]
pub struct PlanQuery {
    year: Option<i32>,
    done: Option<String>,
    error: Option<String>,
}

/// The plan year shown by default: next year from October on, else this year.
fn default_year() -> i32 {
    let day = today();
    if day.month() >= 10 { day.year() + 1 } else { day.year() }
}

struct View {
    year: i32,
    plan: Option<CompanyPlan>,
    /// The revenue objective allocated, or why it could not be.
    revenue: Option<Result<Allocated, String>>,
    learnt: MonthlyIndex,
    /// Each rep's revenue quota for the year as it stands.
    quotas: HashMap<i64, i64>,
    directory: std::sync::Arc<Directory>,
}

pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PlanQuery>,
) -> Result<Markup, PageError> {
    require(&caller, Resource::CompanyPlan, Action::Read)?;
    let year = query.year.filter(|y| (2000..=2100).contains(y)).unwrap_or_else(default_year);
    let directories = state.directories.clone();
    let view = with_db(&state, &caller, move |db, caller| {
        let org = caller.user.org;
        let directory = directories.get(db, org)?;
        let plan = company_plan::find(db, org, year)?;
        let first_month = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let learnt =
            store_planning::seasonality(db, org, PlanMetric::Revenue, first_month, quotas::SEASONALITY_YEARS, None)?;
        let revenue = match &plan {
            Some(plan) => match quotas::allocate(db, org, plan) {
                Ok(mut allocated) => Some(Ok(quotas::share_of(&caller.viewer, allocated.remove(0)))),
                Err(quotient_store::StoreError::Invalid(message)) => Some(Err(message)),
                Err(error) => return Err(error.into()),
            },
            None => None,
        };
        let quotas = quotas::yearly_within(db, &caller.viewer, year, PlanMetric::Revenue, None)?;
        Ok(View { year, plan, revenue, learnt, quotas, directory })
    })
    .await?;
    Ok(render(&caller, &query, &view, &[], None))
}

fn render(caller: &Caller, query: &PlanQuery, view: &View, errors: &[FieldError], form: Option<&PlanForm>) -> Markup {
    let l = caller.locale;
    let may_edit = caller.viewer.may(Resource::CompanyPlan, Action::Edit);
    let year = view.year;
    let body = html! {
        h1 { (l.tf(if sees_whole_company_plan(caller.user.role) { "plan.title" } else { "plan.team_title" }, &[("year", &year.to_string())])) }
        nav.toolbar aria-label=(l.t("plan.years")) {
            a href={ "/plan?year=" (year - 1) } { "← " (year - 1) }
            a href={ "/plan?year=" (year + 1) } { (year + 1) " →" }
        }
        @if let Some(done) = &query.done { p.notice role="status" { (l.t(&format!("plan.done.{}", done_key(done)))) } }
        @if let Some(message) = refusal(l, query.error.as_deref(), REFUSALS) { p.alert role="alert" { (message) } }
        @if !errors.is_empty() { p.alert role="alert" { (l.t("form.fix_errors")) } }
        @if may_edit { (plan_form(caller, view, errors, form)) }
        @match (&view.plan, &view.revenue) {
            (None, _) => p.muted { (l.t(if may_edit { "plan.none_yet" } else { "plan.none_read" })) },
            (Some(_), Some(Err(message))) => p.alert { (message) },
            (Some(plan), Some(Ok(allocated))) => (allocation(caller, view, plan, allocated, may_edit)),
            (Some(_), None) => {},
        }
    };
    templates::page(caller, "plan", l.t("nav.plan"), body)
}

fn done_key(done: &str) -> &'static str {
    match done {
        "allocated" => "allocated",
        "adjusted" => "adjusted",
        _ => "saved",
    }
}

/// The plan's form, filled with what was sent (after an error) or the saved plan.
fn plan_form(caller: &Caller, view: &View, errors: &[FieldError], sent: Option<&PlanForm>) -> Markup {
    let l = caller.locale;
    let plan = view.plan.clone().unwrap_or_else(|| CompanyPlan::new(view.year));
    let amount = |m: Option<Money>| m.map(|m| format!("{:.2}", m.cents() as f64 / 100.0)).unwrap_or_default();
    let field = |key: &str, saved: String| -> String { sent.and_then(|f| f.fields.get(key).cloned()).unwrap_or(saved) };
    let weights: HashMap<i64, u64> = plan.territory_weights.iter().copied().collect();
    let lines: HashMap<i64, &PlanLine> = plan.lines.iter().map(|line| (line.product_line_id, line)).collect();
    let mut product_lines: Vec<(&i64, &(String, String))> = view.directory.product_lines.iter().collect();
    product_lines.sort_by(|a, b| a.1.1.cmp(&b.1.1));
    let months = month_labels(l);
    html! {
        form.card.plan-form method="post" action="/plan" #plan-form {
            (csrf(caller))
            input type="hidden" name="year" value=(view.year);
            h2 { (l.t("plan.objectives")) }
            div.form-grid {
                label { (l.t("plan.revenue")) input type="text" inputmode="decimal" name="revenue" required value=(field("revenue", if plan.revenue.cents() > 0 { amount(Some(plan.revenue)) } else { String::new() })); (field_error(errors, "revenue")) }
                label { (l.t("plan.margin")) input type="text" inputmode="decimal" name="margin" value=(field("margin", amount(plan.margin))); (field_error(errors, "margin")) }
                label { (l.t("plan.deals")) input type="number" min="0" name="deals" value=(field("deals", plan.deals.map(|d| d.to_string()).unwrap_or_default())); (field_error(errors, "deals")) }
                label { (l.t("goals.growth")) " (%)" input type="number" step="0.5" name="growth" value=(field("growth", plan.growth_pct.to_string())); (field_error(errors, "growth")) }
            }
            fieldset {
                legend { (l.t("plan.split")) }
                label.inline { input type="radio" name="split" value="goals" checked[field("split", plan.split.key().into()) == "goals"]; " " (l.t("plan.split.goals")) }
                label.inline { input type="radio" name="split" value="territories" checked[field("split", plan.split.key().into()) == "territories"]; " " (l.t("plan.split.territories")) }
                (field_error(errors, "territory_weights"))
                details open[plan.split == Split::Territories] {
                    summary { (l.t("plan.weights")) }
                    div.form-grid {
                        @for (id, name) in view.directory.territory_names() {
                            label { (name) input type="number" min="0" name={ "w_" (id) } value=(field(&format!("w_{id}"), weights.get(&id).map(|w| w.to_string()).unwrap_or_default())); }
                        }
                    }
                }
            }
            details open[plan.seasonality.is_some()] {
                summary { (l.t("plan.seasonality_override")) }
                p.muted { (l.t("plan.seasonality_help")) }
                (field_error(errors, "seasonality"))
                div.form-grid.months {
                    @for (m, label) in months.iter().enumerate() {
                        label { (label) " " span.muted { (l.number(view.learnt.shares[m] * 100.0, 1)) "%" }
                            input type="number" min="0" step="0.1" name={ "s_" (m + 1) } value=(field(&format!("s_{}", m + 1), plan.seasonality.map(|s| s[m].to_string()).unwrap_or_default()));
                        }
                    }
                }
            }
            @if !product_lines.is_empty() {
                details open[!plan.lines.is_empty()] {
                    summary { (l.t("plan.per_line")) }
                    table {
                        thead { tr { th { (l.t("plan.product_line")) } th { (l.t("plan.revenue")) } th { (l.t("plan.deals")) } } }
                        tbody {
                            @for (id, (_, name)) in &product_lines {
                                tr {
                                    td { (name) }
                                    td { input type="text" inputmode="decimal" name={ "pl_" (id) "_revenue" } value=(field(&format!("pl_{id}_revenue"), amount(lines.get(id).and_then(|l| l.revenue)))); }
                                    td { input type="number" min="0" name={ "pl_" (id) "_deals" } value=(field(&format!("pl_{id}_deals"), lines.get(id).and_then(|l| l.deals).map(|d| d.to_string()).unwrap_or_default())); }
                                }
                            }
                        }
                    }
                    (field_error(errors, "lines"))
                }
            }
            p { button type="submit" #save-plan { (l.t("plan.save")) } }
        }
    }
}

fn month_labels(l: crate::i18n::Locale) -> Vec<String> {
    (1..=12).map(|m| l.t(&format!("month.{m}")).to_string()).collect()
}

fn risk_line(caller: &Caller, risk: &PlanRisk) -> Markup {
    let l = caller.locale;
    let show = |v: f64| caller.money(Money::from_cents(v.round() as i64));
    html! {
        @if risk.gap > 0.0 {
            p.alert role="status" #plan-risk { (l.tf("goals.risk", &[("plan", &show(risk.plan)), ("realistic", &show(risk.realistic)), ("gap", &show(risk.gap)), ("share", &l.percent(risk.share))])) }
        } @else {
            p.notice role="status" #plan-risk { (l.tf("goals.no_risk", &[("plan", &show(risk.plan)), ("realistic", &show(risk.realistic))])) }
        }
    }
}

/// The revenue objective allocated: the risk, the seasonality used, the split per territory and
/// per rep, and the quotas with the live difference to the plan.
fn allocation(caller: &Caller, view: &View, plan: &CompanyPlan, allocated: &Allocated, may_edit: bool) -> Markup {
    let l = caller.locale;
    let directory = &view.directory;
    let show = |cents: i64| caller.money(Money::from_cents(cents));
    let name = |id: i64| directory.person(id).map(|p| p.name.clone()).unwrap_or_default();
    let territory_names: HashMap<i64, String> = directory.territory_names().into_iter().collect();
    let reps: Vec<_> = allocated.allocation.reps.iter().filter(|q| caller.viewer.reaches(q.rep)).collect();
    let mut territories: Vec<(String, usize, i64)> = vec![];
    for quota in &reps {
        let territory = directory.person(quota.rep).and_then(|p| p.territory_id);
        let label =
            territory.and_then(|t| territory_names.get(&t).cloned()).unwrap_or_else(|| l.t("plan.no_territory").into());
        match territories.iter_mut().find(|t| t.0 == label) {
            Some(row) => {
                row.1 += 1;
                row.2 += quota.yearly;
            }
            None => territories.push((label, 1, quota.yearly)),
        }
    }
    territories.sort_by_key(|t| std::cmp::Reverse(t.2));
    let months = month_labels(l);
    let allocated_total: i64 = reps.iter().map(|q| q.yearly).sum();
    let quota_total: i64 = reps.iter().map(|q| view.quotas.get(&q.rep).copied().unwrap_or(0)).sum();
    let written = plan.allocated_at.is_some();
    html! {
        (risk_line(caller, &allocated.allocation.total))
        div.tiles {
            (tile(l.t("plan.revenue"), &show(allocated.objective.total)))
            (tile(l.t("plan.realistic"), &show(allocated.allocation.total.realistic.round() as i64)))
            (tile(l.t("plan.allocated"), &show(allocated_total)))
            (tile(l.t("plan.reps"), &l.count(reps.len() as i64)))
        }
        div.grid {
            section.card {
                h2 { (l.t("plan.by_territory")) }
                table #territory-table {
                    thead { tr { th { (l.t("plan.territory")) } th.num { (l.t("plan.reps")) } th.num { (l.t("plan.allocated")) } } }
                    tbody { @for (label, count, total) in &territories { tr { td { (label) } td.num { (count) } td.num { (show(*total)) } } } }
                }
            }
            section.card {
                h2 { (l.t("goals.seasonality")) }
                p.muted { (l.t(if plan.seasonality.is_some() { "plan.seasonality_hand" } else { "plan.seasonality_learnt" })) }
                table #seasonality-table {
                    thead { tr { th { (l.t("plan.month")) } th.num { (l.t("plan.share")) } } }
                    tbody { @for (m, label) in months.iter().enumerate() { tr { td { (label) } td.num { (l.number(allocated.seasonality.shares[m] * 100.0, 1)) "%" } } } }
                }
            }
        }
        section.card {
            h2 { (l.t("plan.by_rep")) }
            @if may_edit {
                form method="post" action="/plan/allocate" {
                    (csrf(caller))
                    input type="hidden" name="year" value=(view.year);
                    p { button type="submit" #allocate { (l.t(if written { "plan.reallocate" } else { "plan.allocate" })) } " " span.muted { (l.t("plan.allocate_help")) } }
                }
            }
            form method="post" action="/plan/quotas" #quota-form {
                (csrf(caller))
                input type="hidden" name="year" value=(view.year);
                div.table-wrap {
                    table #allocation-table {
                        thead { tr {
                            th { (l.t("dashboard.rep")) } th { (l.t("plan.territory")) }
                            th.num { (l.t("plan.realistic")) } th.num { (l.t("plan.allocated")) } th.num { (l.t("plan.quota")) }
                        } }
                        tbody {
                            @for quota in &reps {
                                @let current = view.quotas.get(&quota.rep).copied();
                                tr data-rep=(quota.rep) {
                                    td { (name(quota.rep)) }
                                    td { (directory.person(quota.rep).and_then(|p| p.territory_id).and_then(|t| territory_names.get(&t).cloned()).unwrap_or_default()) }
                                    td.num { (show(quota.realistic.round() as i64)) }
                                    td.num data-allocated=(quota.yearly) { (show(quota.yearly)) }
                                    td.num {
                                        @if may_edit && written {
                                            input.quota type="text" inputmode="decimal" name={ "q_" (quota.rep) } aria-label={ (l.t("plan.quota")) " " (name(quota.rep)) } value=(current.map(|c| format!("{:.2}", c as f64 / 100.0)).unwrap_or_default()) style="width: 9em";
                                        } @else {
                                            (current.map(show).unwrap_or_else(|| "–".into()))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if written {
                    p #quota-difference data-plan=(allocated.objective.total) {
                        (l.t("plan.difference")) " " output #difference { (show(quota_total - allocated.objective.total)) }
                    }
                    @if may_edit { p { button type="submit" #save-quotas { (l.t("plan.save_quotas")) } } }
                } @else {
                    p.muted { (l.t("plan.not_written")) }
                }
            }
        }
    }
}

/// The plan form as sent: every field by name.
#[derive(serde::Deserialize)]
pub struct PlanForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

impl PlanForm {
    fn get(&self, key: &str) -> &str {
        self.fields.get(key).map(|v| v.trim()).unwrap_or("")
    }

    fn year(&self) -> Option<i32> {
        self.get("year").parse().ok().filter(|y| (2000..=2100).contains(y))
    }
}

fn parse_money(text: &str) -> Result<Option<Money>, ()> {
    if text.is_empty() {
        return Ok(None);
    }
    text.replace([' ', '\u{a0}'], "").replace(',', ".").parse::<Money>().map(Some).map_err(|_| ())
}

/// The plan from the form, or the fields it refuses.
fn plan_of(form: &PlanForm, l: crate::i18n::Locale) -> Result<CompanyPlan, Vec<FieldError>> {
    let mut errors = vec![];
    let year = form.year().unwrap_or_else(default_year);
    let mut money = |key: &str| {
        parse_money(form.get(key))
            .map_err(|()| errors.push(FieldError::new(key, l.t("plan.bad_amount"))))
            .ok()
            .flatten()
    };
    let revenue = money("revenue");
    let margin = money("margin");
    let mut count = |key: &str| -> Option<i64> {
        let text = form.get(key);
        if text.is_empty() {
            return None;
        }
        text.parse::<i64>().ok().filter(|n| *n >= 0).or_else(|| {
            errors.push(FieldError::new(key, l.t("plan.bad_count")));
            None
        })
    };
    let deals = count("deals");
    let growth = match form.get("growth") {
        "" => 0.0,
        text => text.replace(',', ".").parse::<f64>().unwrap_or_else(|_| {
            errors.push(FieldError::new("growth", l.t("goals.bad_number")));
            0.0
        }),
    };
    let split = if form.get("split") == "territories" { Split::Territories } else { Split::Goals };
    let mut territory_weights = vec![];
    let mut seasonality = [0u64; 12];
    let mut hand_set = false;
    let mut lines: HashMap<i64, PlanLine> = HashMap::new();
    for (key, value) in &form.fields {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if let Some(id) = key.strip_prefix("w_").and_then(|id| id.parse::<i64>().ok()) {
            match value.parse::<u64>() {
                Ok(weight) => territory_weights.push((id, weight)),
                Err(_) => errors.push(FieldError::new("territory_weights", l.t("plan.bad_count"))),
            }
        } else if let Some(month) =
            key.strip_prefix("s_").and_then(|m| m.parse::<usize>().ok()).filter(|m| (1..=12).contains(m))
        {
            match value.replace(',', ".").parse::<f64>() {
                // Weights to a tenth of a percent, as whole numbers.
                Ok(share) if share >= 0.0 && share.is_finite() => {
                    seasonality[month - 1] = (share * 10.0).round() as u64;
                    hand_set = true;
                }
                _ => errors.push(FieldError::new("seasonality", l.t("goals.bad_number"))),
            }
        } else if let Some(rest) = key.strip_prefix("pl_")
            && let Some((id, what)) = rest.split_once('_')
            && let Ok(id) = id.parse::<i64>()
        {
            let line =
                lines.entry(id).or_insert(PlanLine { product_line_id: id, revenue: None, margin: None, deals: None });
            match what {
                "revenue" => match parse_money(value) {
                    Ok(amount) => line.revenue = amount,
                    Err(()) => errors.push(FieldError::new("lines", l.t("plan.bad_amount"))),
                },
                "deals" => match value.parse::<i64>() {
                    Ok(deals) if deals >= 0 => line.deals = Some(deals),
                    _ => errors.push(FieldError::new("lines", l.t("plan.bad_count"))),
                },
                _ => {}
            }
        }
    }
    if revenue.is_none() && errors.iter().all(|e| e.field != "revenue") {
        errors.push(FieldError::new("revenue", l.t("plan.revenue_required")));
    }
    territory_weights.sort_unstable();
    let mut lines: Vec<PlanLine> = lines.into_values().filter(|l| l.revenue.is_some() || l.deals.is_some()).collect();
    lines.sort_by_key(|l| l.product_line_id);
    let plan = CompanyPlan {
        revenue: revenue.unwrap_or_default(),
        margin,
        deals,
        growth_pct: growth,
        split,
        seasonality: hand_set.then_some(seasonality),
        territory_weights,
        lines,
        ..CompanyPlan::new(year)
    };
    for (field, problem) in plan.problems() {
        errors.push(FieldError::new(field, problem));
    }
    if errors.is_empty() { Ok(plan) } else { Err(errors) }
}

pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::CompanyPlan, Action::Edit)?;
    let l = caller.locale;
    let year = form.year().unwrap_or_else(default_year);
    let plan = match plan_of(&form, l) {
        Ok(plan) => plan,
        Err(errors) => {
            let query = PlanQuery { year: Some(year), ..PlanQuery::default() };
            let directories = state.directories.clone();
            let view = with_db(&state, &caller, move |db, caller| {
                let org = caller.user.org;
                let first_month = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
                Ok(View {
                    year,
                    plan: company_plan::find(db, org, year)?,
                    revenue: None,
                    learnt: store_planning::seasonality(
                        db,
                        org,
                        PlanMetric::Revenue,
                        first_month,
                        quotas::SEASONALITY_YEARS,
                        None,
                    )?,
                    quotas: HashMap::new(),
                    directory: directories.get(db, org)?,
                })
            })
            .await?;
            let mut response = render(&caller, &query, &view, &errors, Some(&form)).into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    };
    let saved = with_db(&state, &caller, move |db, caller| {
        match company_plan::save(db, caller.user.org, Some(caller.user.id), &plan) {
            Ok(()) => Ok(Ok(())),
            Err(quotient_store::StoreError::Invalid(message)) => Ok(Err(message)),
            Err(error) => Err(error.into()),
        }
    })
    .await?;
    Ok(redirect(year, saved.map(|()| "saved").map_err(|message| ("not_saved", message))))
}

/// Back to the plan with what was done, or the code of what was refused (the store's own words go
/// to the log: the page shows only messages it knows).
fn redirect(year: i32, outcome: Result<&str, (&str, String)>) -> Response {
    match outcome {
        Ok(done) => Redirect::to(&format!("/plan?year={year}&done={done}")).into_response(),
        Err((code, message)) => {
            tracing::info!(%message, code, "plan change refused");
            Redirect::to(&format!("/plan?year={year}&error={code}")).into_response()
        }
    }
}

pub async fn allocate(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::CompanyPlan, Action::Edit)?;
    let year =
        form.year().ok_or(PageError(Error::invalid("year", caller.locale.t("plan.bad_count")), caller.locale))?;
    let outcome = with_db(&state, &caller, move |db, caller| {
        let org = caller.user.org;
        let plan = company_plan::find(db, org, year)?.ok_or(Error::NotFound)?;
        let written = quotas::allocate(db, org, &plan)
            .and_then(|allocated| quotas::write(db, org, Some(caller.user.id), year, &allocated));
        match written {
            Ok(_) => Ok(Ok("allocated")),
            Err(quotient_store::StoreError::Invalid(message)) => Ok(Err(message)),
            Err(error) => Err(error.into()),
        }
    })
    .await?;
    Ok(redirect(year, outcome.map_err(|message| ("not_allocated", message))))
}

/// Saves the revenue quotas changed by hand, each phased by the plan's seasonality.
pub async fn adjust(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    require(&caller, Resource::CompanyPlan, Action::Edit)?;
    let l = caller.locale;
    let year = form.year().ok_or(PageError(Error::invalid("year", l.t("plan.bad_count")), l))?;
    let mut changes = vec![];
    for (key, value) in &form.fields {
        let Some(rep) = key.strip_prefix("q_").and_then(|r| r.parse::<i64>().ok()) else { continue };
        match parse_money(value.trim()) {
            Ok(Some(amount)) if !amount.is_negative() => changes.push((rep, amount.cents())),
            Ok(None) => {}
            _ => return Ok(redirect(year, Err(("bad_amount", key.clone())))),
        }
    }
    let outcome = with_db(&state, &caller, move |db, caller| {
        let org = caller.user.org;
        let plan = company_plan::find(db, org, year)?.ok_or(Error::NotFound)?;
        let current = quotas::yearly(db, org, year, PlanMetric::Revenue, None)?;
        let objective = Objective { metric: PlanMetric::Revenue, product_line: None, total: 0 };
        let seasonality = quotas::seasonality_of(db, org, &plan, &objective)?;
        for (rep, total) in changes {
            if current.get(&rep).copied() != Some(total) {
                let objective = Objective { total, ..objective };
                match quotas::adjust(db, org, Some(caller.user.id), year, objective, rep, &seasonality) {
                    Ok(()) => {}
                    Err(quotient_store::StoreError::Invalid(message)) => return Ok(Err(message)),
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Ok(Ok("adjusted"))
    })
    .await?;
    Ok(redirect(year, outcome.map_err(|message| ("not_adjusted", message))))
}
