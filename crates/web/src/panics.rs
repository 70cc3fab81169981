//! A handler that panics answers a clean 500 instead of a dropped connection, and is logged.

use crate::error::Error;
use crate::i18n::Locale;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// Runs the rest of the request as a task of its own, which is where tokio catches a panic; the
/// connection and the server carry on. The answer is the API's JSON error under `/api/`, else an
/// error page in the browser's language.
pub async fn answer_panics_with_500(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let locale = Locale::negotiate(request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let failure = match tokio::spawn(next.run(request)).await {
        Ok(response) => return response,
        Err(failure) => failure,
    };
    let cause = match failure.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into()),
        Err(failure) => failure.to_string(),
    };
    let error = Error::Internal(format!("the handler of {path} panicked: {cause}"));
    if path.starts_with("/api/") { error.into_json() } else { error.into_page(locale) }
}
