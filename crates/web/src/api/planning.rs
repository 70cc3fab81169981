//! The planning and coaching API: the company plan and its allocation into quotas, territory plans
//! and their workflow, account maps and 1:1 sessions — the same store calls and scoping as the pages.

use super::extract::{JsonBody, PathParams, QueryParams};
use super::{ApiError, ApiResult, allowed, run, write};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::Error;
use crate::params::today;
use axum::extract::State;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use quotient_core::access::{Action, Resource};
use quotient_core::coaching::{ActionOwner, DecisionProcess, ObjectiveKpi, Step};
use quotient_core::input::{self, Refusals};
use quotient_core::period::PeriodKind;
use quotient_store::ids::{AccountId, ActionId, ContactId, OneOnOneId, RepId};
use quotient_store::ops::coaching::{
    self, AddAction, AdvanceTerritoryPlan, OpenOneOnOne, SaveDecisionProcess, SaveNotes, SaveTerritoryPlan,
    SetRelationship, TickAction,
};
use quotient_store::ops::goals::{self, GoalInput, SetActivityGoals};
use quotient_store::ops::plans::{self, AdjustQuotas, AllocatePlan, BeyondHistory};
use quotient_store::planning::company_plan::CompanyPlan;
use quotient_store::planning::territory_plans::{self, PlanContent};
use quotient_store::planning::{PlanMetric, account_maps, one_on_ones};
use quotient_store::{Code, StoreError};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans/{year}", get(plan).put(save_plan))
        .route("/plans/{year}/allocate", post(allocate))
        .route("/plans/{year}/quotas", get(quotas_of))
        .route("/plans/{year}/quotas/{rep}", put(adjust))
        .route("/plans/{year}/quota-changes", get(quota_changes))
        .route("/activity-goals", get(activity_goals).put(set_activity_goals))
        .route("/territory-plans", get(territory_overview))
        .route("/territory-plans/{rep}/{year}", get(territory_plan).put(save_territory_plan))
        .route("/territory-plans/{rep}/{year}/{step}", post(territory_step))
        .route("/accounts/{id}/map", get(account_map))
        .route("/accounts/{id}/decision-process", put(decision_process))
        .route("/contacts/{id}/relationship", put(relationship))
        .route("/reps/{rep}/one-on-ones", get(one_on_one_list).post(open_one_on_one))
        .route("/one-on-ones/{id}", get(one_on_one).patch(one_on_one_notes))
        .route("/one-on-ones/{id}/actions", post(add_action))
        .route("/one-on-one-actions/{id}", patch(action_done))
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

async fn plan(State(state): State<AppState>, caller: Caller, PathParams(year): PathParams<i32>) -> ApiResult {
    allowed(&caller, Resource::CompanyPlan, Action::Read)?;
    let plan = run(&state, &caller, move |db, caller| Ok(plans::find_plan(db, &caller.viewer, year)?)).await?;
    Ok(Json(to_json(&plan)))
}

async fn save_plan(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(year): PathParams<i32>,
    plan: Result<JsonBody<CompanyPlan>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::CompanyPlan, Action::Edit)?;
    let JsonBody(plan) = plan?;
    let plan = CompanyPlan { fiscal_year: year, ..plan };
    let saved = run(&state, &caller, move |db, caller| Ok(plans::save_plan(db, &caller.viewer, &plan)?)).await?;
    Ok(Json(to_json(&saved)))
}

/// Allocates the saved plan; `?write=true` makes it the reps' quotas. A plan beyond what history
/// supports needs `?beyond_history=allocate` (spread it anyway) or `keep` (quotas at the realistic
/// goals, the rest unallocated) to be written.
#[derive(serde::Deserialize)]
struct AllocateParams {
    #[serde(default)]
    write: bool,
    #[serde(default)]
    beyond_history: Option<String>,
}

/// The choice named, none when none; refused when it is no choice.
fn beyond_history_of(key: Option<&str>) -> Result<Option<BeyondHistory>, ApiError> {
    match key {
        None | Some("") => Ok(None),
        Some(key) => BeyondHistory::from_key(key)
            .map(Some)
            .ok_or_else(|| ApiError(Error::Store(StoreError::refused("beyond_history", Code::Choice)))),
    }
}

