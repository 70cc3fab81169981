//! The API's readers of a request's path, query and JSON body. What they cannot read is refused
//! as any invalid input is (422, `invalid_input`), naming the field in the API's own words:
//! serde's messages speak of Rust types and parser internals, not of the document a client reads.

use super::ApiError;
use crate::error::{Error, FieldError, request_locale};
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use quotient_core::refusal::{Code, Refusal};

use serde::de::DeserializeOwned;

/// A JSON body (with `Content-Type: application/json`).
pub struct JsonBody<T>(pub T);

/// The query string's parameters.
pub struct QueryParams<T>(pub T);

/// The path's parameters.
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(refused("body", Refusal::new("", Code::JsonRequired)).into());
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            let error = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge
            } else {
                refused("body", Refusal::new("", Code::BodyUnreadable))
            };
            ApiError(error)
        })?;
        Ok(JsonBody(json(&bytes)?))
    }
}

/// A body that may be left out: none without a JSON content type and with nothing in it.
impl<T: DeserializeOwned, S: Send + Sync> OptionalFromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, ApiError> {
        let empty = request.headers().get(header::CONTENT_LENGTH).is_none_or(|length| length == "0");
        if !is_json(request.headers()) && empty {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(request, state).await.map(Some)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let parameters = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(parameters)
            .map(QueryParams)
            .map_err(|error| unreadable(&error.path().to_string(), &error.inner().to_string()).into())
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(PathParams(value)),
            Err(rejection) => {
                let names: Vec<String> = match RawPathParams::from_request_parts(parts, state).await {
                    Ok(raw) => raw.iter().map(|(name, _)| name.to_string()).collect(),
                    Err(_) => vec![],
                };
                Err(path_refusal(&rejection, &names).into())
            }
        }
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

/// A JSON text as `T`, or why not.
fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(refused("body", Refusal::new("", Code::JsonRequired)));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| json_refusal(&error.path().to_string(), error.inner()))?;
    deserializer.end().map_err(|error| json_refusal(".", &error))?;
    Ok(value)
}

fn json_refusal(path: &str, error: &serde_json::Error) -> Error {
    let at = |code| {
        let line = i64::try_from(error.line()).unwrap_or(i64::MAX);
        let column = i64::try_from(error.column()).unwrap_or(i64::MAX);
        refused("body", Refusal::new("", code).count("line", line).count("column", column))
    };
    match error.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => at(Code::JsonSyntax),
        serde_json::error::Category::Eof => at(Code::JsonEndsEarly),
        serde_json::error::Category::Data => unreadable(path, &error.to_string()),
    }
}

/// The refusal of a value that did not deserialise at `path` (`.` for the whole), from the
/// deserialiser's `message`, of which only the kind of mistake and the expected type are kept.
fn unreadable(path: &str, message: &str) -> Error {
    let at = |name: &str| match path {
        "." | "" => name.to_string(),
        parent => format!("{parent}.{name}"),
    };
    let quoted = |text: &str| text.split('`').nth(1).unwrap_or_default().to_string();
    let (field, refusal) = if let Some(rest) = message.strip_prefix("missing field ") {
        (at(&quoted(rest)), Refusal::new("", Code::Required))
    } else if let Some(rest) = message.strip_prefix("unknown field ") {
        (at(&quoted(rest)), Refusal::new("", Code::UnknownField))
    } else if message.starts_with("unknown variant ") {
        let expected = message.split_once(", expected ").map_or("", |(_, e)| e);
        let choices = expected.trim_start_matches("one of ").replace('`', "");
        let choices = choices.split(" at line ").next().unwrap_or_default().to_string();
        (at(""), Refusal::new("", Code::OneOf).text("choices", choices))
    } else {
        (at(""), wanted(message))
    };
    let field = if field.is_empty() { "body".to_string() } else { field.trim_end_matches('.').to_string() };
    refused(&field, refusal)
}

/// A refusal of the field at `field` (a JSON path such as `lines[0].amount`), in the request's language.
fn refused(field: &str, refusal: Refusal) -> Error {
    let mut error = FieldError::refused(&refusal, request_locale());
    error.field = field.to_string();
    Error::Invalid(vec![error])
}

/// What a value should be, from a deserialiser's message or a Rust type's name.
fn wanted(message: &str) -> Refusal {
    let expected = message.rsplit_once("expected ").map_or(message, |(_, e)| e);
    let expected = expected.split(" at line ").next().unwrap_or_default().trim_start_matches("alloc::string::");
    let whole = |min: i64, max: i64| Refusal::new("", Code::NumberOutOfRange).count("min", min).count("max", max);
    let refusal = |code| Refusal::new("", code);
    match expected {
        "u8" => whole(0, u8::MAX.into()),
        "u16" => whole(0, u16::MAX.into()),
        "u32" => whole(0, u32::MAX.into()),
        "i8" => whole(i8::MIN.into(), i8::MAX.into()),
        "i16" => whole(i16::MIN.into(), i16::MAX.into()),
        "i32" => whole(i32::MIN.into(), i32::MAX.into()),
        // Their bounds, 19 or 20 digits long, would tell a reader nothing: the operation's own
        // check states the range that matters.
        "u64" | "usize" | "i64" | "isize" => refusal(Code::WholeNumber),
        "f32" | "f64" => refusal(Code::Number),
        "a boolean" => refusal(Code::Boolean),
        "a string" | "String" | "a borrowed string" => refusal(Code::Text),
        "a sequence" => refusal(Code::List),
        _ if expected.starts_with("struct ") || expected == "a map" => refusal(Code::Object),
        _ if message.contains("digit") || message.contains("number too") || message.contains("integer") => {
            refusal(Code::WholeNumber)
        }
        _ if message.contains("`true` or `false`") => refusal(Code::Boolean),
        _ => refusal(Code::WrongType),
    }
}

