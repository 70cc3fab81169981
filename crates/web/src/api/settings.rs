//! The settings API: the organisation's settings (administrators write, executives read), the
//! rebuild they may start in the background and its progress, and the pipeline's stages and
//! gateway types — the same operations as the settings page.

use super::extract::{JsonBody, PathParams};
use super::{ApiError, ApiResult, allowed, run};
use crate::app::AppState;
use crate::auth::Caller;
use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use quotient_core::access::{Action, Resource};
use quotient_core::settings::Settings;
use quotient_store::crm::pipeline_config::{GatewayTypeInput, StageInput};
use quotient_store::ops::settings::{self as ops, SaveSettings};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(read).put(save))
        .route("/settings/rebuild", get(rebuild_status))
        .route("/settings/pipeline", get(pipeline))
        .route("/settings/stages/{key}", put(save_stage).delete(remove_stage))
        .route("/settings/gateway-types/{key}", put(save_gateway_type))
}

/// The settings as the API shows them: every key with its value, and what each holds.
fn to_json(settings: &Settings) -> Value {
    let values: Map<String, Value> = settings
        .entries()
        .into_iter()
        .map(|(spec, text)| {
            let value = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
            (spec.key.to_string(), value)
        })
        .collect();
    let specs: Vec<Value> = quotient_core::settings::specs().iter().map(|spec| json!(spec)).collect();
    json!({ "values": values, "settings": specs })
}

async fn read(State(state): State<AppState>, caller: Caller) -> ApiResult {
    allowed(&caller, Resource::Settings, Action::Read)?;
    let settings = run(&state, &caller, |db, caller| Ok(ops::read_settings(db, &caller.viewer)?)).await?;
    Ok(Json(to_json(&settings)))
}

/// `{"threshold.closing_ratio": 0.5, "method.lead_follow_up_hours": 24, …}`: every key named is
/// saved, all or none. Answers the settings, and whether a rebuild of the KPIs was started.
async fn save(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody<Map<String, Value>>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Settings, Action::Edit)?;
    let JsonBody(body) = body?;
    // A number or a switch is read from its JSON text; a string as written (`"0.5"`); anything
    // else is refused by the setting's own check.
    let values = body
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            (key, text)
        })
        .collect();
    let command = SaveSettings { values };
    let saved = run(&state, &caller, move |db, caller| Ok(ops::save_settings(db, &caller.viewer, &command)?)).await?;
    if saved.rebuild_rollups {
        state.rebuilds.start(&state.pool, caller.viewer.clone());
    }
    let mut answer = to_json(&saved.settings);
    answer["changed"] = json!(saved.changed);
    answer["rebuild_started"] = json!(saved.rebuild_rollups);
    Ok(Json(answer))
}

/// Where the background rebuild stands: `{"state", "done", "total", "cells"}`.
async fn rebuild_status(State(state): State<AppState>, caller: Caller) -> ApiResult {
    allowed(&caller, Resource::Settings, Action::Read)?;
    Ok(Json(json!(state.rebuilds.status(caller.viewer.org))))
}

async fn pipeline(State(state): State<AppState>, caller: Caller) -> ApiResult {
    allowed(&caller, Resource::Settings, Action::Read)?;
    let setup = run(&state, &caller, |db, caller| Ok(ops::pipeline_setup(db, &caller.viewer)?)).await?;
    Ok(Json(json!(setup)))
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct StageBody {
    name: String,
    probability_pct: Option<Value>,
    position: Option<Value>,
    milestone: Option<String>,
    forecast_category: Option<String>,
    definition: String,
    business_rules: String,
}

/// A JSON scalar as the text the operation reads (a number as written, nothing as empty).
fn text_of(value: Option<Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text,
        Some(other) => other.to_string(),
    }
}

async fn save_stage(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(key): PathParams<String>,
    body: Result<JsonBody<StageBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Settings, Action::Edit)?;
    let JsonBody(body) = body?;
    let stage = StageInput {
        key,
        name: body.name,
        probability_pct: text_of(body.probability_pct),
        position: text_of(body.position),
        milestone: body.milestone.unwrap_or_default(),
        forecast_category: body.forecast_category.unwrap_or_default(),
        definition: body.definition,
        business_rules: body.business_rules,
    };
    let saved = run(&state, &caller, move |db, caller| Ok(ops::save_stage(db, &caller.viewer, &stage)?)).await?;
    Ok(Json(json!(saved)))
}

