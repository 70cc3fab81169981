//! Who is asking. The [`authenticate`] middleware reads the session cookie (or an API token), loads
//! the user and their [`Viewer`] once per request, and refuses any form without the session's CSRF
//! token; handlers take a [`Caller`].

mod multipart_csrf;
pub mod password;
pub mod secret;
pub mod sign_in;
pub mod throttle;

use crate::app::AppState;
use crate::error::{Error, PageError};
use crate::i18n::Locale;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quotient_store::access::{self, User, Viewer};

pub const SESSION_COOKIE: &str = "quotient_session";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
/// The header that carries it for API writes made with a session.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub viewer: Viewer,
    /// The session's CSRF token; `None` when authenticated by an API token (no forms, no cookies).
    pub csrf: Option<String>,
    pub locale: Locale,
    pub org_name: String,
    pub currency: String,
    /// The external id of the user's own row in `reps`.
    pub own_external_id: Option<String>,
}

impl Caller {
    pub fn money(&self, money: quotient_core::Money) -> String {
        self.locale.money(money, &self.currency, true)
    }

    pub fn csrf(&self) -> &str {
        self.csrf.as_deref().unwrap_or_default()
    }
}

/// A caller signed in with a browser session (not an API token), whose form carried the session's
/// CSRF token: what managing one's own credentials takes, so that a leaked API token cannot mint
/// itself successors or revoke its owner's.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.csrf.is_none() {
            return Err(PageError(Error::SessionRequired, caller.locale).into_response());
        }
        Ok(SignedIn(caller))
    }
}

/// Marks a request to the JSON API (nested routers see their paths without the prefix).
#[derive(Debug, Clone, Copy)]
pub struct ApiRequest;

/// The language of a request without a signed-in user.
#[derive(Debug, Clone, Copy)]
pub struct RequestLocale(pub Locale);

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('=').map(str::to_string))
}

fn browser_locale(headers: &HeaderMap) -> Locale {
    Locale::negotiate(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// Loads the caller of a request, if any, into its extensions, and checks the CSRF token of every
/// state-changing request made with a session cookie.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let browser = browser_locale(request.headers());
    request.extensions_mut().insert(RequestLocale(browser));
    let api = request.uri().path().starts_with("/api/");
    if api {
        request.extensions_mut().insert(ApiRequest);
    }
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let session = cookie(request.headers(), SESSION_COOKIE);
    let found = match (bearer, session) {
        (Some(token), _) => load(&state, Credential::ApiToken(token), browser).await,
        (None, Some(token)) => load(&state, Credential::Session(token), browser).await,
        (None, None) => Ok(None),
    };
    let caller = match found {
        Ok(caller) => caller,
        Err(error) if api => return error.into_json(),
        Err(error) => return error.into_page(browser),
    };
    let mut request = request;
    if let Some(caller) = caller {
        let locale = caller.locale;
        let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if changes_state && let Some(expected) = caller.csrf.clone() {
            let (checked, rebuilt) = check_csrf(request, &expected).await;
            request = rebuilt;
            if !checked {
                return if api { Error::Csrf.into_json() } else { Error::Csrf.into_page(locale) };
            }
        }
        request.extensions_mut().insert(caller);
    }
    next.run(request).await
}

enum Credential {
    Session(String),
    ApiToken(String),
}

async fn load(state: &AppState, credential: Credential, browser: Locale) -> Result<Option<Caller>, Error> {
    let directories = state.directories.clone();
    state
        .pool
        .run(move |db| {
            let (user, csrf) = match credential {
                Credential::Session(token) => match access::find_session(db, &secret::token_hash(&token))? {
                    Some(session) => (session.user, Some(session.csrf_token)),
                    None => return Ok(None),
                },
                Credential::ApiToken(token) => match access::find_token(db, &secret::token_hash(&token))? {
                    Some(user) => (user, None),
                    None => return Err(Error::Unauthenticated),
                },
            };
            let directory = directories.get(db, user.org)?;
            let viewer = Viewer::of(&user, &directory);
            let (org_name, currency) = quotient_store::orgs::profile(db, user.org)?;
            let locale = user.lang.unwrap_or(browser);
            let own_external_id = user.rep_id.and_then(|id| directory.person(id)).map(|p| p.external_id.clone());
            Ok(Some(Caller { user, viewer, csrf, locale, org_name, currency, own_external_id }))
        })
        .await
}

/// Compares the form's (or header's) CSRF token with the session's; gives the request back whole.
async fn check_csrf(request: Request, expected: &str) -> (bool, Request) {
    if let Some(given) = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let ok = secret::same(given, expected);
        return (ok, request);
    }
    // A file upload is not URL-encoded and may be large: its form sends the token as its first
    // part, read here without the rest of the upload (never in the address, where it would stay in
    // the history and the address bar).
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if let Some(boundary) = content_type.and_then(multipart_csrf::boundary) {
        let (given, rebuilt) = multipart_csrf::first_part_token(request, &boundary).await;
        let ok = given.is_some_and(|given| secret::same(&given, expected));
        return (ok, rebuilt);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let given = bytes
        .split(|b| *b == b'&')
        .find_map(|pair| pair.strip_prefix(format!("{CSRF_FIELD}=").as_bytes()))
        .map(|token| String::from_utf8_lossy(token).into_owned());
    let ok = given.is_some_and(|given| secret::same(&given, expected));
    (ok, Request::from_parts(parts, axum::body::Body::from(bytes)))
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let locale = parts.extensions.get::<RequestLocale>().map(|l| l.0).unwrap_or_default();
        if parts.extensions.get::<ApiRequest>().is_some() {
            return Err(Error::Unauthenticated.into_json());
        }
        Err(PageError(Error::Unauthenticated, locale).into_response())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestLocale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<RequestLocale>().copied().unwrap_or(RequestLocale(browser_locale(&parts.headers))))
    }
}