/// A path parameter that did not parse, named by the route's name for it.
fn path_refusal(rejection: &PathRejection, names: &[String]) -> Error {
    use axum::extract::path::ErrorKind;
    let PathRejection::FailedToDeserializePathParams(failure) = rejection else {
        return Error::NotFound;
    };
    let named = |index: usize| names.get(index).cloned().unwrap_or_else(|| "path".to_string());
    let (field, refusal) = match failure.kind() {
        ErrorKind::ParseErrorAtKey { key, expected_type, .. } => (key.clone(), wanted(expected_type)),
        ErrorKind::ParseErrorAtIndex { index, expected_type, .. } => (named(*index), wanted(expected_type)),
        ErrorKind::ParseError { expected_type, .. } => (named(0), wanted(expected_type)),
        ErrorKind::InvalidUtf8InPathParam { key } => (key.clone(), Refusal::new("", Code::Text)),
        ErrorKind::DeserializeError { key, .. } => (key.clone(), wanted("")),
        _ => return Error::NotFound,
    };
    refused(&field, refusal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        yearly: i64,
        relationship: Option<u8>,
        metric: Option<Metric>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "snake_case")]
    enum Metric {
        Revenue,
        Deals,
    }

    fn refusal(text: &str) -> Vec<FieldError> {
        match json::<Body>(text.as_bytes()) {
            Err(Error::Invalid(fields)) => fields,
            other => panic!("{text}: expected a refusal, got {other:?}"),
        }
    }

    /// The field and code of a refusal, with its English message.
    fn field(field: &str, code: &str, message: &str) -> Vec<FieldError> {
        vec![FieldError {
            field: field.to_string(),
            code: Some(code.parse::<Code>().map_or("?", Code::key)),
            message: message.into(),
        }]
    }

    #[test]
    fn a_body_that_does_not_deserialise_names_the_field_in_plain_words() {
        assert_eq!(refusal(r#"{"relationship": 3}"#), field("yearly", "required", "Fill in this field."));
        assert_eq!(refusal(r#"{"yearly": "x"}"#), field("yearly", "whole_number", "Give a whole number within range."));
        assert_eq!(
            refusal(r#"{"yearly": 1, "relationship": 300}"#),
            field("relationship", "number_out_of_range", "Enter a whole number from 0 to 255.")
        );
        assert_eq!(
            refusal(r#"{"yearly": 1, "metric": "margin"}"#),
            field("metric", "one_of", "Use one of: revenue or deals.")
        );
        assert_eq!(refusal("[1]"), field("body", "object", "Give an object."));
        assert_eq!(
            refusal(r#"{"yearly": 1"#),
            field("body", "json_ends_early", "The body's JSON ends too early, at line 1, column 12.")
        );
        assert_eq!(
            refusal(r#"{"yearly": 1} x"#),
            field("body", "json_syntax", "The body is not valid JSON: look at line 1, column 15.")
        );
        assert_eq!(
            refusal(""),
            field("body", "json_required", "Send a JSON body, with Content-Type: application/json.")
        );
        for fields in [refusal(r#"{"yearly": 1e400}"#), refusal(r#"{"yearly": {}}"#), refusal("nul")] {
            let message = &fields[0].message;
            for internal in ["deserialize", "invalid type", "expected", "i64", "`"] {
                assert!(!message.contains(internal), "{message:?} speaks of serde's internals");
            }
        }
    }

    #[test]
    fn a_query_that_does_not_deserialise_names_the_parameter() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Params {
            page: Option<i64>,
            deleted: Option<bool>,
        }
        let read = |query: &str| {
            let parameters = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
            match serde_path_to_error::deserialize::<_, Params>(parameters) {
                Err(error) => unreadable(&error.path().to_string(), &error.inner().to_string()),
                Ok(params) => panic!("{query}: read as {params:?}"),
            }
        };
        let Error::Invalid(fields) = read("page=abc") else { panic!("not a refusal") };
        assert_eq!(fields, field("page", "whole_number", "Give a whole number within range."));
        let Error::Invalid(fields) = read("deleted=maybe") else { panic!("not a refusal") };
        assert_eq!(fields, field("deleted", "boolean", "Give true or false."));
    }
}
