//! The one place that decides what a failure looks like to the user: a page for the browser, a JSON
//! body with a stable code for the API. Internals are logged, never shown.

use crate::auth::{Caller, RequestLocale};
use crate::i18n::Locale;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use quotient_store::{Code, Refusal, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not signed in: pages redirect to the sign-in page, the API answers 401.
    #[error("sign in first")]
    Unauthenticated,
    /// Missing, or out of the caller's scope: both answer 404, so that nothing reveals it exists.
    #[error("not found")]
    NotFound,
    /// A form without the session's CSRF token.
    #[error("the form has expired: reload the page and send it again")]
    Csrf,
    /// An API token where only a browser session may act (managing one's sessions and tokens).
    #[error("sign in with a browser to do this: an API token cannot")]
    SessionRequired,
    /// Too many failed sign-ins.
    #[error("too many failed sign-ins: wait a few minutes")]
    Throttled,
    /// Input the rules refuse, field by field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A path, query or form that cannot be read as the page expects it.
    #[error("the request cannot be read")]
    Unreadable,
    /// A body over the size limit.
    #[error("the request is too large")]
    TooLarge,
    #[error("the server is shutting down")]
    Unavailable,
    /// A write whose transaction, shared with other writes, failed to commit.
    #[error("the write could not be committed: {0}")]
    NotCommitted(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure of the server itself (a handler that panicked), described for the log.
    #[error("{0}")]
    Internal(String),
}

/// A validation failure next to a field (`field` is the form's or the JSON body's name), with the
/// refusal's stable code when the rules refused it.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError { field: field.to_string(), code: None, message: message.into() }
    }

    /// A refusal in `locale`'s words.
    pub fn refused(refusal: &Refusal, locale: Locale) -> FieldError {
        FieldError {
            field: refusal.field.to_string(),
            code: Some(refusal.code.key()),
            message: refusal.message(locale),
        }
    }
}

tokio::task_local! {
    /// The language of the request being answered, for the answers built outside a handler's reach
    /// of the caller (an API error converted by `?`).
    static REQUEST_LOCALE: Locale;
}

/// The language of the request being answered; English outside one.
pub fn request_locale() -> Locale {
    REQUEST_LOCALE.try_with(|locale| *locale).unwrap_or_default()
}

/// A report's subject out of the caller's reach answers as a missing record, on every page and in
/// the API alike.
pub fn subject_missing(error: StoreError) -> Error {
    Error::from(error).missing_when(Code::SubjectOutOfReach)
}

impl Error {
    /// A refusal with `code` of a record the request names itself (in its path, or in a form's
    /// field names, not in a value typed) answers as a missing record, so that nothing reveals
    /// what exists.
    pub fn missing_when(self, code: Code) -> Error {
        match self {
            Error::Store(StoreError::Refused(refusals)) if refusals.iter().any(|r| r.code == code) => Error::NotFound,
            other => other,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    /// Refusals in `locale`'s words.
    pub fn refused(refusals: &[Refusal], locale: Locale) -> Error {
        Error::Invalid(refusals.iter().map(|r| FieldError::refused(r, locale)).collect())
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Csrf | Error::SessionRequired => StatusCode::FORBIDDEN,
            Error::Throttled => StatusCode::TOO_MANY_REQUESTS,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Unreadable => StatusCode::BAD_REQUEST,
            Error::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Store(error) if error.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Error::Store(StoreError::NotFound(_) | StoreError::NotPermitted) => StatusCode::NOT_FOUND,
            Error::Store(StoreError::Refused(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Store(_) | Error::NotCommitted(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable snake_case code of the API, also the message key of the pages.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated => "unauthenticated",
            Error::NotFound | Error::Store(StoreError::NotFound(_) | StoreError::NotPermitted) => "not_found",
            Error::Csrf => "csrf_rejected",
            Error::SessionRequired => "session_required",
            Error::Throttled => "too_many_sign_ins",
            Error::Invalid(_) | Error::Store(StoreError::Refused(_)) => "invalid_input",
            Error::Unreadable => "bad_request",
            Error::TooLarge => "too_large",
            Error::Unavailable => "unavailable",
            Error::Store(error) if error.is_unavailable() => "unavailable",
            Error::Store(_) | Error::NotCommitted(_) | Error::Internal(_) => "internal",
        }
    }

    /// What the user may read: the store's own wording for refused writes, nothing internal.
    fn public_message(&self, locale: Locale) -> String {
        match self {
            // A refusal says why in the caller's words, where a page shows no form to put it beside.
            Error::Invalid(_) | Error::Store(StoreError::Refused(_)) => {
                let reasons: Vec<String> = self.field_errors(locale).into_iter().map(|e| e.message).collect();
                format!("{} {}", locale.t("error.invalid_input"), reasons.join(" "))
            }
            _ => locale.t(&format!("error.{}", self.code())).to_string(),
        }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }

    /// The fields refused, in `locale`'s words.
    pub fn field_errors(&self, locale: Locale) -> Vec<FieldError> {
        match self {
            Error::Invalid(fields) => fields.clone(),
            Error::Store(StoreError::Refused(refusals)) => {
                refusals.iter().map(|r| FieldError::refused(r, locale)).collect()
            }
            _ => vec![],
        }
    }

    /// The JSON answer of the API.
    pub fn into_json(self) -> Response {
        self.log();
        let locale = request_locale();
        let fields = self.field_errors(locale);
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.public_message(locale), "fields": fields }
        });
        (self.status(), [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }

    /// The page answer, in the caller's language.
    pub fn into_page(self, locale: Locale) -> Response {
        self.log();
        if matches!(self, Error::Unauthenticated) {
            return Redirect::to("/sign-in").into_response();
        }
        let status = self.status();
        let message = self.public_message(locale);
        (status, crate::templates::error_page(locale, status, &message)).into_response()
    }
}

/// Axum refuses a path, query, form or body that does not deserialise with a plain-text answer
/// in serde's words; it answers like every other error instead: in the API's error shape, or as a
/// page in the caller's language. (The API's own readers name the field: see `api::extract`.)
pub async fn readable_rejections(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let locale = match request.extensions().get::<Caller>() {
        Some(caller) => caller.locale,
        None => request.extensions().get::<RequestLocale>().map(|l| l.0).unwrap_or_default(),
    };
    let response = REQUEST_LOCALE.scope(locale, next.run(request)).await;
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"));
    if !(plain_text && response.status().is_client_error()) {
        return response;
    }
    let error = if response.status() == StatusCode::PAYLOAD_TOO_LARGE { Error::TooLarge } else { Error::Unreadable };
    if api { error.into_json() } else { error.into_page(locale) }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.into_page(Locale::default())
    }
}

/// A page handler's result: errors render as pages in the caller's language.
pub struct PageError(pub Error, pub Locale);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.into_page(self.1)
    }
}
