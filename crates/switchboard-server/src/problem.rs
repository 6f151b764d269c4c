//! Every error the API answers with, and its one mapping to RFC 9457 `application/problem+json`.
//!
//! Policy: handlers and extractors return [`ApiError`]; storage and core errors convert into it here
//! and nowhere else. A 500 never carries internal detail to the client; it is logged with the
//! request id instead.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use switchboard_core::Reason;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A stable URI for the problem kind: `urn:switchboard:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:switchboard:problem:forbidden")]
    pub kind: String,
    #[schema(example = "Forbidden")]
    pub title: String,
    #[schema(example = 403)]
    pub status: u16,
    /// A human explanation of this occurrence.
    pub detail: String,
    /// The stable machine-readable code, the last segment of `type`.
    #[schema(example = "forbidden")]
    pub code: String,
    /// For authorization denials: the core's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// For validation errors: the offending field (a JSON pointer-like path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The API's error type.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthenticated(String),
    /// The password was right; sign-in needs the code of the user's authenticator (or a recovery code).
    #[error("two-factor sign-in: send `code`, from your authenticator app or a recovery code")]
    TwoFactorRequired,
    /// The account requires two-factor sign-in of this user, who has not enrolled yet.
    #[error(
        "this account requires two-factor sign-in of people who manage people or roles: enroll at POST /v1/me/two-factor first"
    )]
    TwoFactorEnrollmentRequired,
    #[error("{}", .0.message)]
    Forbidden(Box<Reason>),
    /// The groups an identity provider's token names could not be applied to its person: the token is
    /// not accepted until they can be (a person keeps no role a group should have taken away).
    #[error("the groups your identity provider names could not be applied: {0}")]
    GroupsClaimRefused(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A path segment from a closed set of names names none of them (`/v1/reports/weekday`).
    #[error("{0}")]
    UnknownName(String),
    #[error("{detail}")]
    Invalid { field: Option<String>, detail: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    /// A value already in use, naming its field (`email already in use`).
    #[error("{detail}")]
    FieldConflict { field: &'static str, detail: String },
    #[error("the resource has changed since it was read: fetch it again and retry with its current ETag")]
    PreconditionFailed,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("too many attempts: retry after {0} seconds")]
    TooManyRequests(u64),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("the service is unavailable: {0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::Invalid { field: Some(field.into()), detail: detail.into() }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::TwoFactorRequired => "two_factor_required",
            ApiError::TwoFactorEnrollmentRequired => "two_factor_enrollment_required",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::GroupsClaimRefused(_) => "groups_claim_refused",
            ApiError::NotFound(_) | ApiError::UnknownName(_) => "not_found",
            ApiError::Invalid { .. } => "invalid",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Conflict(_) | ApiError::FieldConflict { .. } => "conflict",
            ApiError::PreconditionFailed => "precondition_failed",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::TooManyRequests(_) => "too_many_requests",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            // Never leak internals.
            ApiError::Internal(_) => "an internal error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        };
        Problem {
            kind: format!("urn:switchboard:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: self.code().to_owned(),
            reason: match self {
                ApiError::Forbidden(reason) => Some((**reason).clone()),
                _ => None,
            },
            field: match self {
                ApiError::Invalid { field, .. } => field.clone(),
                ApiError::FieldConflict { field, .. } => Some((*field).to_owned()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated(_) | ApiError::TwoFactorRequired => StatusCode::UNAUTHORIZED,
            ApiError::TwoFactorEnrollmentRequired | ApiError::GroupsClaimRefused(_) => StatusCode::FORBIDDEN,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::UnknownName(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) | ApiError::FieldConflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            log::error!("internal error: {cause}");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            ApiError::Unauthenticated(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            ApiError::TooManyRequests(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            _ => {}
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_else(|_| b"{}".to_vec());
        response.body(body)
    }
}

impl From<switchboard_core::CoreError> for ApiError {
    fn from(e: switchboard_core::CoreError) -> Self {
        use switchboard_core::CoreError as E;
        let field = match &e {
            E::UnknownSection(_)
            | E::UnknownRight(_)
            | E::RightWithoutLevel { .. }
            | E::LevelNotInSet { .. }
            | E::ReservedRight { .. } => Some("grants".to_owned()),
            E::UnknownPermission(_) => Some("permission".to_owned()),
            E::UnknownRole(_) => Some("roles".to_owned()),
            E::DuplicateRole(_) => Some("key".to_owned()),
            _ => None,
        };
        if let E::DuplicateRole(key) = &e {
            return ApiError::Conflict(format!("a role with key `{key}` already exists"));
        }
        ApiError::Invalid { field, detail: e.to_string() }
    }
}

impl From<switchboard_store::StoreError> for ApiError {
    fn from(e: switchboard_store::StoreError) -> Self {
        use switchboard_store::StoreError as E;
        match e {
            E::NotFound { entity } => ApiError::NotFound(entity),
            E::Conflict { field: Some(field), message } => ApiError::FieldConflict { field, detail: message },
            E::Conflict { field: None, message } => ApiError::Conflict(message),
            E::StaleVersion { .. } => ApiError::PreconditionFailed,
            E::InvalidReference { message } => ApiError::Invalid { field: None, detail: message },
            E::InUse { entity, message } => ApiError::Conflict(format!("the {entity} is in use: {message}")),
            E::InvalidInput(message) => ApiError::Invalid { field: None, detail: message },
            E::InvalidField { field, message } => ApiError::invalid(field, message),
            E::Unavailable(cause) => {
                // The cause may name the database host: the client learns only that it is unavailable.
                log::debug!("database unavailable: {cause}");
                ApiError::Unavailable("the database is busy or cannot be reached; retry later".into())
            }
            E::Full(cause) => {
                // The operator must act (free disk space): logged as an error, answered as an outage
                log::error!("the database has no room to write: {cause}");
                ApiError::Unavailable("the database has no room to write; nothing was changed; retry later".into())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(format!("blocking task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use actix_web::ResponseError;
    use actix_web::http::header;
    use switchboard_store::StoreError;

    #[test]
    fn a_full_disk_is_answered_as_an_outage_to_retry_without_the_databases_words() {
        let e = ApiError::from(StoreError::Full("database or disk is full: /var/lib/switchboard".into()));
        let response = e.error_response();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"));
        let problem = e.problem();
        assert_eq!(problem.code, "unavailable");
        assert!(
            problem.detail.contains("no room to write") && !problem.detail.contains("/var/lib"),
            "{}",
            problem.detail
        );
    }
}
