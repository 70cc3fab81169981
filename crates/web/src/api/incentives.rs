//! The incentives API (`INCENTIVES.md`): statements of a month, their approval, lock and disputes,
//! a rep's earnings, the year's plans file (read, saved, previewed) and the contests' standings —
//! the same operations as the pages and `quotient statements`.

use super::extract::{JsonBody, PathParams, QueryParams};
use super::{ApiError, ApiResult, allowed, run, subject_param, write};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{Error, subject_missing};
use crate::params::{period_param, today};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use quotient_core::access::{Action, Resource};
use quotient_core::period::PeriodKind;
use quotient_store::access::Viewer;
use quotient_store::ids::RepId;
use quotient_store::incentives::sheet::StatementSheet;
use quotient_store::ops::incentives::{
    self as ops, DisputeLine, Resolution, ResolveDispute, SavePlans, StatementRef, StatementsOf,
};
use quotient_store::{Code, Db, Result as StoreResult};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/statements", get(statements))
        .route("/statements/{rep}/{period}/approve", post(approve))
        .route("/statements/{rep}/{period}/lock", post(lock))
        .route("/statements/{rep}/{period}/disputes", post(dispute))
        .route("/disputes", get(disputes))
        .route("/disputes/{id}/resolve", post(resolve))
        .route("/earnings", get(earnings))
        .route("/incentives/{year}", get(plans_file).put(save_plans))
        .route("/incentives/{year}/preview", post(preview))
        .route("/contests", get(contests))
}

#[derive(serde::Deserialize)]
struct StatementsParams {
    /// `YYYY-MM`; default: this month.
    period: Option<String>,
    /// A rep's external id.
    rep: Option<String>,
    /// A manager's external id: their whole team.
    team: Option<String>,
}

fn month(text: Option<&str>) -> Result<quotient_core::Period, ApiError> {
    Ok(period_param(text, PeriodKind::Month)?)
}

/// `GET /api/v1/statements?period=2026-03[&rep=R1|&team=M1]`: the statements of the month in the
/// caller's reach (a rep their own).
async fn statements(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<StatementsParams>,
) -> ApiResult {
    allowed(&caller, Resource::Statements, Action::Read)?;
    let period = month(params.period.as_deref())?;
    let subject = match (&params.rep, &params.team) {
        (Some(rep), None) => subject_param(Some(&format!("rep:{rep}")))?,
        (None, Some(team)) => subject_param(Some(&format!("team:{team}")))?,
        (None, None) => subject_param(None)?,
        (Some(_), Some(_)) => return Err(Error::invalid("rep", "name a rep or a team, not both").into()),
    };
    let query = StatementsOf { period, subject, today: today() };
    let sheets =
        run(&state, &caller, move |db, caller| ops::statements(db, &caller.viewer, &query).map_err(subject_missing))
            .await?;
    Ok(Json(json!({ "period": period.to_string(), "statements": sheets })))
}

fn statement_ref(rep: i64, period: &str) -> Result<StatementRef, ApiError> {
    Ok(StatementRef { rep: RepId(rep), period: month(Some(period))?, today: today() })
}

/// What moves a statement on: approving it or locking it.
type Settle = fn(&mut Db, &Viewer, &StatementRef) -> StoreResult<StatementSheet>;

async fn settle(state: &AppState, caller: &Caller, rep: i64, period: &str, step: Settle) -> ApiResult {
    allowed(caller, Resource::Statements, Action::Edit)?;
    let statement = statement_ref(rep, period)?;
    let sheet = write(state, caller, move |db, caller| Ok(step(db, &caller.viewer, &statement)?)).await?;
    Ok(Json(json!(sheet)))
}

/// `POST /api/v1/statements/{rep}/{period}/approve`: the rep's manager approves an ended month.
async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((rep, period)): PathParams<(i64, String)>,
) -> ApiResult {
    settle(&state, &caller, rep, &period, ops::approve_statement).await
}

/// `POST /api/v1/statements/{rep}/{period}/lock`: an executive or admin locks (pays) it.
async fn lock(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((rep, period)): PathParams<(i64, String)>,
) -> ApiResult {
    settle(&state, &caller, rep, &period, ops::lock_statement).await
}

/// The body of a dispute: the line (a deal's external id, a component's key, `adjustment:N`,
/// `award:N`) and why.
#[derive(serde::Deserialize)]
struct DisputeBody {
    line: String,
    comment: String,
}

