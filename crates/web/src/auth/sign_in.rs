//! Signing in and out.
//!
//! A sign-in reads what it needs (the throttle's history and the candidate users) with a database
//! connection, lets it go, checks the password on a blocking thread (Argon2 takes tens of
//! milliseconds and much memory: the pool's connections must not wait for it), then takes a
//! connection again to record the outcome. The same e-mail may be a user of several organisations:
//! the password is checked against each, and when it opens more than one the form asks which.

use super::throttle::ClientAddress;
use super::{Caller, RequestLocale, SESSION_COOKIE, password, secret};
use crate::app::AppState;
use crate::error::{Error, PageError};
use crate::i18n::Locale;
use crate::templates::{self, SignInForm};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, TimeDelta, Utc};
use maud::Markup;
use quotient_store::access::{self, MAX_EMAIL_LENGTH, User};
use quotient_store::orgs::Organisation;
use serde::Deserialize;

/// How long a session lasts without signing in again.
const SESSION_DAYS: i64 = 14;
/// Longer passwords are refused unread: hashing megabytes would be work for nothing.
pub const MAX_PASSWORD_LENGTH: usize = 1024;
/// The largest sign-in form accepted: the longest e-mail, password and organisation, encoded.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

pub async fn form(RequestLocale(locale): RequestLocale) -> Markup {
    templates::sign_in(locale, &SignInForm::default())
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
    /// The slug of the organisation to sign in to, when the e-mail is a user of several.
    #[serde(default)]
    organisation: Option<String>,
}

/// The account's key in the throttle's records: fixed-length whatever was typed.
fn account_key(email: &str) -> String {
    secret::token_hash(email)
}

enum Outcome {
    SignedIn(String),
    Failed,
    Throttled(TimeDelta),
    Choose(Vec<Organisation>),
}

pub async fn sign_in(
    State(state): State<AppState>,
    RequestLocale(locale): RequestLocale,
    client: ClientAddress,
    headers: HeaderMap,
    Form(credentials): Form<Credentials>,
) -> Result<Response, PageError> {
    if !same_origin(&headers) {
        return Err(PageError(Error::Csrf, locale));
    }
    let email = credentials.email.trim().to_lowercase();
    let chosen = credentials.organisation.filter(|o| !o.is_empty());
    let too_long = email.len() > MAX_EMAIL_LENGTH
        || credentials.password.len() > MAX_PASSWORD_LENGTH
        || chosen.as_ref().is_some_and(|o| o.len() > MAX_EMAIL_LENGTH);
    if too_long {
        let form = SignInForm { failure: Some(locale.t("sign_in.failed").into()), ..SignInForm::default() };
        return Ok((StatusCode::UNAUTHORIZED, templates::sign_in(locale, &form)).into_response());
    }
    let outcome = attempt(&state, &email, credentials.password, chosen.as_deref(), &client)
        .await
        .map_err(|e| PageError(e, locale))?;
    Ok(answer(&state, locale, &email, outcome))
}

async fn attempt(
    state: &AppState,
    email: &str,
    typed: String,
    chosen: Option<&str>,
    client: &ClientAddress,
) -> Result<Outcome, Error> {
    let (key, throttle, now) = (account_key(email), state.throttle, Utc::now());
    let (looked_up_key, looked_up_client, looked_up_email) = (key.clone(), client.clone(), email.to_string());
    let candidates = state
        .pool
        .run(move |db| {
            let history = throttle.history(db, &looked_up_key, &looked_up_client, now)?;
            let wait = throttle.wait(&history, now);
            if wait > TimeDelta::zero() {
                return Ok(Err(wait));
            }
            Ok(Ok(access::find_users_by_email(db, &looked_up_email)?))
        })
        .await?;
    let candidates = match candidates {
        Ok(candidates) => candidates,
        Err(wait) => return Ok(Outcome::Throttled(wait)),
    };
    let candidates: Vec<_> =
        candidates.into_iter().filter(|(_, org)| chosen.is_none_or(|slug| org.slug == slug)).collect();
    let opened =
        tokio::task::spawn_blocking(move || opened_by(&typed, candidates)).await.map_err(|_| Error::Unavailable)?;
    let client = client.0.clone();
    match opened.as_slice() {
        [] => {
            state.pool.run(move |db| Ok(access::record_failure(db, &key, &client, Utc::now())?)).await?;
            Ok(Outcome::Failed)
        }
        [(user, _)] => {
            let user = user.clone();
            let token = state
                .pool
                .run(move |db| {
                    let now = Utc::now();
                    access::record_success(db, &key, &client, now)?;
                    let token = secret::random_token();
                    let (hash, csrf) = (secret::token_hash(&token), secret::random_token());
                    access::create_session(db, user.org, user.id, &hash, &csrf, now + Duration::days(SESSION_DAYS))?;
                    Ok(token)
                })
                .await?;
            Ok(Outcome::SignedIn(token))
        }
        several => Ok(Outcome::Choose(several.iter().map(|(_, org)| org.clone()).collect())),
    }
}

/// The candidates whose password `typed` is; verifies against a decoy when there is none, so that
/// the answer takes as long whether the e-mail exists or not.
fn opened_by(typed: &str, candidates: Vec<(User, Organisation)>) -> Vec<(User, Organisation)> {
    if candidates.is_empty() {
        password::verify(typed, password::decoy());
        return vec![];
    }
    candidates
        .into_iter()
        .filter(|(user, _)| user.password_hash.as_deref().is_some_and(|hash| password::verify(typed, hash)))
        .collect()
}

fn answer(state: &AppState, locale: Locale, email: &str, outcome: Outcome) -> Response {
    let form = |failure: Option<String>| SignInForm { email: email.to_string(), failure, organisations: vec![] };
    match outcome {
        Outcome::SignedIn(token) => {
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                SESSION_DAYS * 86_400,
                if state.secure_cookies { "; Secure" } else { "" }
            );
            let mut response = Redirect::to("/").into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Outcome::Failed => {
            (StatusCode::UNAUTHORIZED, templates::sign_in(locale, &form(Some(locale.t("sign_in.failed").into()))))
                .into_response()
        }
        Outcome::Throttled(wait) => {
            // Whole seconds, rounded up: retrying on the dot must not be refused again.
            let seconds = (wait.num_milliseconds() + 999) / 1000;
            let message = locale.tf("sign_in.wait", &[("seconds", &seconds.to_string())]);
            let mut response =
                (StatusCode::TOO_MANY_REQUESTS, templates::sign_in(locale, &form(Some(message)))).into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
        Outcome::Choose(organisations) => {
            let failure = Some(locale.t("sign_in.choose_organisation").into());
            templates::sign_in(locale, &SignInForm { organisations, ..form(failure) }).into_response()
        }
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
    Ok(signed_out())
}

/// Back to the sign-in page, with the browser's session cookie cleared.
pub fn signed_out() -> Response {
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("quotient_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    response
}

/// A sign-in form must come from this site: a browser names the page's origin on a POST, and a
/// foreign one is refused (login CSRF). Clients that send no Origin (scripts, old browsers) pass.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}
