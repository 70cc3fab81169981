//! The JSON API under `/api/v1`: the same scoping as the pages, authenticated by an API token
//! (`Authorization: Bearer …`) or the session (with the `X-CSRF-Token` header for writes).
//! Errors are `{"error": {"code", "message", "fields"}}` with a stable code.

mod extract;
mod feedback;
mod forecast;
mod incentives;
mod openapi;
mod planning;
mod settings;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::Error;
use crate::params::{ListParams, as_of, period_param};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use extract::{JsonBody, PathParams, QueryParams};
use quotient_core::access::{Action, Resource};
use quotient_core::input::{self, Refusals};
use quotient_core::period::PeriodKind;
use quotient_store::StoreError;
use quotient_store::crm::browse::{self, Listing, Record};
use quotient_store::crm::forms::{self, Form};
use quotient_store::crm::values::Values;
use quotient_store::ids::{LeadId, OpportunityId, RecordId, RepId};
use quotient_store::ops::activities::{self, LogActivity};
use quotient_store::ops::pipeline::{self as pipeline_ops, MoveStage};
use quotient_store::ops::records::{self, ConvertLead, CreateRecord, RecordRef, Unsent, UpdateRecord};
use quotient_store::ops::reports::{self, BreakdownsOn, Named, ReportOn, SubjectRequest};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(me))
        .route("/scorecards", get(scorecards))
        .route("/breakdowns", get(breakdowns))
        .route("/activities", get(list_activities).post(log_activity))
        .route("/{resource}", get(list).post(create))
        .route("/{resource}/{id}", get(detail).patch(update).delete(delete))
        .route("/{resource}/{id}/restore", post(restore))
        .route("/leads/{id}/convert", post(convert_lead))
        .route("/opportunities/{id}/stage", post(move_stage))
        .merge(planning::router())
        .merge(settings::router())
        .merge(feedback::router())
        .merge(incentives::router())
        .merge(forecast::router())
}

/// An API handler's result: errors answer as JSON.
pub struct ApiError(Error);

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_json()
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

async fn run<T: Send + 'static>(
    state: &AppState,
    caller: &Caller,
    work: impl FnOnce(&mut quotient_store::Db, &Caller) -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    let caller = caller.clone();
    Ok(state.pool.run(move |db| work(db, &caller)).await?)
}

/// Like [`run`], for a short write: committed together with the writes queued beside it (and run
/// again alone should their shared commit fail).
async fn write<T: Send + 'static>(
    state: &AppState,
    caller: &Caller,
    work: impl Fn(&mut quotient_store::Db, &Caller) -> Result<T, Error> + Send + 'static,
) -> Result<T, ApiError> {
    let caller = caller.clone();
    Ok(state.pool.write(move |db| work(db, &caller)).await?)
}

fn allowed(caller: &Caller, resource: Resource, action: Action) -> Result<(), ApiError> {
    if caller.viewer.may(resource, action) { Ok(()) } else { Err(ApiError(Error::NotFound)) }
}

async fn me(caller: Caller) -> ApiResult {
    Ok(Json(json!({
        "id": caller.user.id,
        "email": caller.user.email,
        "name": caller.user.name,
        "role": caller.user.role.key(),
        "organisation": caller.org_name,
        "language": caller.locale.tag(),
    })))
}

#[derive(serde::Deserialize)]
struct ScorecardParams {
    /// Default: the current quarter (the pages open a rep on the week and the team on the month).
    period: Option<String>,
    /// `rep:ID`, `team:MANAGER_ID` (external ids) or `organisation`; default: the caller's own
    /// (`ops::reports::subject`).
    subject: Option<String>,
    /// The page of the subject's reps (from 0; the total is always the whole subject's).
    #[serde(default)]
    page: i64,
    /// Reps per page: 100 by default, at most 1,000.
    page_size: Option<i64>,
}