async fn allocate(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(year): PathParams<i32>,
    QueryParams(params): QueryParams<AllocateParams>,
) -> ApiResult {
    allowed(&caller, Resource::CompanyPlan, Action::Edit)?;
    let beyond_history = beyond_history_of(params.beyond_history.as_deref())?;
    let command = AllocatePlan { year, plan: None, write: params.write, as_of: today(), beyond_history };
    let done = run(&state, &caller, move |db, caller| Ok(plans::allocate_plan(db, &caller.viewer, &command)?)).await?;
    let objectives: Vec<Value> = done
        .allocated
        .iter()
        .map(|a| {
            json!({
                "metric": a.objective.metric.key(),
                "product_line_id": a.objective.product_line,
                "total": a.objective.total,
                "seasonality": a.seasonality.shares,
                "risk": a.allocation.total,
                "unallocated": plans::unallocated_of(a),
                "from_month": a.from_month + 1,
                "teams": a.allocation.teams.iter().map(|(team, risk)| json!({ "manager_id": team, "risk": risk })).collect::<Vec<_>>(),
                "reps": a.allocation.reps.iter().map(|q| json!({
                    "rep_id": q.rep, "realistic": q.realistic, "yearly": q.yearly, "monthly": q.monthly,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "fiscal_year": year, "written_rows": done.written, "objectives": objectives })))
}

#[derive(serde::Deserialize)]
struct QuotaParams {
    metric: Option<String>,
}

/// The metric named, revenue when none; refused when it has no quotas.
fn metric_of(key: Option<&str>) -> Result<PlanMetric, ApiError> {
    match key {
        None | Some("") => Ok(PlanMetric::Revenue),
        Some(key) => PlanMetric::from_key(key)
            .filter(|m| m.quota_metric().is_some())
            .ok_or_else(|| ApiError(Error::Store(StoreError::refused("metric", Code::Choice)))),
    }
}

async fn quotas_of(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(year): PathParams<i32>,
    QueryParams(params): QueryParams<QuotaParams>,
) -> ApiResult {
    allowed(&caller, Resource::CompanyPlan, Action::Read)?;
    let metric = metric_of(params.metric.as_deref())?;
    let quotas =
        run(&state, &caller, move |db, caller| Ok(plans::quotas_of(db, &caller.viewer, year, metric)?)).await?;
    Ok(Json(json!({
        "metric": metric.key(),
        "reps": quotas.reps.iter().map(|(rep, yearly)| json!({ "rep_id": rep, "yearly": yearly })).collect::<Vec<_>>(),
        "total": quotas.total,
        "plan": quotas.plan,
        "difference": quotas.difference(),
    })))
}

#[derive(serde::Deserialize)]
struct AdjustBody {
    #[serde(default)]
    metric: Option<String>,
    /// Cents for money, a count otherwise.
    yearly: i64,
    /// Why the quota is lowered: required when it is.
    #[serde(default)]
    reason: Option<String>,
}

async fn adjust(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((year, rep)): PathParams<(i32, i64)>,
    adjust: Result<JsonBody<AdjustBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::CompanyPlan, Action::Edit)?;
    let JsonBody(adjust) = adjust?;
    let metric = metric_of(adjust.metric.as_deref())?;
    let command = AdjustQuotas {
        year,
        metric,
        quotas: vec![(RepId(rep), adjust.yearly)],
        as_of: today(),
        reason: adjust.reason.clone(),
    };
    // The path names the rep: one out of reach is as missing as any other record.
    let quotas = run(&state, &caller, move |db, caller| {
        plans::adjust_quotas(db, &caller.viewer, &command).map_err(|e| Error::from(e).missing_when(Code::RepOutOfReach))
    })
    .await?;
    Ok(Json(json!({
        "rep_id": rep,
        "yearly": adjust.yearly,
        "total": quotas.total,
        "difference": quotas.difference(),
    })))
}

async fn quota_changes(State(state): State<AppState>, caller: Caller, PathParams(year): PathParams<i32>) -> ApiResult {
    allowed(&caller, Resource::CompanyPlan, Action::Read)?;
    let changes = run(&state, &caller, move |db, caller| Ok(plans::quota_changes(db, &caller.viewer, year)?)).await?;
    let changes: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({
                "at": c.at, "user_id": c.user, "rep_id": c.rep, "metric": c.metric, "before": c.before,
                "after": c.after, "lowered": c.lowered, "reason": c.reason,
            })
        })
        .collect();
    Ok(Json(json!({ "fiscal_year": year, "changes": changes })))
}

