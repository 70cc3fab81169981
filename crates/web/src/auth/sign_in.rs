//! Signing in and out.

use super::{Caller, RequestLocale, SESSION_COOKIE, password, secret};
use crate::app::AppState;
use crate::error::{Error, PageError};
use crate::templates;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use maud::Markup;
use quotient_store::access;
use serde::Deserialize;

/// How long a session lasts without signing in again.
const SESSION_DAYS: i64 = 14;
/// Failed sign-ins of one e-mail allowed per window before sign-in is refused.
pub const MAX_FAILURES: i64 = 5;
const FAILURE_WINDOW_MINUTES: i64 = 15;

pub async fn form(RequestLocale(locale): RequestLocale) -> Markup {
    templates::sign_in(locale, "", None)
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    RequestLocale(locale): RequestLocale,
    headers: HeaderMap,
    Form(credentials): Form<Credentials>,
) -> Result<Response, PageError> {
    if !same_origin(&headers) {
        return Err(PageError(Error::Csrf, locale));
    }
    let email = credentials.email.trim().to_lowercase();
    let entered = email.clone();
    let outcome = state
        .pool
        .run(move |db| {
            let now = Utc::now();
            if access::recent_failures(db, &email, now - Duration::minutes(FAILURE_WINDOW_MINUTES))? >= MAX_FAILURES {
                return Err(Error::Throttled);
            }
            let users = access::find_users_by_email(db, &email)?;
            // Verify against a decoy when nobody has this e-mail: the answer takes as long.
            let matching: Vec<_> = if users.is_empty() {
                password::verify(&credentials.password, password::decoy());
                vec![]
            } else {
                users
                    .into_iter()
                    .filter(|u| u.password_hash.as_deref().is_some_and(|h| password::verify(&credentials.password, h)))
                    .collect()
            };
            let Some(user) = matching.into_iter().next() else {
                access::record_failure(db, &email, now)?;
                return Ok(None);
            };
            access::clear_failures(db, &email, now - Duration::days(1))?;
            let token = secret::random_token();
            let expires = now + Duration::days(SESSION_DAYS);
            access::create_session(
                db,
                user.org,
                user.id,
                &secret::token_hash(&token),
                &secret::random_token(),
                expires,
            )?;
            Ok(Some(token))
        })
        .await;
    match outcome {
        Ok(Some(token)) => {
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                SESSION_DAYS * 86_400,
                if state.secure_cookies { "; Secure" } else { "" }
            );
            let mut response = Redirect::to("/").into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Ok(None) => Ok((
            axum::http::StatusCode::UNAUTHORIZED,
            templates::sign_in(locale, &entered, Some(locale.t("sign_in.failed"))),
        )
            .into_response()),
        Err(Error::Throttled) => Ok((
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            templates::sign_in(locale, &entered, Some(locale.t("error.too_many_sign_ins"))),
        )
            .into_response()),
        Err(error) => Err(PageError(error, locale)),
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(token) = super::cookie(&headers, SESSION_COOKIE) {
        state
            .pool
            .run(move |db| Ok(access::delete_session(db, &secret::token_hash(&token))?))
            .await
            .map_err(|e| PageError(e, caller.locale))?;
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("quotient_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(response)
}

/// A sign-in form must come from this site: a browser names the page's origin on a POST, and a
/// foreign one is refused (login CSRF). Clients that send no Origin (scripts, old browsers) pass.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}