async fn scorecards(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<ScorecardParams>,
) -> ApiResult {
    let (period, subject) = report_params(&caller, &params)?;
    let paging = ListParams { page: params.page, page_size: params.page_size, ..ListParams::default() };
    let (page, page_size) = paging.api_paging()?;
    let directories = state.directories.clone();
    let (report, reps_total) = run(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let request = ReportOn { subject, period, as_of: as_of(period), lang: caller.locale };
        let scorecards =
            reports::scorecards(db, &caller.viewer, &directory, &request).map_err(crate::error::subject_missing)?;
        // Only the page's cards are made: a whole organisation's would be tens of megabytes.
        let first = usize::try_from(page.saturating_mul(page_size)).unwrap_or(usize::MAX);
        let on_page = scorecards.reps().iter().skip(first).take(page_size as usize);
        let mut report = scorecards.head();
        report.reps = on_page.map(|&rep| scorecards.card(rep)).collect();
        Ok((report, scorecards.reps().len()))
    })
    .await?;
    let mut body = serde_json::to_value(report).unwrap_or_default();
    body["page"] = page.into();
    body["page_size"] = page_size.into();
    body["reps_total"] = reps_total.into();
    Ok(Json(body))
}

/// What a scorecards or breakdowns request asks for, once the caller may read scorecards: the
/// period (the current quarter by default) and the subject.
fn report_params(
    caller: &Caller,
    params: &ScorecardParams,
) -> Result<(quotient_core::Period, SubjectRequest), ApiError> {
    allowed(caller, Resource::Scorecards, Action::Read)?;
    Ok((period_param(params.period.as_deref(), PeriodKind::Quarter)?, subject_param(params.subject.as_deref())?))
}

/// The `subject` parameter: `rep:ID`, `team:MANAGER_ID`, `organisation`, or the caller's own.
fn subject_param(text: Option<&str>) -> Result<SubjectRequest, ApiError> {
    let text = text.unwrap_or_default();
    Ok(match text.split_once(':') {
        Some(("rep", id)) => SubjectRequest::Rep(Named::Key(id.to_string())),
        Some(("team", id)) => SubjectRequest::Team(Named::Key(id.to_string())),
        None if text == "organisation" => SubjectRequest::Organisation,
        None if text.is_empty() => SubjectRequest::Own,
        _ => return Err(ApiError(Error::NotFound)),
    })
}

/// The subject's opportunities by gateway type, lead source and lost reason (`docs/KPIS.md`).
async fn breakdowns(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<ScorecardParams>,
) -> ApiResult {
    let (period, subject) = report_params(&caller, &params)?;
    let directories = state.directories.clone();
    let breakdowns = run(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let request = BreakdownsOn { subject, period };
        reports::breakdowns(db, &caller.viewer, &directory, &request).map_err(crate::error::subject_missing)
    })
    .await?;
    Ok(Json(serde_json::to_value(breakdowns).unwrap_or_default()))
}

fn listing(resource: &str) -> Result<&'static Listing, ApiError> {
    browse::listing(resource).ok_or(ApiError(Error::NotFound))
}

/// A record as JSON: its id, external id, and every listed column by key.
pub fn record_json(listing: &Listing, record: &Record) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(record.id));
    object.insert("external_id".into(), json!(record.external_id));
    object.insert("deleted".into(), json!(record.deleted));
    for (column, cell) in listing.columns.iter().zip(&record.cells) {
        let key =
            if column.shown == browse::Shown::Money { format!("{}_cents", column.key) } else { column.key.to_string() };
        let value = match cell {
            browse::Cell::Money(money) => json!(money.cents()),
            other => serde_json::to_value(other).unwrap_or_default(),
        };
        object.insert(key, value);
    }
    Value::Object(object)
}

