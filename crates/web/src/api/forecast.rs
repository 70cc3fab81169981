//! The forecast API: the period's roll-up, the caller's call, a manager's adjustment, a deal's
//! category, and what changed since last week — the same operations as the command line.

use super::extract::{JsonBody, PathParams, QueryParams};
use super::{ApiError, ApiResult, allowed, run, write};
use crate::app::AppState;
use crate::auth::Caller;
use crate::params::today;
use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use quotient_core::access::{Action, Resource};
use quotient_core::forecast::{Category, ChangeKind};
use quotient_store::Code;
use quotient_store::ids::{OpportunityId, RepId};
use quotient_store::ops::forecast::{self as ops, AdjustCall, ChangesQuery, ForecastQuery, SetCategory, SubmitCall};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forecast", get(read))
        .route("/forecast/changes", get(changes))
        .route("/forecast/{period}/call", put(submit))
        .route("/forecast/{period}/adjustments/{rep_id}", put(adjust))
        .route("/opportunities/{id}/forecast-category", get(category).put(set_category))
}

#[derive(serde::Deserialize)]
struct ForecastParams {
    /// `2027-Q1` or `2027-03`; default: the current quarter.
    period: Option<String>,
    /// A manager's external id: their team alone.
    team: Option<String>,
}

fn current_quarter() -> String {
    quotient_core::Period::containing(quotient_core::period::PeriodKind::Quarter, today()).to_string()
}

/// `GET /api/v1/forecast?period=2027-Q1[&team=M1]`: the roll-up through the hierarchy.
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<ForecastParams>,
) -> ApiResult {
    allowed(&caller, Resource::Forecast, Action::Read)?;
    let query = ForecastQuery {
        period: params.period.unwrap_or_else(current_quarter),
        team: params.team.filter(|t| !t.trim().is_empty()),
        today: today(),
    };
    let directories = state.directories.clone();
    let forecast = run(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        ops::forecast(db, &caller.viewer, &directory, &query).map_err(crate::error::subject_missing)
    })
    .await?;
    Ok(Json(serde_json::to_value(forecast).unwrap_or_default()))
}

#[derive(serde::Deserialize)]
struct ChangesParams {
    team: Option<String>,
}

