//! The platform's own credentials: the operator key (`SWITCHBOARD_OPERATOR_KEY`), which creates
//! accounts, and the metrics token (`SWITCHBOARD_METRICS_TOKEN`), which only reads `/metrics`.

use crate::access::credential::{Credential, credential};
use crate::auth::api_key;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

fn state_of(req: &HttpRequest) -> Result<&web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::Internal("application state missing".into()))
}

/// Whether the request's bearer token is one of `expected` (hashes), compared in constant time.
fn presents(req: &HttpRequest, expected: &[&String]) -> Result<bool, ApiError> {
    match credential(req)? {
        Credential::Bearer(key) => Ok(expected.iter().any(|hash| api_key::verify(key, hash))),
        Credential::ApiKey(_) | Credential::Console { .. } => Ok(false),
    }
}

/// The platform operator, authenticated by `SWITCHBOARD_OPERATOR_KEY`.
#[derive(Debug, Clone, Copy)]
pub struct Operator;

impl FromRequest for Operator {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Operator, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let result = (|| {
            let state = state_of(req)?;
            let expected = state.operator_key_hash.as_ref().ok_or_else(|| {
                ApiError::Unauthenticated("operator endpoints are disabled: set SWITCHBOARD_OPERATOR_KEY".into())
            })?;
            if presents(req, &[expected])? {
                Ok(Operator)
            } else {
                Err(ApiError::Unauthenticated("the operator key is invalid".into()))
            }
        })();
        std::future::ready(result)
    }
}

/// A reader of `/metrics`: the metrics token or the operator key. Metrics name the routes, the
/// decisions and their counts: not for anyone who can reach the port.
#[derive(Debug, Clone, Copy)]
pub struct MetricsReader;

impl FromRequest for MetricsReader {
    type Error = ApiError;
    type Future = std::future::Ready<Result<MetricsReader, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let result = (|| {
            let state = state_of(req)?;
            let expected: Vec<&String> =
                state.metrics_token_hash.iter().chain(state.operator_key_hash.iter()).collect();
            if expected.is_empty() {
                return Err(ApiError::Unauthenticated(
                    "metrics are disabled: set SWITCHBOARD_METRICS_TOKEN (or SWITCHBOARD_OPERATOR_KEY)".into(),
                ));
            }
            if presents(req, &expected)? {
                Ok(MetricsReader)
            } else {
                Err(ApiError::Unauthenticated("send the metrics token (or the operator key) as a Bearer token".into()))
            }
        })();
        std::future::ready(result)
    }
}