async fn list_records(state: AppState, caller: Caller, resource: String, params: ListParams) -> ApiResult {
    let listing = listing(&resource)?;
    allowed(&caller, listing.resource, Action::Read)?;
    let (page_number, page_size) = params.api_paging()?;
    let query = params.query(page_size);
    let page = run(&state, &caller, move |db, caller| Ok(browse::list(db, &caller.viewer, listing, &query)?)).await?;
    Ok(Json(json!({
        "total": page.total,
        "page": page_number,
        "page_size": page_size,
        "items": page.records.iter().map(|r| record_json(listing, r)).collect::<Vec<_>>(),
    })))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(resource): PathParams<String>,
    QueryParams(params): QueryParams<ListParams>,
) -> ApiResult {
    list_records(state, caller, resource, params).await
}

async fn list_activities(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<ListParams>,
) -> ApiResult {
    list_records(state, caller, "activities".into(), params).await
}

async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((resource, id)): PathParams<(String, i64)>,
) -> ApiResult {
    let listing = listing(&resource)?;
    allowed(&caller, listing.resource, Action::Read)?;
    let record =
        run(&state, &caller, move |db, caller| browse::detail(db, &caller.viewer, listing, id)?.ok_or(Error::NotFound))
            .await?;
    Ok(Json(record_json(listing, &record)))
}

/// The body of `POST /api/v1/activities`.
#[derive(serde::Deserialize)]
pub struct NewActivityBody {
    /// The rep's internal id; default: the caller's own.
    pub rep_id: Option<RepId>,
    #[serde(rename = "type")]
    pub kind: String,
    pub outcome: Option<String>,
    /// Default: now.
    pub occurred_at: Option<DateTime<Utc>>,
    pub opportunity_id: Option<OpportunityId>,
}

async fn log_activity(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody<NewActivityBody>, ApiError>,
) -> Result<Response, ApiError> {
    allowed(&caller, Resource::Activities, Action::Create)?;
    let JsonBody(body) = body?;
    let mut refusals = Refusals::new();
    let kind = refusals.take(input::choice("type", &body.kind));
    let outcome = refusals.take(input::optional_choice("outcome", body.outcome.as_deref().unwrap_or_default()));
    let (Some(kind), Some(outcome)) = (kind, outcome) else {
        return Err(ApiError(Error::Store(StoreError::Refused(refusals.into_vec()))));
    };
    let command = LogActivity {
        rep: body.rep_id,
        kind,
        occurred_at: body.occurred_at.unwrap_or_else(Utc::now),
        opportunity: body.opportunity_id,
        outcome,
    };
    let id = write(&state, &caller, move |db, caller| Ok(activities::log(db, &caller.viewer, &command)?.id)).await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// A JSON object of a form's fields, read once the caller may send it.
type FormBody = Result<JsonBody<Map<String, Value>>, ApiError>;

/// A JSON object's fields as form values: strings as they are, numbers as written, `null` empty.
fn form_values(body: FormBody) -> Result<Values, ApiError> {
    let JsonBody(object) = body?;
    let mut values = Values::new();
    for (key, value) in object {
        let text = match value {
            Value::Null => String::new(),
            Value::String(text) => text,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err(ApiError(Error::invalid(&key, "give a string, a number or null"))),
        };
        values.insert(key, text);
    }
    Ok(values)
}

/// The form of a resource path, for a caller whose role may take `action` on it.
fn form_for(caller: &Caller, resource: &str, action: Action) -> Result<&'static Form, ApiError> {
    let form = forms::form(resource).ok_or(ApiError(Error::NotFound))?;
    allowed(caller, form.resource, action)?;
    Ok(form)
}