#[derive(serde::Deserialize)]
struct GoalParams {
    period: Option<String>,
}

/// The activity goals starting within a period (the current month when none).
async fn activity_goals(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<GoalParams>,
) -> ApiResult {
    allowed(&caller, Resource::ActivityGoals, Action::Read)?;
    let period = crate::params::period_param(params.period.as_deref(), PeriodKind::Month)?;
    let found =
        run(&state, &caller, move |db, caller| Ok(goals::activity_goals_of(db, &caller.viewer, period)?)).await?;
    let found: Vec<Value> = found
        .iter()
        .map(|g| json!({ "rep_id": g.rep, "metric": g.metric, "period": g.period.to_string(), "target": g.target }))
        .collect();
    Ok(Json(json!({ "period": period.to_string(), "goals": found })))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GoalBody {
    rep_id: i64,
    metric: String,
    /// `YYYY-Www` or `YYYY-MM`.
    period: String,
    target: i64,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GoalsBody {
    goals: Vec<GoalBody>,
}

/// Sets activity goals, all or none.
async fn set_activity_goals(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody<GoalsBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::ActivityGoals, Action::Edit)?;
    let JsonBody(body) = body?;
    let command = SetActivityGoals {
        goals: body
            .goals
            .into_iter()
            .map(|g| GoalInput { rep: RepId(g.rep_id), metric: g.metric, period: g.period, target: g.target })
            .collect(),
    };
    let changed =
        run(&state, &caller, move |db, caller| Ok(goals::set_activity_goals(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!({ "changed": changed })))
}

#[derive(serde::Deserialize)]
struct YearParams {
    year: Option<i32>,
}

async fn territory_overview(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<YearParams>,
) -> ApiResult {
    allowed(&caller, Resource::TerritoryPlans, Action::Read)?;
    let year = params.year.unwrap_or_else(|| chrono::Datelike::year(&today()));
    let rows = run(&state, &caller, move |db, caller| Ok(territory_plans::overview(db, &caller.viewer, year)?)).await?;
    Ok(Json(json!({ "fiscal_year": year, "plans": to_json(&rows) })))
}

async fn territory_plan(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((rep, year)): PathParams<(i64, i32)>,
) -> ApiResult {
    allowed(&caller, Resource::TerritoryPlans, Action::Read)?;
    let plan = run(&state, &caller, move |db, caller| {
        territory_plans::find(db, &caller.viewer, rep, year, today())?.ok_or(Error::NotFound)
    })
    .await?;
    Ok(Json(json!({ "plan": to_json(&plan), "key_account_coverage": plan.coverage() })))
}

async fn save_territory_plan(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((rep, year)): PathParams<(i64, i32)>,
    content: Result<JsonBody<PlanContent>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::TerritoryPlans, Action::Edit)?;
    let JsonBody(content) = content?;
    let command = SaveTerritoryPlan { rep: RepId(rep), year, content };
    let plan = write(&state, &caller, move |db, caller| {
        coaching::save_territory_plan(db, &caller.viewer, &command)?;
        territory_plans::find(db, &caller.viewer, rep, year, today())?.ok_or(Error::NotFound)
    })
    .await?;
    Ok(Json(to_json(&plan)))
}

#[derive(serde::Deserialize, Default)]
struct StepBody {
    #[serde(default)]
    comment: String,
}

async fn territory_step(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((rep, year, step)): PathParams<(i64, i32, String)>,
    step_body: Option<JsonBody<StepBody>>,
) -> ApiResult {
    allowed(&caller, Resource::TerritoryPlans, Action::Edit)?;
    let step: Step = step.parse().map_err(|_| ApiError::from(Error::NotFound))?;
    let comment = step_body.map(|JsonBody(b)| b.comment).unwrap_or_default();
    let command = AdvanceTerritoryPlan { rep: RepId(rep), year, step, comment };
    let status =
        write(&state, &caller, move |db, caller| Ok(coaching::advance_territory_plan(db, &caller.viewer, &command)?))
            .await?;
    Ok(Json(json!({ "rep_id": rep, "fiscal_year": year, "status": status })))
}

async fn account_map(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<i64>) -> ApiResult {
    allowed(&caller, Resource::Accounts, Action::Read)?;
    let map = run(&state, &caller, move |db, caller| {
        account_maps::load(db, &caller.viewer, id, today())?.ok_or(Error::NotFound)
    })
    .await?;
    Ok(Json(to_json(&map)))
}

async fn decision_process(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    process: Result<JsonBody<DecisionProcess>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Contacts, Action::Edit)?;
    let JsonBody(process) = process?;
    let command = SaveDecisionProcess { account: AccountId(id), process };
    let map = write(&state, &caller, move |db, caller| {
        coaching::save_decision_process(db, &caller.viewer, &command)?;
        account_maps::load(db, &caller.viewer, id, today())?.ok_or(Error::NotFound)
    })
    .await?;
    Ok(Json(to_json(&map)))
}

