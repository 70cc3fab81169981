//! The JSON API under `/api/v1`: the same scoping as the pages, authenticated by an API token
//! (`Authorization: Bearer …`) or the session (with the `X-CSRF-Token` header for writes).
//! Errors are `{"error": {"code", "message", "fields"}}` with a stable code.

mod extract;
mod openapi;
mod planning;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::Error;
use crate::pages::records::ListParams;
use crate::pages::{as_of, period_param};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use extract::{JsonBody, PathParams, QueryParams};
use quotient_core::access::{Action, Resource};
use quotient_core::input::{self, Refusals};
use quotient_store::StoreError;
use quotient_store::crm::browse::{self, Listing, Record};
use quotient_store::crm::editing::{self, Saved, Values};
use quotient_store::crm::leads::{self, Conversion, Outcome};
use quotient_store::ops::activities::{self, LogActivity};
use quotient_store::ops::reports::{self, Named, ReportOn, SubjectRequest};
use serde_json::{Map, Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(me))
        .route("/scorecards", get(scorecards))
        .route("/activities", get(list_activities).post(log_activity))
        .route("/{resource}", get(list).post(create))
        .route("/{resource}/{id}", get(detail).patch(update))
        .route("/leads/{id}/convert", post(convert_lead))
        .merge(planning::router())
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
    period: Option<String>,
    /// `rep:ID`, `team:MANAGER_ID` (external ids) or `organisation`; default: the caller's own
    /// (`ops::reports::subject`).
    subject: Option<String>,
}

async fn scorecards(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<ScorecardParams>,
) -> ApiResult {
    allowed(&caller, Resource::Scorecards, Action::Read)?;
    let period = period_param(params.period.as_deref())?;
    let directories = state.directories.clone();
    let subject_text = params.subject.unwrap_or_default();
    let subject = match subject_text.split_once(':') {
        Some(("rep", id)) => SubjectRequest::Rep(Named::Key(id.to_string())),
        Some(("team", id)) => SubjectRequest::Team(Named::Key(id.to_string())),
        None if subject_text == "organisation" => SubjectRequest::Organisation,
        None if subject_text.is_empty() => SubjectRequest::Own,
        _ => return Err(ApiError(Error::NotFound)),
    };
    let report = run(&state, &caller, move |db, caller| {
        let directory = directories.get(db, caller.user.org)?;
        let request = ReportOn { subject, period, as_of: as_of(period), lang: caller.locale };
        reports::report(db, &caller.viewer, &directory, &request).map_err(crate::error::subject_missing)
    })
    .await?;
    Ok(Json(serde_json::to_value(report).unwrap_or_default()))
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
    pub rep_id: Option<i64>,
    #[serde(rename = "type")]
    pub kind: String,
    pub outcome: Option<String>,
    /// Default: now.
    pub occurred_at: Option<DateTime<Utc>>,
    pub opportunity_id: Option<i64>,
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

fn refused(caller: &Caller, refused: &[editing::Invalid]) -> ApiError {
    ApiError(Error::Invalid(refused.iter().map(|i| crate::pages::editing::explain(caller.locale, i)).collect()))
}

/// A save's answer: the record's id with `status`, or why not.
fn saved_answer(caller: &Caller, saved: Saved, status: axum::http::StatusCode) -> Result<Response, ApiError> {
    match saved {
        Saved::Done(id) => Ok((status, Json(json!({ "id": id }))).into_response()),
        Saved::NotFound => Err(ApiError(Error::NotFound)),
        Saved::Refused(invalid) => Err(refused(caller, &invalid)),
    }
}

/// `POST /api/v1/{resource}`: the body's fields are the create form's.
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(resource): PathParams<String>,
    body: FormBody,
) -> Result<Response, ApiError> {
    let form = editing::form(&resource).ok_or(ApiError(Error::NotFound))?;
    allowed(&caller, form.resource, Action::Create)?;
    let values = form_values(body)?;
    let saved = run(&state, &caller, move |db, caller| Ok(editing::create(db, &caller.viewer, form, &values)?)).await?;
    saved_answer(&caller, saved, axum::http::StatusCode::CREATED)
}

/// `PATCH /api/v1/{resource}/{id}`: changes the fields given, keeps the others.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((resource, id)): PathParams<(String, i64)>,
    body: FormBody,
) -> Result<Response, ApiError> {
    let form = editing::form(&resource).ok_or(ApiError(Error::NotFound))?;
    allowed(&caller, form.resource, Action::Edit)?;
    let changes = form_values(body)?;
    let saved = run(&state, &caller, move |db, caller| {
        let mut values = editing::current(db, &caller.viewer, form, id)?.ok_or(Error::NotFound)?;
        values.extend(changes);
        Ok(editing::update(db, &caller.viewer, form, id, &values)?)
    })
    .await?;
    saved_answer(&caller, saved, axum::http::StatusCode::OK)
}

/// `POST /api/v1/leads/{id}/convert`: the names default to the lead's.
async fn convert_lead(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<i64>,
    body: FormBody,
) -> Result<Response, ApiError> {
    allowed(&caller, Resource::Leads, Action::Edit)?;
    allowed(&caller, Resource::Opportunities, Action::Create)?;
    let given = form_values(body)?;
    let outcome = run(&state, &caller, move |db, caller| {
        let lead = leads::find(db, &caller.viewer, id)?.ok_or(Error::NotFound)?;
        let proposal = lead.proposal();
        let pick = |key: &str, default: String| given.get(key).cloned().unwrap_or(default);
        let conversion = Conversion {
            account_name: pick("account_name", proposal.account_name),
            first_name: pick("first_name", proposal.first_name),
            last_name: pick("last_name", proposal.last_name),
            opportunity_name: pick("opportunity_name", proposal.opportunity_name),
            amount: pick("amount", proposal.amount),
            product_line: pick("product_line", proposal.product_line),
        };
        Ok(leads::convert(db, &caller.viewer, id, &conversion)?)
    })
    .await?;
    match outcome {
        Outcome::Done(done) => Ok((
            axum::http::StatusCode::CREATED,
            Json(json!({ "account_id": done.account, "contact_id": done.contact, "opportunity_id": done.opportunity })),
        )
            .into_response()),
        Outcome::NotFound => Err(ApiError(Error::NotFound)),
        Outcome::Refused(invalid) => Err(refused(&caller, &invalid)),
    }
}