/// `POST /api/v1/statements/{rep}/{period}/disputes`: the rep disputes a line of their statement.
async fn dispute(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((rep, period)): PathParams<(i64, String)>,
    body: Result<JsonBody<DisputeBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Statements, Action::Create)?;
    let JsonBody(body) = body?;
    let command = DisputeLine {
        rep: RepId(rep),
        period: month(Some(&period))?,
        line: body.line,
        comment: body.comment,
        today: today(),
    };
    let opened = write(&state, &caller, move |db, caller| Ok(ops::dispute_line(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!(opened)))
}

#[derive(serde::Deserialize)]
struct PeriodParams {
    period: Option<String>,
}

/// `GET /api/v1/disputes?period=2026-03`: the month's disputes in the caller's reach.
async fn disputes(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<PeriodParams>,
) -> ApiResult {
    allowed(&caller, Resource::Statements, Action::Read)?;
    let period = month(params.period.as_deref())?;
    let found = run(&state, &caller, move |db, caller| Ok(ops::disputes_of(db, &caller.viewer, period)?)).await?;
    Ok(Json(json!({ "period": period.to_string(), "disputes": found })))
}

/// The body of a resolution: accepted with an adjustment (cents), or rejected; a note either way.
#[derive(serde::Deserialize)]
struct ResolveBody {
    accept: bool,
    #[serde(default)]
    amount_cents: i64,
    note: String,
}

/// `POST /api/v1/disputes/{id}/resolve`: the rep's manager accepts or rejects a dispute.
async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    body: Result<JsonBody<ResolveBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Statements, Action::Edit)?;
    let JsonBody(body) = body?;
    let resolution =
        if body.accept { Resolution::Accept { amount_cents: body.amount_cents } } else { Resolution::Reject };
    let command = ResolveDispute { dispute: id, resolution, note: body.note, today: today() };
    let resolved =
        write(&state, &caller, move |db, caller| Ok(ops::resolve_dispute(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!(resolved)))
}

#[derive(serde::Deserialize)]
struct EarningsParams {
    /// A rep's id; default: the caller's own.
    rep: Option<i64>,
}

/// `GET /api/v1/earnings[?rep=ID]`: the month so far, the year to date, the next tiers and the
/// open deals' what-ifs.
async fn earnings(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<EarningsParams>,
) -> ApiResult {
    allowed(&caller, Resource::Statements, Action::Read)?;
    let rep = params.rep.or(caller.viewer.rep_id).ok_or(ApiError::from(Error::NotFound))?;
    let found = run(&state, &caller, move |db, caller| {
        ops::earnings(db, &caller.viewer, RepId(rep), today())
            .map_err(|e| Error::from(e).missing_when(Code::RepOutOfReach))
    })
    .await?;
    Ok(Json(json!(found)))
}