#[derive(serde::Deserialize)]
struct RelationshipBody {
    relationship: Option<u8>,
    influence: Option<u8>,
}

async fn relationship(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    b: Result<JsonBody<RelationshipBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Contacts, Action::Edit)?;
    let JsonBody(b) = b?;
    let command = SetRelationship { contact: ContactId(id), relationship: b.relationship, influence: b.influence };
    write(&state, &caller, move |db, caller| Ok(coaching::set_relationship(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!({ "contact_id": id, "relationship": b.relationship, "influence": b.influence })))
}

async fn one_on_one_list(State(state): State<AppState>, caller: Caller, PathParams(rep): PathParams<i64>) -> ApiResult {
    allowed(&caller, Resource::OneOnOnes, Action::Read)?;
    let list = run(&state, &caller, move |db, caller| {
        if !caller.viewer.reaches(rep) {
            return Err(Error::NotFound);
        }
        Ok(one_on_ones::list(db, &caller.viewer, rep)?)
    })
    .await?;
    Ok(Json(json!({ "items": to_json(&list) })))
}

async fn open_one_on_one(State(state): State<AppState>, caller: Caller, PathParams(rep): PathParams<i64>) -> ApiResult {
    allowed(&caller, Resource::OneOnOnes, Action::Create)?;
    // The API keeps the quarter it has always frozen.
    let command = OpenOneOnOne { rep: RepId(rep), on: today(), period: PeriodKind::Quarter, lang: caller.locale };
    let session = run(&state, &caller, move |db, caller| {
        let id = coaching::open_one_on_one(db, &caller.viewer, &command)?;
        one_on_ones::find(db, &caller.viewer, id.get())?.ok_or(Error::NotFound)
    })
    .await?;
    Ok(Json(to_json(&session)))
}

async fn one_on_one(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<i64>) -> ApiResult {
    allowed(&caller, Resource::OneOnOnes, Action::Read)?;
    let session =
        run(&state, &caller, move |db, caller| one_on_ones::find(db, &caller.viewer, id)?.ok_or(Error::NotFound))
            .await?;
    Ok(Json(to_json(&session)))
}

#[derive(serde::Deserialize)]
struct NotesBody {
    notes: String,
}

async fn one_on_one_notes(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    notes: Result<JsonBody<NotesBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::OneOnOnes, Action::Edit)?;
    let JsonBody(notes) = notes?;
    let command = SaveNotes { one_on_one: OneOnOneId(id), notes: notes.notes };
    write(&state, &caller, move |db, caller| Ok(coaching::save_notes(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!({ "id": id })))
}

#[derive(serde::Deserialize)]
struct ActionBody {
    description: String,
    owner: String,
    #[serde(default)]
    due_on: Option<String>,
}

async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    action: Result<JsonBody<ActionBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::OneOnOnes, Action::Edit)?;
    let JsonBody(action) = action?;
    let mut refusals = Refusals::new();
    let owner = refusals.take(input::choice("owner", &action.owner));
    let due_on = refusals.take(input::optional_date("due_on", action.due_on.as_deref().unwrap_or_default()));
    let (Some(owner), Some(due_on)) = (owner, due_on) else {
        return Err(Error::Store(StoreError::Refused(refusals.into_vec())).into());
    };
    let command = AddAction { one_on_one: OneOnOneId(id), description: action.description, owner, due_on };
    let created =
        write(&state, &caller, move |db, caller| Ok(coaching::add_action(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!({ "id": created, "one_on_one_id": id })))
}

#[derive(serde::Deserialize)]
struct DoneBody {
    done: bool,
}

async fn action_done(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    done: Result<JsonBody<DoneBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::OneOnOnes, Action::Edit)?;
    let JsonBody(DoneBody { done }) = done?;
    let command = TickAction { action: ActionId(id), done };
    write(&state, &caller, move |db, caller| Ok(coaching::tick_action(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!({ "id": id, "done": done })))
}

