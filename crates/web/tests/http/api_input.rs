//! Input the API and the pages cannot read or must refuse: answered in the API's error shape
//! with the field named (never serde's wording) or as a translated page, and never a 5xx.

use super::{Answer, TestApp, block_on, json};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

/// The refused fields of an API answer: (field, code).
fn refused(answer: &Answer) -> Vec<(String, String)> {
    let body = json(answer);
    assert_eq!(body["error"]["code"], "invalid_input", "{}", answer.body);
    body["error"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (f["field"].as_str().unwrap_or("?").to_string(), f["code"].as_str().unwrap_or("?").to_string()))
        .collect()
}

fn one(field: &str, code: &str) -> Vec<(String, String)> {
    vec![(field.to_string(), code.to_string())]
}

fn assert_no_serde_wording(answer: &Answer) {
    for internal in ["Failed to", "deserialize", "invalid type", "target type", "missing field", "`"] {
        assert!(!answer.body.contains(internal), "{internal:?} in {}", answer.body);
    }
}

async fn api_rejections_name_the_field_without_serde_wording(app: &TestApp) {
    let session = app.sign_in("admin@acme.test").await;
    let answer = app.send_json("POST", "/api/v1/activities", &session, "{}").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused(&answer), one("type", "required"));
    assert_no_serde_wording(&answer);
    let answer = app.send_json("PUT", "/api/v1/plans/2026/quotas/1", &session, r#"{"yearly": "lots"}"#).await;
    assert_eq!(refused(&answer), one("yearly", "whole_number"));
    assert_no_serde_wording(&answer);
    let answer = app.send_json("PUT", "/api/v1/contacts/1/relationship", &session, r#"{"relationship": 300}"#).await;
    assert_eq!(refused(&answer), one("relationship", "number_out_of_range"));
    let answer = app.send_json("PUT", "/api/v1/contacts/1/relationship", &session, r#"{"relationship": 3"#).await;
    assert_eq!(refused(&answer), one("body", "json_ends_early"));
    let message = json(&answer)["error"]["fields"][0]["message"].as_str().unwrap_or_default().to_string();
    assert_eq!(message, "The body's JSON ends too early, at line 1, column 18.");
    let request = Request::put("/api/v1/contacts/1/relationship")
        .header(header::COOKIE, &session.0)
        .header("x-csrf-token", &session.1)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "de")
        .body(Body::from(r#"{"relationship": 3"#))
        .expect("request");
    let german = json(&app.send(request).await);
    assert_eq!(german["error"]["fields"][0]["message"], "Das JSON des Bodys endet zu früh, in Zeile 1, Spalte 18.");
    let answer = app.send_json("PATCH", "/api/v1/accounts/abc", &session, "{}").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused(&answer), one("id", "whole_number"));
    assert_no_serde_wording(&answer);
    let answer = app.get("/api/v1/accounts?page=abc", &session.0).await;
    assert_eq!(refused(&answer), one("page", "whole_number"));
    assert_no_serde_wording(&answer);
    let request = Request::post("/api/v1/accounts")
        .header(header::COOKIE, &session.0)
        .header("x-csrf-token", &session.1)
        .body(Body::from("name=Acme"))
        .expect("request");
    let answer = app.send(request).await;
    assert_eq!(refused(&answer), one("body", "json_required"));
}

async fn pages_answer_an_unreadable_address_with_a_translated_page(app: &TestApp) {
    let (cookie, _) = app.sign_in("manager@acme.test").await;
    let request = Request::get("/records/accounts?page=abc")
        .header(header::COOKIE, &cookie)
        .header(header::ACCEPT_LANGUAGE, "de")
        .body(Body::empty())
        .expect("request");
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("<html") && answer.body.contains("nicht gelesen werden"), "{}", answer.body);
    assert_no_serde_wording(&answer);
    let answer = app.get("/reps/abc", &cookie).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("cannot be read"), "{}", answer.body);
}

async fn over_long_texts_are_refused_by_the_api_and_the_form_alike(app: &TestApp) {
    let session = app.sign_in("manager@acme.test").await;
    let long = "x".repeat(201);
    let answer = app.send_json("POST", "/api/v1/accounts", &session, &format!(r#"{{"name": "{long}"}}"#)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(refused(&answer), one("name", "too_long"));
    let answer = app.send_json("POST", "/api/v1/accounts", &session, r#"{"name": "Nul\u0000Corp"}"#).await;
    assert_eq!(refused(&answer), one("name", "control_character"));
    let answer = app.post("/records/accounts/new", &session.0, &format!("_csrf={}&name={long}", session.1)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("Use at most 200 characters."), "the refusal is next to the field");
    assert!(app.get("/records/accounts/new", &session.0).await.body.contains("maxlength=\"200\""));
}

/// The API refuses a page beyond any list's end, naming the field; a list page shows its last page.
async fn a_page_far_past_the_end_is_empty(app: &TestApp) {
    let (cookie, _) = app.sign_in("manager@acme.test").await;
    let answer = app.get("/api/v1/accounts?page=9223372036854775807", &cookie).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert_eq!(refused(&answer).first().map(|(field, _)| field.as_str()), Some("page"));
    let answer = app.get("/api/v1/accounts?page=1000000", &cookie).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(json(&answer)["items"], serde_json::json!([]));
    assert_eq!(app.get("/records/accounts?page=9223372036854775807", &cookie).await.status, StatusCode::OK);
}

/// The document says what the API answers: every error status with the error shape, and each
/// free text's limit, so that a client learns them before it is refused.
async fn the_document_names_every_error_answer_and_each_texts_limit(app: &TestApp) {
    let (cookie, _) = app.sign_in("r1@acme.test").await;
    let document = json(&app.get("/api/v1/openapi.json", &cookie).await);
    let create = &document["paths"]["/api/v1/contacts"]["post"];
    let properties = &create["requestBody"]["content"]["application/json"]["schema"]["properties"];
    let limits: Vec<_> = ["last_name", "email", "phone", "address"].map(|f| properties[f]["maxLength"].as_i64()).into();
    assert_eq!(limits, [Some(200), Some(254), Some(50), Some(1_000)]);
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            for status in ["400", "401", "404", "413", "422", "500", "503"] {
                let answer = &operation["responses"][status]["$ref"];
                assert_eq!(answer, "#/components/responses/Error", "{method} {path} documents {status}");
            }
        }
    }
    let error = &document["components"]["schemas"]["Error"]["properties"]["error"];
    assert_eq!(error["required"], serde_json::json!(["code", "message", "fields"]));
    let me = &document["paths"]["/api/v1/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(me["properties"]["role"]["enum"], serde_json::json!(["admin", "executive", "manager", "rep"]));
}

on_both_backends!(
    the_document_names_every_error_answer_and_each_texts_limit,
    api_rejections_name_the_field_without_serde_wording,
    pages_answer_an_unreadable_address_with_a_translated_page,
    over_long_texts_are_refused_by_the_api_and_the_form_alike,
    a_page_far_past_the_end_is_empty,
);
