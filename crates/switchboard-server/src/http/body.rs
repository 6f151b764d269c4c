//! [`Body`]: a request's JSON body, read as bytes while the request is authenticated and parsed by
//! the handler only afterwards. actix runs a handler's extractors side by side, so a parsed
//! `web::Json` could answer 422 (and describe the schema) before the credentials were refused: with
//! `Body`, a request without valid credentials gets its 401 whatever its body says.

use crate::problem::ApiError;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::mime;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

/// The largest body accepted, in bytes (`max_body_bytes`), for the 413 to say; the limit itself is
/// the app's `web::PayloadConfig`.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// A JSON request body, not yet parsed: [`Body::parse`] it once the caller is known.
#[derive(Debug)]
pub struct Body<T> {
    bytes: Result<web::Bytes, ApiError>,
    is_json: bool,
    kind: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Body<T> {
    /// The body as `T`: 400 when it is not JSON, 422 naming the field when it does not fit the schema,
    /// 413 when it was too large.
    pub fn parse(self) -> Result<T, ApiError> {
        let bytes = self.bytes?;
        if !self.is_json {
            return Err(ApiError::BadRequest("the request body must be JSON (Content-Type: application/json)".into()));
        }
        // Every body of the API is an object; serde would also read one from an array, by position. An
        // array, string or number is refused at its first byte, however deep or long it goes on.
        if let Some(b'[' | b'"' | b'-' | b'0'..=b'9') = bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            return Err(ApiError::Invalid { field: None, detail: "the request body must be a JSON object".into() });
        }
        // Bodies that fit are read at full speed; only one that does not is read again, slowly,
        // to name where it broke.
        if let Ok(value) = serde_json::from_slice(&bytes) {
            return Ok(value);
        }
        let mut json = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let path = e.path().to_string();
            let e = e.into_inner();
            if !e.is_data() {
                return not_json(&e);
            }
            // The path the body broke at; for a missing or unknown field, the field serde names.
            let field = match (path.as_str(), field_named_in(&e.to_string())) {
                (".", named) => named,
                (_, Some(named)) if !path.ends_with(&named) => Some(format!("{path}.{named}")),
                (path, _) => Some(path.to_owned()),
            };
            ApiError::Invalid { field, detail: format!("the request body does not fit the schema: {e}") }
        })?;
        json.end().map_err(|e| not_json(&e))?;
        Ok(value)
    }
}

fn not_json(e: &serde_json::Error) -> ApiError {
    ApiError::BadRequest(format!("the request body is not valid JSON: {e}"))
}

/// The field serde names in "missing field `x`", "unknown field `x`" or a value type's "field `x`: …".
pub fn field_named_in(message: &str) -> Option<String> {
    let start = message.find("field `")? + "field `".len();
    let end = message[start..].find('`')?;
    Some(message[start..start + end].to_owned())
}

/// `application/json`, or any `+json` type.
fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == mime::APPLICATION && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
        })
}

impl<T: 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Body<T>, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map_or(0, |l| l.0);
        let is_json = is_json(req);
        let read = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            // A failure to read is kept for `parse`, so it never answers before the credentials do.
            let bytes = read.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => ApiError::PayloadTooLarge(limit),
                _ => ApiError::BadRequest(format!("the request body could not be read: {e}")),
            });
            Ok(Body { bytes, is_json, kind: PhantomData })
        })
    }
}

/// For `#[serde(deserialize_with = "whole_number")]` on an integer field: any JSON number with no
/// fractional part, as JSON Schema's `integer` is (`5671.0` is 5671); a fraction or a number out of
/// the field's range is refused.
pub fn whole_number<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::de::Error;
    let number = serde_json::Number::deserialize(deserializer)?;
    let whole = match (number.as_i64(), number.as_f64()) {
        (Some(i), _) => Some(i),
        // Within ±2^53 every whole f64 is exact, and the cast below is too.
        (None, Some(f)) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 => Some(f as i64),
        _ => None,
    };
    whole
        .and_then(|i| T::try_from(i).ok())
        .ok_or_else(|| D::Error::custom(format!("{number} is not a whole number in range")))
}
