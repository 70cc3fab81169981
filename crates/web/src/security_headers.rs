//! Headers every response carries, so that a browser limits what a page can do if something
//! foreign ever got into it, and keeps nothing of what it showed.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

/// What a page may load: only this site's stylesheet, icon and script, and no inline script.
/// Styles allow `'unsafe-inline'` because pages set `style` attributes (widths of form fields,
/// a caption's place) and the server-drawn SVG charts carry their own; an injected style cannot run
/// code, while an injected script could, and scripts stay strict.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const HEADERS: &[(HeaderName, &str)] = &[
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    // For browsers that predate frame-ancestors: no page is shown inside another site's frame.
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // Links to other sites do not learn which record was open.
    (header::REFERRER_POLICY, "same-origin"),
];

/// Adds the headers; a response that says nothing about caching is not stored anywhere (pages
/// and API answers show personal data, a new API token once). The static assets say they may be.
pub async fn add(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