/// `POST /api/v1/{resource}`: the body's fields are the create form's; amounts as the caller's
/// language writes them (a plain `1250.50` reads in every language).
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(resource): PathParams<String>,
    body: FormBody,
) -> Result<Response, ApiError> {
    let form = form_for(&caller, &resource, Action::Create)?;
    let command = CreateRecord { form, values: form_values(body)?, lang: caller.locale };
    let id = run(&state, &caller, move |db, caller| Ok(records::create(db, &caller.viewer, &command)?)).await?;
    Ok((axum::http::StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// `PATCH /api/v1/{resource}/{id}`: changes the fields given, keeps the others.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((resource, id)): PathParams<(String, i64)>,
    body: FormBody,
) -> ApiResult {
    let form = form_for(&caller, &resource, Action::Edit)?;
    let command =
        UpdateRecord { form, id: RecordId(id), values: form_values(body)?, unsent: Unsent::Kept, lang: caller.locale };
    run(&state, &caller, move |db, caller| Ok(records::update(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!({ "id": id })))
}

/// A record of a listed resource the caller's role may delete and restore.
fn deletable(caller: &Caller, resource: &str, id: i64) -> Result<RecordRef, ApiError> {
    let record = RecordRef::of(resource, RecordId(id)).ok_or(ApiError(Error::NotFound))?;
    allowed(caller, record.listing.resource, Action::Delete)?;
    Ok(record)
}

/// `DELETE /api/v1/{resource}/{id}`: marks the record deleted; it can be restored.
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((resource, id)): PathParams<(String, i64)>,
) -> ApiResult {
    let record = deletable(&caller, &resource, id)?;
    write(&state, &caller, move |db, caller| Ok(records::delete(db, &caller.viewer, &record)?)).await?;
    Ok(Json(json!({ "id": id, "deleted": true })))
}

/// `POST /api/v1/{resource}/{id}/restore`: restores a deleted record.
async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((resource, id)): PathParams<(String, i64)>,
) -> ApiResult {
    let record = deletable(&caller, &resource, id)?;
    write(&state, &caller, move |db, caller| Ok(records::restore(db, &caller.viewer, &record)?)).await?;
    Ok(Json(json!({ "id": id, "deleted": false })))
}

/// `POST /api/v1/leads/{id}/convert`: the names default to the lead's; the amount is read as the
/// caller's language writes it.
async fn convert_lead(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    body: FormBody,
) -> Result<Response, ApiError> {
    if !records::may_convert(&caller.viewer) {
        return Err(ApiError(Error::NotFound));
    }
    let mut given = form_values(body)?;
    let mut take = |key: &str| given.remove(key);
    let command = ConvertLead {
        lead: LeadId(id),
        account_name: take("account_name"),
        first_name: take("first_name"),
        last_name: take("last_name"),
        opportunity_name: take("opportunity_name"),
        amount: take("amount").unwrap_or_default(),
        product_line: take("product_line").unwrap_or_default(),
        lang: caller.locale,
    };
    let done = run(&state, &caller, move |db, caller| Ok(records::convert_lead(db, &caller.viewer, &command)?)).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({ "account_id": done.account, "contact_id": done.contact, "opportunity_id": done.opportunity })),
    )
        .into_response())
}

/// The body of `POST /api/v1/opportunities/{id}/stage`.
#[derive(serde::Deserialize)]
pub struct MoveStageBody {
    pub stage: String,
    /// The kind of next step agreed, which entering the gateway stage needs.
    pub gateway_type: Option<String>,
    /// Default: now.
    pub at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/opportunities/{id}/stage`: moves the opportunity to another stage.
async fn move_stage(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    body: Result<JsonBody<MoveStageBody>, ApiError>,
) -> ApiResult {
    allowed(&caller, Resource::Opportunities, Action::Edit)?;
    let JsonBody(body) = body?;
    let stage = body.stage.clone();
    let command = MoveStage {
        opportunity: OpportunityId(id),
        stage: body.stage,
        gateway_type: body.gateway_type,
        at: body.at.unwrap_or_else(Utc::now),
    };
    write(&state, &caller, move |db, caller| Ok(pipeline_ops::move_stage(db, &caller.viewer, &command)?)).await?;
    Ok(Json(json!({ "id": id, "stage": stage })))
}