/// The planning and coaching operations for the OpenAPI document: path, method, summary.
const OPERATIONS: &[(&str, &str, &str)] = &[
    (
        "/api/v1/plans/{year}",
        "get",
        "The company plan of a fiscal year (amounts in cents); executives and admins (a manager reads their reps' share at /quotas)",
    ),
    (
        "/api/v1/plans/{year}",
        "put",
        "Create or replace the plan: revenue_cents, margin_cents, deals, growth_pct, split (goals | territories), territory_weights [[territory_id, weight]], seasonality (12 weights), lines",
    ),
    (
        "/api/v1/plans/{year}/allocate",
        "post",
        "Allocate the plan to the reps (each objective's risk, unallocated remainder, seasonality and monthly quotas); ?write=true makes them the reps' quotas, keeping the months up to the current one; a plan beyond what history supports needs ?beyond_history=allocate | keep",
    ),
    (
        "/api/v1/plans/{year}/quotas",
        "get",
        "Each reachable rep's yearly quota of a metric (?metric=revenue) and their total; the plan and the difference to it for executives and admins",
    ),
    (
        "/api/v1/plans/{year}/quotas/{rep}",
        "put",
        "Set a rep's yearly quota by hand ({metric, yearly, reason}): the months up to the current one keep theirs, the change is phased by the plan's seasonality over the months to come; lowering needs a reason",
    ),
    (
        "/api/v1/plans/{year}/quota-changes",
        "get",
        "The latest hand changes of the year's quotas within reach, lowered ones marked with their reason",
    ),
    (
        "/api/v1/activity-goals",
        "get",
        "The activity goals (weekly or monthly) starting within ?period= (default: this month), of the reps within reach",
    ),
    (
        "/api/v1/activity-goals",
        "put",
        "Set activity goals, all or none: {goals: [{rep_id, metric, period (YYYY-Www | YYYY-MM), target}]}",
    ),
    ("/api/v1/territory-plans", "get", "Where each reachable rep's territory plan stands (?year=)"),
    (
        "/api/v1/territory-plans/{rep}/{year}",
        "get",
        "A rep's territory plan with the key accounts' progress and coverage",
    ),
    (
        "/api/v1/territory-plans/{rep}/{year}",
        "put",
        "The rep writes their plan (a draft): objectives, new_business, maintenance, channel_strategy, key_accounts, measured_objectives (each linked to a kpi or to one of the key accounts, with a target in the KPI's unit: cents for money)",
    ),
    (
        "/api/v1/territory-plans/{rep}/{year}/{step}",
        "post",
        "submit (the rep), approve or return with {comment} (the rep's manager or above)",
    ),
    (
        "/api/v1/accounts/{id}/map",
        "get",
        "The account's buying committee, its gaps, whether it is covered, its coverage score (0–1) and its decision-making process",
    ),
    (
        "/api/v1/accounts/{id}/decision-process",
        "put",
        "Replace the account's decision-making process: steps (in order: name, decider, due_on, done), criteria, expected_decision_on; answers the account map",
    ),
    ("/api/v1/contacts/{id}/relationship", "put", "Record the relationship and influence (1–5) of a contact"),
    ("/api/v1/reps/{rep}/one-on-ones", "get", "The rep's 1:1 sessions"),
    ("/api/v1/reps/{rep}/one-on-ones", "post", "Open a 1:1: freezes the rep's scorecard of the current quarter"),
    (
        "/api/v1/one-on-ones/{id}",
        "get",
        "A 1:1: frozen KPIs and flags, change since the previous one, actions, open actions carried over",
    ),
    ("/api/v1/one-on-ones/{id}", "patch", "Set the notes ({notes})"),
    ("/api/v1/one-on-ones/{id}/actions", "post", "Add an action ({description, owner: rep | manager, due_on})"),
    ("/api/v1/one-on-one-actions/{id}", "patch", "Mark an action done or open ({done})"),
];

