//! Every request gets an id: each line logged while serving it carries the id (in a `request` span
//! with the method and path), and the answer names it in `X-Request-Id`, so that a user's report of
//! a failure leads to its log lines.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

pub async fn tag(request: Request, next: Next) -> Response {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let span = tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path());
    let mut response = next.run(request).instrument(span).await;
    response.headers_mut().insert(HEADER, HeaderValue::from(id));
    response
}
