//! The OpenAPI 3.1 document of the API, generated from the listings that drive the API itself: a
//! resource or column added there appears here.

use axum::Json;
use quotient_store::crm::browse::{LISTINGS, Shown};
use quotient_store::crm::forms::{self, Form, Input};
use serde_json::{Map, Value, json};

fn column_schema(shown: Shown) -> Value {
    match shown {
        Shown::Text | Shown::Key => json!({ "type": ["string", "null"] }),
        Shown::Int | Shown::Money => json!({ "type": ["integer", "null"] }),
        Shown::Date => json!({ "type": ["string", "null"], "format": "date" }),
        Shown::Time => json!({ "type": ["string", "null"], "format": "date-time" }),
    }
}

/// The store refuses control characters in free text, except tabs and line breaks.
const NO_CONTROL_CHARACTERS: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// How the API reads an amount.
const AMOUNT: &str = "an amount, not negative, such as 1250.50 (which reads in every language) or as the caller's language writes it (1.250,50 in German)";

fn input_schema(input: Input) -> Value {
    match input {
        Input::Text { max } => {
            json!({ "type": ["string", "null"], "maxLength": max, "pattern": NO_CONTROL_CHARACTERS })
        }
        Input::Int { min, max } => json!({ "type": ["integer", "null"], "minimum": min, "maximum": max }),
        Input::Money => json!({ "type": ["string", "number", "null"], "description": AMOUNT }),
        Input::Date => json!({ "type": ["string", "null"], "format": "date" }),
        Input::Time => json!({ "type": ["string", "null"], "description": "YYYY-MM-DDTHH:MM (UTC) or RFC 3339" }),
        Input::Choice(choices) => {
            json!({ "type": ["string", "null"], "enum": choices.keys().into_iter().map(|k| json!(k)).chain([Value::Null]).collect::<Vec<_>>() })
        }
        Input::Reference(target) => {
            json!({ "type": ["integer", "null"], "description": format!("the id of a {target:?} within the caller's reach") })
        }
    }
}

/// The body of a create (every required field) or an update (any fields).
fn form_schema(form: &Form, create: bool) -> Value {
    let properties: Map<String, Value> =
        form.fields.iter().map(|f| (f.key.to_string(), input_schema(f.input))).collect();
    let required: Vec<&str> =
        if create { form.fields.iter().filter(|f| f.required).map(|f| f.key).collect() } else { vec![] };
    json!({ "type": "object", "properties": properties, "required": required })
}

/// The answers every operation may give besides its own: a request that cannot be read (400),
/// no or a revoked token (401), a session's write without its CSRF header (403), out of reach
/// (404), a body over the size limit (413), refused input (422), a failure on the server's side
/// (500, logged) and a server shutting down (503).
fn error_responses() -> Value {
    let statuses = ["400", "401", "403", "404", "413", "422", "500", "503"];
    Value::Object(statuses.iter().map(|s| (s.to_string(), json!({ "$ref": "#/components/responses/Error" }))).collect())
}