/// `GET /api/v1/forecast/changes[?team=M1]`: the changes since the last snapshot before this week.
async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<ChangesParams>,
) -> ApiResult {
    allowed(&caller, Resource::Forecast, Action::Read)?;
    let query = ChangesQuery { team: params.team.filter(|t| !t.trim().is_empty()), today: today() };
    let directories = state.directories.clone();
    let changes = run(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        ops::changes(db, &caller.viewer, &directory, &query).map_err(crate::error::subject_missing)
    })
    .await?;
    Ok(Json(serde_json::to_value(changes).unwrap_or_default()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CallBody {
    commit_cents: i64,
    best_case_cents: i64,
}

/// `PUT /api/v1/forecast/{period}/call`: the caller's own call for the period.
async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(period): PathParams<String>,
    body: Result<JsonBody<CallBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Forecast, Action::Edit)?;
    let JsonBody(body) = body?;
    let command = SubmitCall { period, commit_cents: body.commit_cents, best_case_cents: body.best_case_cents };
    let call = write(&state, &caller, move |db, caller| Ok(ops::submit_call(db, &caller.viewer, &command)?)).await?;
    Ok(Json(serde_json::to_value(call).unwrap_or_default()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AdjustmentBody {
    commit_cents: i64,
    best_case_cents: i64,
    note: String,
}

/// `PUT /api/v1/forecast/{period}/adjustments/{rep_id}`: a manager's number for someone beneath them.
async fn adjust(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((period, rep)): PathParams<(String, i64)>,
    body: Result<JsonBody<AdjustmentBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Forecast, Action::Edit)?;
    let JsonBody(body) = body?;
    let command = AdjustCall {
        period,
        rep: RepId(rep),
        commit_cents: body.commit_cents,
        best_case_cents: body.best_case_cents,
        note: body.note,
    };
    let call = write(&state, &caller, move |db, caller| {
        // The person is named by the path: out of reach, they are missing.
        ops::adjust_call(db, &caller.viewer, &command)
            .map_err(|e| crate::error::Error::from(e).missing_when(Code::RepOutOfReach))
    })
    .await?;
    Ok(Json(serde_json::to_value(call).unwrap_or_default()))
}

/// `GET /api/v1/opportunities/{id}/forecast-category`: the deal's category, its stage's default
/// and the override.
async fn category(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<i64>) -> ApiResult {
    allowed(&caller, Resource::Forecast, Action::Read)?;
    let found = run(&state, &caller, move |db, caller| {
        ops::deal_category(db, &caller.viewer, OpportunityId(id))
            .map_err(|e| crate::error::Error::from(e).missing_when(Code::OpportunityOutOfReach))
    })
    .await?;
    Ok(Json(serde_json::to_value(found).unwrap_or_default()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryBody {
    /// A category, or null (or empty) for the stage's default.
    category: Option<String>,
}

/// `PUT /api/v1/opportunities/{id}/forecast-category`: overrides an open deal's category.
async fn set_category(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    body: Result<JsonBody<CategoryBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Forecast, Action::Edit)?;
    let JsonBody(body) = body?;
    let command = SetCategory { opportunity: OpportunityId(id), category: body.category.unwrap_or_default() };
    let set = write(&state, &caller, move |db, caller| {
        ops::set_category(db, &caller.viewer, &command)
            .map_err(|e| crate::error::Error::from(e).missing_when(Code::OpportunityOutOfReach))
    })
    .await?;
    Ok(Json(serde_json::to_value(set).unwrap_or_default()))
}

pub fn openapi_paths() -> Map<String, Value> {
    let answer = |description: &str| json!({ "200": { "description": description, "content": { "application/json": { "schema": { "type": "object" } } } } });
    let body = |schema: Value| json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    let cents = json!({ "type": "integer", "minimum": 0 });
    let period_path = json!({ "name": "period", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[0-9]{4}-(Q[1-4]|[0-9]{2})$" }, "description": "a month (2027-03) or a quarter (2027-Q1)" });
    let team = json!({ "name": "team", "in": "query", "required": false, "schema": { "type": "string" }, "description": "a manager's external id: their team alone" });
    let id = json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } });
    let open_categories: Vec<&str> = Category::KEYS.iter().copied().filter(|k| *k != "closed").collect();
    let mut paths = Map::new();
    paths.insert(
        "/api/v1/forecast".into(),
        json!({ "get": {
            "summary": "The period's forecast rolled up the hierarchy: each person's deals by category (pipeline, best_case, commit, closed, omitted, in cents), their call, their manager's adjustment and note, the rolled and effective calls, quota, plan share, gap and each category's coverage of the gap in basis points; stale calls marked (docs/FORECAST.md). The first read of a new ISO week takes its snapshot",
            "parameters": [
                { "name": "period", "in": "query", "required": false, "schema": { "type": "string" }, "description": "a month (2027-03) or a quarter (2027-Q1); default: the current quarter" },
                team.clone()
            ],
            "responses": answer("the forecast")
        } }),
    );
    paths.insert(
        "/api/v1/forecast/changes".into(),
        json!({ "get": {
            "summary": "What changed in the open pipeline since the last snapshot before this week, per deal and counted per rep and in total",
            "parameters": [team],
            "responses": answer(&format!("the changes; kinds: {}", ChangeKind::KEYS.join(", ")))
        } }),
    );
    paths.insert(
        "/api/v1/forecast/{period}/call".into(),
        json!({ "put": {
            "summary": "Submit the caller's own call (a rep's for their deals, a manager's for their subtree); every call is kept",
            "parameters": [period_path.clone()],
            "requestBody": body(json!({ "type": "object", "required": ["commit_cents", "best_case_cents"], "properties": { "commit_cents": cents.clone(), "best_case_cents": cents.clone() } })),
            "responses": answer("the call stored")
        } }),
    );
    paths.insert(
        "/api/v1/forecast/{period}/adjustments/{rep_id}".into(),
        json!({ "put": {
            "summary": "Adjust the call of someone beneath the caller, with a note; their own call is kept beside it",
            "parameters": [period_path, { "name": "rep_id", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "requestBody": body(json!({ "type": "object", "required": ["commit_cents", "best_case_cents", "note"], "properties": { "commit_cents": cents.clone(), "best_case_cents": cents, "note": { "type": "string", "minLength": 1, "maxLength": 2000 } } })),
            "responses": answer("the adjustment stored")
        } }),
    );
    paths.insert(
        "/api/v1/opportunities/{id}/forecast-category".into(),
        json!({
            "get": { "summary": "A deal's forecast category, its stage's default and the override", "parameters": [id.clone()], "responses": answer("the category") },
            "put": {
                "summary": "Override an open deal's forecast category (its owner or their managers), audited; null returns it to the stage's default",
                "parameters": [id],
                "requestBody": body(json!({ "type": "object", "properties": { "category": { "type": ["string", "null"], "enum": open_categories } } })),
                "responses": answer("the category")
            }
        }),
    );
    paths
}