async fn remove_stage(State(state): State<AppState>, caller: Caller, PathParams(key): PathParams<String>) -> ApiResult {
    allowed(&caller, Resource::Settings, Action::Edit)?;
    run(&state, &caller, move |db, caller| Ok(ops::remove_stage(db, &caller.viewer, &key)?)).await?;
    Ok(Json(json!({ "removed": true })))
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct GatewayTypeBody {
    name: String,
    definition: String,
    business_rules: String,
    evaluation: Option<String>,
    retired: bool,
}

async fn save_gateway_type(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(key): PathParams<String>,
    body: Result<JsonBody<GatewayTypeBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Settings, Action::Edit)?;
    let JsonBody(body) = body?;
    let gateway = GatewayTypeInput {
        key,
        name: body.name,
        definition: body.definition,
        business_rules: body.business_rules,
        evaluation: body.evaluation.unwrap_or_default(),
        retired: body.retired,
    };
    let saved =
        run(&state, &caller, move |db, caller| Ok(ops::save_gateway_type(db, &caller.viewer, &gateway)?)).await?;
    Ok(Json(json!(saved)))
}

/// The settings routes in the OpenAPI document.
pub fn openapi_paths() -> Map<String, Value> {
    let object = |properties: Value| json!({ "type": "object", "properties": properties });
    let answer = |description: &str| json!({ "200": { "description": description, "content": { "application/json": { "schema": { "type": "object" } } } } });
    let body = |schema: Value| json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    let key = json!([{ "name": "key", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[a-z][a-z0-9_]*$" } }]);
    let settings_body = json!({
        "type": "object",
        "description": "setting key → value: threshold.KEY (a number; shares as fractions, 0.65 = 65%), standard.KEY.enabled (true/false), standard.KEY.target (a number), method.KEY (a whole number); every key named is saved, all or none (docs/KPIS.md: settings)",
        "additionalProperties": { "type": ["number", "boolean", "string"] }
    });
    let text = json!({ "type": "string", "maxLength": 4000 });
    let stage = object(json!({
        "name": { "type": "string", "maxLength": 80 },
        "probability_pct": { "type": ["integer", "string"], "minimum": 0, "maximum": 100 },
        "position": { "type": ["integer", "string", "null"], "minimum": 0, "maximum": 1000 },
        "milestone": { "type": ["string", "null"], "enum": ["first_appointment", "gateway", "proposal", "", null] },
        "forecast_category": { "type": ["string", "null"], "enum": ["pipeline", "best_case", "commit", "omitted", "", null], "description": "the forecast category the stage's open deals default to; empty or null: pipeline" },
        "definition": text.clone(), "business_rules": text.clone()
    }));
    let gateway = object(json!({
        "name": { "type": "string", "maxLength": 80 },
        "evaluation": { "type": ["string", "null"], "enum": ["side_by_side", "solution_based", "", null] },
        "retired": { "type": "boolean" },
        "definition": text.clone(), "business_rules": text
    }));
    let mut paths = Map::new();
    paths.insert(
        "/api/v1/settings".into(),
        json!({
            "get": { "summary": "The organisation's settings: every value and what each holds (administrators and executives)", "responses": answer("the settings") },
            "put": { "summary": "Save settings (administrators); a change of the follow-up window or the authority cut-off starts a rebuild of the KPIs in the background", "requestBody": body(settings_body), "responses": answer("the settings saved, the keys changed and whether a rebuild started") }
        }),
    );
    paths.insert(
        "/api/v1/settings/rebuild".into(),
        json!({ "get": { "summary": "The background rebuild of the KPIs: state (idle, running, done, failed), reps done of total", "responses": answer("the rebuild's status") } }),
    );
    paths.insert(
        "/api/v1/settings/pipeline".into(),
        json!({ "get": { "summary": "The pipeline's stages and gateway types with their definitions, business rules and use", "responses": answer("the stages and gateway types") } }),
    );
    paths.insert(
        "/api/v1/settings/stages/{key}".into(),
        json!({
            "put": { "summary": "Save a stage (a new key adds an open stage)", "parameters": key.clone(), "requestBody": body(stage), "responses": answer("the stage") },
            "delete": { "summary": "Remove a stage no opportunity is or was at (the pipeline keeps an open, a won and a lost stage)", "parameters": key.clone(), "responses": answer("removed") }
        }),
    );
    paths.insert(
        "/api/v1/settings/gateway-types/{key}".into(),
        json!({ "put": { "summary": "Save a gateway type (a new key adds one; retired keeps it on the deals that name it)", "parameters": key, "requestBody": body(gateway), "responses": answer("the gateway type") } }),
    );
    paths
}