pub fn build() -> Value {
    let mut schemas = Map::new();
    let mut paths = Map::new();
    for listing in &LISTINGS {
        let mut properties = Map::new();
        properties.insert("id".into(), json!({ "type": "integer" }));
        properties.insert("external_id".into(), json!({ "type": "string" }));
        properties.insert("deleted".into(), json!({ "type": "boolean" }));
        for column in listing.columns {
            let key =
                if column.shown == Shown::Money { format!("{}_cents", column.key) } else { column.key.to_string() };
            properties.insert(key, column_schema(column.shown));
        }
        let name = listing.table.to_string();
        schemas.insert(name.clone(), json!({ "type": "object", "properties": properties }));
        let sortable: Vec<&str> = listing.columns.iter().map(|c| c.key).collect();
        let mut list = json!({
            "get": {
                "summary": format!("List the {name} within the caller's reach"),
                "parameters": [
                    { "name": "q", "in": "query", "schema": { "type": "string" }, "description": "search" },
                    { "name": "sort", "in": "query", "schema": { "type": "string", "enum": sortable } },
                    { "name": "dir", "in": "query", "schema": { "type": "string", "enum": ["asc", "desc"] } },
                    { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 0, "maximum": crate::params::MAX_PAGE } },
                    { "name": "page_size", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 } },
                    { "name": "deleted", "in": "query", "schema": { "type": "boolean" } }
                ],
                "responses": {
                    "200": { "description": "a page", "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": {
                            "total": { "type": "integer" }, "page": { "type": "integer" }, "page_size": { "type": "integer" },
                            "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{name}") } }
                        }
                    } } } }
                }
            }
        });
        if name == "activities" {
            list["post"] = json!({
                "summary": "Log an activity",
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewActivity" } } } },
                "responses": { "201": { "description": "logged", "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "id": { "type": "integer" } } } } } } }
            });
        }
        let created = json!({ "description": "saved", "content": { "application/json": { "schema": {
            "type": "object", "properties": { "id": { "type": "integer" } } } } } });
        let form = forms::form(&name);
        if let Some(form) = form.filter(|_| name != "activities") {
            list["post"] = json!({
                "summary": format!("Create one of the {name}"),
                "requestBody": { "required": true, "content": { "application/json": { "schema": form_schema(form, true) } } },
                "responses": { "201": created }
            });
        }
        paths.insert(format!("/api/v1/{name}"), list);
        let mut one = json!({ "get": {
            "summary": format!("One of the {name}"),
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "responses": { "200": { "description": "the record", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{name}") } } } } }
        } });
        if let Some(form) = form {
            one["patch"] = json!({
                "summary": format!("Change the given fields of one of the {name}"),
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": form_schema(form, false) } } },
                "responses": { "200": created }
            });
        }
        let id_parameter = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }]);
        let deleted = |summary: String, deleted: bool| {
            json!({
                "summary": summary,
                "parameters": id_parameter,
                "responses": { "200": { "description": if deleted { "deleted" } else { "restored" }, "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "id": { "type": "integer" }, "deleted": { "type": "boolean" } } } } } } }
            })
        };
        one["delete"] = deleted(format!("Delete one of the {name} (it can be restored)"), true);
        paths.insert(format!("/api/v1/{name}/{{id}}"), one);
        paths.insert(
            format!("/api/v1/{name}/{{id}}/restore"),
            json!({ "post": deleted(format!("Restore one of the deleted {name}"), false) }),
        );
    }
    schemas.insert(
        "NewActivity".into(),
        json!({
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": { "type": "string", "enum": quotient_core::model::ActivityType::KEYS },
                "outcome": { "type": ["string", "null"], "enum": quotient_core::model::ActivityOutcome::KEYS.iter().map(|k| json!(k)).chain([Value::Null]).collect::<Vec<_>>() },
                "occurred_at": { "type": "string", "format": "date-time" },
                "rep_id": { "type": "integer" },
                "opportunity_id": { "type": "integer" }
            }
        }),
    );
    schemas.insert(
        "Error".into(),
        json!({ "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "required": ["code", "message", "fields"], "properties": {
            "code": { "type": "string", "enum": ["bad_request", "unauthenticated", "csrf_rejected", "not_found", "too_large", "invalid_input", "too_many_sign_ins", "internal", "unavailable"] },
            "message": { "type": "string" },
            "fields": { "type": "array", "items": { "type": "object", "required": ["field", "message"], "properties": {
                "field": { "type": "string" },
                "code": { "type": "string", "enum": quotient_core::refusal::Code::KEYS, "description": "why the rules refuse the field" },
                "message": { "type": "string" }
            } } }
        } } } }),
    );
    paths.insert(
        "/api/v1/breakdowns".into(),
        json!({ "get": {
            "summary": "A subject's opportunities by gateway type and by lead source (first appointments of the period, how many reached the gateway and the proposal, won, lost, win rate, revenue, average revenue per sale) and the count and amount lost per lost reason (docs/KPIS.md: breakdowns)",
            "parameters": [
                { "name": "period", "in": "query", "schema": { "type": "string" }, "description": "2026-W07, 2026-03, 2026-Q1, 2026 or 2026-01-15..2026-02-15; default: the current quarter" },
                { "name": "subject", "in": "query", "schema": { "type": "string" }, "description": "rep:ID, team:MANAGER_ID or organisation; default: the caller's own" }
            ],
            "responses": { "200": { "description": "by_gateway_type, by_lead_source and by_lost_reason", "content": { "application/json": { "schema": { "type": "object" } } } } }
        } }),
    );
    paths.insert(
        "/api/v1/scorecards".into(),
        json!({ "get": {
            "summary": "Scorecards of a subject's reps and its total (the fields of `quotient report --format json`, docs/KPIS.md)",
            "parameters": [
                { "name": "period", "in": "query", "schema": { "type": "string" }, "description": "2026-W07, 2026-03, 2026-Q1, 2026 or 2026-01-15..2026-02-15; default: the current quarter" },
                { "name": "subject", "in": "query", "schema": { "type": "string" }, "description": "rep:ID, team:MANAGER_ID or organisation; default: the caller's own" },
                { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 0, "maximum": crate::params::MAX_PAGE }, "description": "the page of the subject's reps, from 0" },
                { "name": "page_size", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000 }, "description": "reps per page; default 100" }
            ],
            "responses": { "200": { "description": "the report: the page's reps in `reps`, the whole subject's `total`, and `page`, `page_size` and `reps_total` (the subject's reps)", "content": { "application/json": { "schema": { "type": "object" } } } } }
        } }),
    );
    paths.insert(
        "/api/v1/leads/{id}/convert".into(),
        json!({ "post": {
            "summary": "Convert a lead into an account, a contact and an opportunity (names default to the lead's)",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["amount"], "properties": {
                "account_name": { "type": "string" }, "first_name": { "type": "string" }, "last_name": { "type": "string" },
                "opportunity_name": { "type": "string" }, "amount": { "type": ["string", "number"], "description": AMOUNT }, "product_line": { "type": ["integer", "null"] }
            } } } } },
            "responses": { "201": { "description": "converted", "content": { "application/json": { "schema": { "type": "object", "properties": {
                "account_id": { "type": "integer" }, "contact_id": { "type": "integer" }, "opportunity_id": { "type": "integer" } } } } } } }
        } }),
    );
    paths.insert(
        "/api/v1/opportunities/{id}/stage".into(),
        json!({ "post": {
            "summary": "Move an opportunity to another stage (entering the gateway needs the kind of next step agreed)",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["stage"], "properties": {
                "stage": { "type": "string" }, "gateway_type": { "type": ["string", "null"] },
                "at": { "type": "string", "format": "date-time", "description": "default: now" }
            } } } } },
            "responses": { "200": { "description": "moved", "content": { "application/json": { "schema": { "type": "object", "properties": {
                "id": { "type": "integer" }, "stage": { "type": "string" } } } } } } }
        } }),
    );
    paths.insert(
        "/api/v1/accounts/{id}/feedback".into(),
        json!({ "post": {
            "summary": "Record a customer's satisfaction score on an account (its rep, their managers and admins); a second score of the same account, rep and day replaces the first",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["score"], "properties": {
                "score": { "type": "integer", "minimum": 0, "maximum": 10 },
                "received_on": { "type": "string", "format": "date", "description": "not after today; default: today" },
                "comment": { "type": ["string", "null"], "maxLength": 2000 }
            } } } } },
            "responses": { "201": { "description": "recorded", "content": { "application/json": { "schema": { "type": "object", "properties": {
                "id": { "type": "integer" }, "account_id": { "type": "integer" }, "received_on": { "type": "string", "format": "date" },
                "score": { "type": "integer" } } } } } } }
        } }),
    );
    paths.insert(
        "/api/v1/me".into(),
        json!({ "get": { "summary": "The caller", "responses": { "200": { "description": "the user", "content": { "application/json": { "schema": {
            "type": "object",
            "required": ["id", "email", "name", "role", "organisation", "language"],
            "properties": {
                "id": { "type": "integer" }, "email": { "type": "string" }, "name": { "type": "string" },
                "role": { "type": "string", "enum": quotient_core::model::UserRole::KEYS },
                "organisation": { "type": "string" }, "language": { "type": "string" }
            }
        } } } } } } }),
    );
    paths.extend(super::planning::openapi_paths());
    paths.extend(super::settings::openapi_paths());
    paths.extend(super::incentives::openapi_paths());
    paths.extend(super::forecast::openapi_paths());
    for path in paths.values_mut() {
        if let Some(operations) = path.as_object_mut() {
            for operation in operations.values_mut() {
                if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut)
                    && let Some(errors) = error_responses().as_object()
                {
                    responses.extend(errors.clone());
                }
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Quotient API", "version": env!("CARGO_PKG_VERSION") },
        "servers": [{ "url": "/" }],
        "security": [{ "token": [] }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer", "description": "an API token from the user's page" } },
            "responses": { "Error": { "description": "an error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } } }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
