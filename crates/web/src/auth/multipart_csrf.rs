//! The CSRF token of a multipart form (a file upload): its first part, named `_csrf`, read from the
//! start of the body while the rest of the upload, up to hundreds of megabytes, is left to stream
//! to the handler. Upload forms put the token's hidden field first; browsers send the parts in the
//! form's order.

use super::CSRF_FIELD;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use http_body::{Body as _, Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll};

/// How much of the body is read to find the first part: its headers and a token are well under
/// this; a form whose first part is larger has no token there.
const FIRST_PART_MAX_BYTES: usize = 16 * 1024;

/// The boundary of a `multipart/form-data` content type; `None` for any other type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let media = params.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let value = params.find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case("boundary").then(|| value.trim())
    })?;
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    (!value.is_empty()).then(|| value.to_string())
}

/// The token the multipart body's first part carries, if that part is `_csrf`, and the request
/// with its body whole again (what was read put back before the rest).
pub async fn first_part_token(request: Request, boundary: &str) -> (Option<String>, Request) {
    let (parts, mut body) = request.into_parts();
    let mut head: Vec<u8> = Vec::new();
    let mut trailing = None;
    let token = loop {
        match first_part(&head, boundary) {
            Scan::Found(token) => break token,
            Scan::NeedMore if head.len() < FIRST_PART_MAX_BYTES => {}
            Scan::NeedMore => break None,
        }
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => head.extend_from_slice(&data),
                // Trailers end the body.
                Err(frame) => {
                    trailing = Some(frame);
                    break None;
                }
            },
            // An unreadable or ended body: the handler sees it as it is.
            Some(Err(_)) | None => break None,
        }
    };
    let body = Body::new(Prefixed { head: Some(Bytes::from(head)), trailing, rest: body });
    (token, Request::from_parts(parts, body))
}

enum Scan {
    /// The first part is complete: its value if it is the token's field.
    Found(Option<String>),
    NeedMore,
}

/// Looks at the body's first bytes: `--BOUNDARY`, the part's headers, a blank line, its value,
/// then `\r\n--BOUNDARY`.
fn first_part(head: &[u8], boundary: &str) -> Scan {
    let delimiter = format!("--{boundary}");
    let opening = format!("{delimiter}\r\n");
    if head.len() < opening.len() {
        return if opening.as_bytes().starts_with(head) { Scan::NeedMore } else { Scan::Found(None) };
    }
    let Some(rest) = head.strip_prefix(opening.as_bytes()) else { return Scan::Found(None) };
    let Some(headers_end) = find(rest, b"\r\n\r\n") else { return Scan::NeedMore };
    let Ok(headers) = std::str::from_utf8(&rest[..headers_end]) else { return Scan::Found(None) };
    if !headers.split("\r\n").any(names_the_token) {
        return Scan::Found(None);
    }
    let value = &rest[headers_end + 4..];
    let Some(value_end) = find(value, format!("\r\n{delimiter}").as_bytes()) else { return Scan::NeedMore };
    Scan::Found(std::str::from_utf8(&value[..value_end]).ok().map(|token| token.trim().to_string()))
}

/// Whether a part's header is `Content-Disposition: form-data; name="_csrf"` (and no file).
fn names_the_token(header: &str) -> bool {
    let Some((name, value)) = header.split_once(':') else { return false };
    if !name.trim().eq_ignore_ascii_case("content-disposition") {
        return false;
    }
    let mut params = value.split(';').map(str::trim);
    let form_data = params.next().is_some_and(|kind| kind.eq_ignore_ascii_case("form-data"));
    let (mut named, mut file) = (false, false);
    for param in params {
        let Some((key, value)) = param.split_once('=') else { continue };
        let value = value.trim().trim_matches('"');
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => named = value == CSRF_FIELD,
            "filename" | "filename*" => file = true,
            _ => {}
        }
    }
    form_data && named && !file
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The bytes read ahead, then the rest of the body.
struct Prefixed {
    head: Option<Bytes>,
    trailing: Option<Frame<Bytes>>,
    rest: Body,
}

impl http_body::Body for Prefixed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Some(head) = self.head.take().filter(|head| !head.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        if let Some(frame) = self.trailing.take() {
            return Poll::Ready(Some(Ok(frame)));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.head.as_ref().is_none_or(Bytes::is_empty) && self.trailing.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let ahead = self.head.as_ref().map_or(0, |head| head.len() as u64);
        let rest = self.rest.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower() + ahead);
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper + ahead);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "xyz";

    fn part(name: &str, value: &str) -> String {
        format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    }

    fn scanned(body: &str) -> Option<Option<String>> {
        match first_part(body.as_bytes(), B) {
            Scan::Found(token) => Some(token),
            Scan::NeedMore => None,
        }
    }

    #[test]
    fn finds_the_token_in_the_first_part_only() {
        let body = format!("{}{}--{B}--\r\n", part("_csrf", "abc123"), part("vendor", "hubspot"));
        assert_eq!(scanned(&body), Some(Some("abc123".to_string())));
        let second = format!("{}{}--{B}--\r\n", part("vendor", "hubspot"), part("_csrf", "abc123"));
        assert_eq!(scanned(&second), Some(None), "only the first part is read");
        let file =
            format!("--{B}\r\nContent-Disposition: form-data; name=\"_csrf\"; filename=\"t\"\r\n\r\nabc\r\n--{B}--");
        assert_eq!(scanned(&file), Some(None), "a file named _csrf is no token");
        assert_eq!(scanned("garbage"), Some(None));
    }

    #[test]
    fn waits_for_the_whole_first_part() {
        let body = part("_csrf", "abc123");
        for cut in [0, 3, 10, body.len() - 2] {
            assert_eq!(scanned(&body[..cut]), None, "{cut} bytes are not enough");
        }
        assert_eq!(scanned(&format!("{body}--{B}")), Some(Some("abc123".to_string())));
    }

    #[test]
    fn reads_the_boundary_of_multipart_forms_only() {
        assert_eq!(boundary("multipart/form-data; boundary=----x1").as_deref(), Some("----x1"));
        assert_eq!(boundary("Multipart/Form-Data; charset=utf-8; Boundary=\"a b\"").as_deref(), Some("a b"));
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