/// `GET /api/v1/incentives/{year}`: the year's plans file as saved.
async fn plans_file(State(state): State<AppState>, caller: Caller, PathParams(year): PathParams<i32>) -> ApiResult {
    allowed(&caller, Resource::IncentivePlans, Action::Read)?;
    let text = run(&state, &caller, move |db, caller| Ok(ops::plans_file(db, &caller.viewer, year)?)).await?;
    let text = text.ok_or(ApiError::from(Error::NotFound))?;
    Ok(Json(serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

/// `PUT /api/v1/incentives/{year}`: saves the year's plans file, replacing its plans and contests.
async fn save_plans(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(year): PathParams<i32>,
    body: Result<JsonBody<Value>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::IncentivePlans, Action::Edit)?;
    let JsonBody(file) = body?;
    let command = SavePlans { fiscal_year: year, file: file.to_string() };
    let saved = write(&state, &caller, move |db, caller| Ok(ops::save_plans(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!(saved)))
}

/// `POST /api/v1/incentives/{year}/preview`: checks a plans file and shows what it would have paid
/// over the year before, saving nothing.
async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(year): PathParams<i32>,
    body: Result<JsonBody<Value>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::IncentivePlans, Action::Read)?;
    let JsonBody(file) = body?;
    let command = SavePlans { fiscal_year: year, file: file.to_string() };
    let checked = run(&state, &caller, move |db, caller| Ok(ops::check_plans(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!(checked)))
}

#[derive(serde::Deserialize)]
struct ContestsParams {
    /// Default: this year.
    year: Option<i32>,
}

/// `GET /api/v1/contests[?year=2026]`: the standings of the year's contests that have started.
async fn contests(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<ContestsParams>,
) -> ApiResult {
    allowed(&caller, Resource::Leaderboard, Action::Read)?;
    let today = today();
    let year = params.year.unwrap_or(today.year());
    let directories = state.directories.clone();
    let found = run(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        Ok(ops::contest_standings(db, &caller.viewer, &directory, year, today)?)
    })
    .await?;
    Ok(Json(json!({ "year": year, "contests": found })))
}

/// The incentives' paths for the OpenAPI document.
pub fn openapi_paths() -> Map<String, Value> {
    let answer = |description: &str| json!({ "200": { "description": description, "content": { "application/json": { "schema": { "type": "object" } } } } });
    let body = |schema: Value| json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    let query = |name: &str, description: &str| json!({ "name": name, "in": "query", "schema": { "type": "string" }, "description": description });
    let statement_path = json!([
        { "name": "rep", "in": "path", "required": true, "schema": { "type": "integer" }, "description": "the rep's id" },
        { "name": "period", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" } }
    ]);
    let year = json!([{ "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } }]);
    let plans_file = json!({ "type": "object", "required": ["fiscal_year", "plans"], "description": "the plans file of INCENTIVES.md §7: fiscal_year, plans (name, assignments, components), contests" });
    let mut paths = Map::new();
    paths.insert("/api/v1/statements".into(), json!({ "get": {
        "summary": "The statements of a month in the caller's reach (a rep their own): per component credited, quota, attainment, earnings and due, with the deal lines; adjustments (a change after a lock names its deal, plan and component_key, and fiscal_year when that statement is of an earlier year), awards, draw, payable and state",
        "parameters": [query("period", "YYYY-MM; default: this month"), query("rep", "a rep's external id"), query("team", "a manager's external id")],
        "responses": answer("period and statements")
    } }));
    paths.insert(
        "/api/v1/statements/{rep}/{period}/approve".into(),
        json!({ "post": {
        "summary": "Approve a rep's statement of an ended month (the rep's manager or above)",
        "parameters": statement_path.clone(), "responses": answer("the statement approved")
    } }),
    );
    paths.insert(
        "/api/v1/statements/{rep}/{period}/lock".into(),
        json!({ "post": {
        "summary": "Lock (pay) an approved statement (executives and admins); it never changes again",
        "parameters": statement_path.clone(), "responses": answer("the statement locked")
    } }),
    );
    paths.insert("/api/v1/statements/{rep}/{period}/disputes".into(), json!({ "post": {
        "summary": "Dispute a line of one's own statement with a comment",
        "parameters": statement_path,
        "requestBody": body(json!({ "type": "object", "required": ["line", "comment"], "properties": {
            "line": { "type": "string", "description": "a deal's external id, a component's key, adjustment:N or award:N" },
            "comment": { "type": "string", "maxLength": ops::NOTE_MAX } } })),
        "responses": answer("the dispute")
    } }));
    paths.insert(
        "/api/v1/disputes".into(),
        json!({ "get": {
        "summary": "The disputes of a month's statements in the caller's reach",
        "parameters": [query("period", "YYYY-MM; default: this month")], "responses": answer("period and disputes")
    } }),
    );
    paths.insert(
        "/api/v1/disputes/{id}/resolve".into(),
        json!({ "post": {
        "summary": "Accept (with an adjustment on the rep's next unlocked statement) or reject a dispute, with a note",
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
        "requestBody": body(json!({ "type": "object", "required": ["accept", "note"], "properties": {
            "accept": { "type": "boolean" }, "amount_cents": { "type": "integer" },
            "note": { "type": "string", "maxLength": ops::NOTE_MAX } } })),
        "responses": answer("the dispute resolved")
    } }),
    );
    paths.insert("/api/v1/earnings".into(), json!({ "get": {
        "summary": "A rep's earnings: this month so far, the year to date, what the next tier of each component is worth, what closing each open deal this month would add",
        "parameters": [{ "name": "rep", "in": "query", "schema": { "type": "integer" }, "description": "a rep's id; default: the caller" }],
        "responses": answer("the earnings")
    } }));
    paths.insert("/api/v1/incentives/{year}".into(), json!({
        "get": { "summary": "The year's plans file as saved (executives, admins, managers)", "parameters": year.clone(), "responses": answer("the plans file") },
        "put": { "summary": "Save the year's plans file, replacing its plans and contests (executives and admins); every mistake is refused with its JSON path", "parameters": year.clone(), "requestBody": body(plans_file.clone()), "responses": answer("what was saved and what it would have paid last year") }
    }));
    paths.insert("/api/v1/incentives/{year}/preview".into(), json!({ "post": {
        "summary": "Check a plans file and show what it would have paid each rep and team over the year before, as a share of revenue; nothing is saved",
        "parameters": year, "requestBody": body(plans_file), "responses": answer("the check and the preview")
    } }));
    paths.insert("/api/v1/contests".into(), json!({ "get": {
        "summary": "The standings of the year's contests that have started (live while they run), with their prizes",
        "parameters": [{ "name": "year", "in": "query", "schema": { "type": "integer" }, "description": "default: this year" }],
        "responses": answer("year and contests")
    } }));
    paths
}