/// The body an operation reads, as far as the document spells it out (the plans' own structures
/// are described in their summaries).
fn body_schema(path: &str, method: &str) -> Value {
    let level = json!({ "type": ["integer", "null"], "minimum": 1, "maximum": 5 });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties });
    match (path, method) {
        ("/api/v1/plans/{year}/quotas/{rep}", "put") => object(
            &["yearly"],
            json!({ "metric": { "type": ["string", "null"], "enum": ["revenue", "margin", "deals", "first_appointments", null] }, "yearly": { "type": "integer" }, "reason": { "type": ["string", "null"], "maxLength": plans::MAX_REASON } }),
        ),
        ("/api/v1/activity-goals", "put") => {
            let keys: Vec<&str> = quotient_core::model::QuotaMetric::ACTIVITY_GOALS.iter().map(|m| m.key()).collect();
            let goal = object(
                &["rep_id", "metric", "period", "target"],
                json!({ "rep_id": { "type": "integer" }, "metric": { "type": "string", "enum": keys }, "period": { "type": "string", "pattern": "^[0-9]{4}-(W[0-9]{2}|[0-9]{2})$" }, "target": { "type": "integer", "minimum": 0 } }),
            );
            object(&["goals"], json!({ "goals": { "type": "array", "items": goal } }))
        }
        ("/api/v1/contacts/{id}/relationship", "put") => {
            object(&[], json!({ "relationship": level, "influence": level }))
        }
        ("/api/v1/accounts/{id}/decision-process", "put") => {
            let line = json!({ "type": "string", "maxLength": coaching::LINE_MAX });
            let step = object(
                &["name"],
                json!({ "name": line, "decider": line, "due_on": { "type": ["string", "null"], "format": "date" }, "done": { "type": "boolean" } }),
            );
            object(
                &[],
                json!({
                    "steps": { "type": "array", "maxItems": coaching::DECISION_ITEMS_MAX, "items": step },
                    "criteria": { "type": "array", "maxItems": coaching::DECISION_ITEMS_MAX, "items": line },
                    "expected_decision_on": { "type": ["string", "null"], "format": "date" },
                }),
            )
        }
        ("/api/v1/territory-plans/{rep}/{year}", "put") => {
            let objective = object(
                &["description", "target"],
                json!({
                    "description": { "type": "string", "maxLength": coaching::LINE_MAX },
                    "kpi": { "type": ["string", "null"], "enum": ObjectiveKpi::KEYS.iter().map(|k| json!(k)).chain([Value::Null]).collect::<Vec<_>>() },
                    "account_id": { "type": ["integer", "null"] },
                    "target": { "type": "integer", "minimum": 0 },
                }),
            );
            object(
                &[],
                json!({
                    "objectives": { "type": "string" },
                    "new_business": { "type": "string" },
                    "maintenance": { "type": "string" },
                    "channel_strategy": { "type": "string" },
                    "key_accounts": { "type": "array", "items": { "type": "object" } },
                    "measured_objectives": { "type": "array", "maxItems": coaching::OBJECTIVES_MAX, "items": objective },
                }),
            )
        }
        ("/api/v1/one-on-ones/{id}", "patch") => {
            object(&["notes"], json!({ "notes": { "type": "string", "maxLength": coaching::NOTES_MAX } }))
        }
        ("/api/v1/one-on-ones/{id}/actions", "post") => object(
            &["description", "owner"],
            json!({ "description": { "type": "string", "maxLength": coaching::ACTION_MAX }, "owner": { "type": "string", "enum": ActionOwner::KEYS }, "due_on": { "type": ["string", "null"], "format": "date" } }),
        ),
        ("/api/v1/one-on-one-actions/{id}", "patch") => object(&["done"], json!({ "done": { "type": "boolean" } })),
        _ => json!({ "type": "object" }),
    }
}

/// The OpenAPI path items of the planning and coaching API.
pub fn openapi_paths() -> serde_json::Map<String, Value> {
    let mut paths = serde_json::Map::new();
    for (path, method, summary) in OPERATIONS {
        let parameters: Vec<Value> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": if name == "step" { "string" } else { "integer" } } }))
            .collect();
        let mut operation = json!({
            "summary": summary,
            "parameters": parameters,
            "responses": { "200": { "description": "done", "content": { "application/json": { "schema": { "type": "object" } } } } },
        });
        if matches!(*method, "put" | "patch") || (*method == "post" && path.contains("actions")) {
            let schema = body_schema(path, method);
            operation["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": schema } } });
        }
        if path.ends_with("{step}") {
            let comment = json!({ "type": "object", "properties": { "comment": { "type": "string" } } });
            operation["requestBody"] =
                json!({ "required": false, "content": { "application/json": { "schema": comment } } });
        }
        let item = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        item[*method] = operation;
    }
    paths
}
