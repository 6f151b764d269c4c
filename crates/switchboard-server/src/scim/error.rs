//! SCIM's error document (RFC 7644 §3.12): every failure at `/scim/v2` answers with it, mapped here
//! from the API's errors once, so a provider sees the same decisions with SCIM's words.

use super::filter::SyntaxError;
use crate::problem::ApiError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const SCIM_JSON: &str = "application/scim+json";

#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct ScimError {
    pub status: StatusCode,
    /// `uniqueness`, `invalidFilter`, `invalidPath`, `noTarget`, `invalidValue`, `mutability`…
    pub scim_type: Option<&'static str>,
    pub detail: String,
    /// Seconds to wait before retrying (503).
    retry_after: bool,
}

impl ScimError {
    pub fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> ScimError {
        ScimError { status, scim_type, detail: detail.into(), retry_after: false }
    }

    pub fn invalid_value(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }

    pub fn not_found(what: &str) -> ScimError {
        ScimError::new(StatusCode::NOT_FOUND, None, format!("{what} not found"))
    }

    pub fn method_not_allowed() -> ScimError {
        ScimError::new(StatusCode::METHOD_NOT_ALLOWED, None, "this method is not allowed here")
    }
}

impl From<ApiError> for ScimError {
    fn from(e: ApiError) -> Self {
        let status = e.status_code();
        let scim_type = match &e {
            ApiError::FieldConflict { .. } | ApiError::Conflict(_) => Some("uniqueness"),
            ApiError::Invalid { .. } | ApiError::BadRequest(_) => Some("invalidValue"),
            _ => None,
        };
        // SCIM answers a value it cannot take with 400, where the API says 422.
        let status = if status == StatusCode::UNPROCESSABLE_ENTITY { StatusCode::BAD_REQUEST } else { status };
        let detail = match &e {
            ApiError::Invalid { field: Some(field), detail } => format!("{field}: {detail}"),
            // the problem document's detail: never an internal cause
            other => other.problem().detail,
        };
        if let ApiError::Internal(cause) = &e {
            log::error!("internal error: {cause}");
        }
        ScimError { status, scim_type, detail, retry_after: matches!(e, ApiError::Unavailable(_)) }
    }
}

impl From<SyntaxError> for ScimError {
    fn from(e: SyntaxError) -> Self {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), e.0)
    }
}

impl From<actix_web::error::BlockingError> for ScimError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<switchboard_store::StoreError> for ScimError {
    fn from(e: switchboard_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl ResponseError for ScimError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({
            "schemas": [ERROR_URN],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON)));
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if self.retry_after {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
        }
        response.body(body.to_string())
    }
}
