//! Routes and the HTTP conventions every route shares: JSON limits, problem+json for framework
//! errors, 404 for unknown paths and 405 (with `Allow`) for known paths with the wrong method.

pub mod account;
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod authorize;
pub mod body;
pub mod catalog;
pub mod common;
pub mod csv;
pub mod events;
pub mod group_mappings;
pub mod history;
pub mod ingest;
pub mod integrations;
pub mod ivrs;
pub mod lookups;
pub mod me;
pub mod numbers;
pub mod operator;
pub mod ops;
pub mod presets;
pub mod query;
pub mod reports;
pub mod reviews;
pub mod role_grantable;
pub mod role_matrix;
pub mod role_members;
pub mod roles;
pub mod scim_tokens;
pub mod sessions;
pub mod two_factor;
pub mod user_dashboard_access;
pub mod user_permissions;
pub mod user_roles;
pub mod users;
pub mod webhook_deliveries;
pub mod webhooks;
pub mod workgroups;

use crate::problem::ApiError;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::PathError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use utoipa_actix_web::service_config::ServiceConfig;

/// Every route of the API. Used by the server and by `openapi::spec`, so the document
/// always describes exactly what is served.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz).service(ops::readyz).service(ops::metrics);
    cfg.service(
        utoipa_actix_web::scope("/v1")
            // The hot path first: actix tries a scope's routes in order, and nothing else overlaps these.
            .service(authorize::authorize)
            .service(authorize::authorize_batch)
            .service(lookups::who_can)
            .service(lookups::what_can)
            .service(lookups::user_communications)
            .service(auth::create_token)
            .service(sessions::sign_out)
            .service(sessions::list_sessions)
            .service(sessions::end_session)
            .service(two_factor::enroll)
            .service(two_factor::confirm)
            .service(two_factor::turn_off)
            .service(two_factor::reset)
            .service(account::require_two_factor)
            .service(account::transfer_superadmin)
            .service(account::get_account)
            .service(account::update_account)
            .service(account::delete_account)
            .service(accounts::list_account_deletions)
            .service(accounts::create_account)
            .service(accounts::list_accounts)
            .service(me::me)
            .service(catalog::permissions)
            .service(catalog::presets)
            .service(catalog::plugins)
            .service(presets::migrate)
            .service(presets::upgrade)
            .service(role_matrix::matrix)
            .service(role_grantable::grantable)
            .service(roles::list_roles)
            .service(roles::create_role)
            .service(roles::get_role)
            .service(roles::update_role)
            .service(roles::delete_role)
            .service(roles::copy_role)
            .service(role_members::list_members)
            .service(role_members::add_members)
            .service(role_members::remove_member)
            .service(user_roles::bulk_role)
            .service(users::list_users)
            .service(users::invite_user)
            .service(users::get_user)
            .service(users::update_user)
            .service(users::delete_user)
            .service(user_roles::set_roles)
            .service(users::duplicate_user)
            .service(user_permissions::user_permissions)
            .service(user_dashboard_access::set_dashboard_access)
            .service(user_roles::grant_role)
            .service(user_roles::take_emergency_access)
            .service(workgroups::list_workgroups)
            .service(workgroups::create_workgroup)
            .service(workgroups::get_workgroup)
            .service(workgroups::update_workgroup)
            .service(workgroups::delete_workgroup)
            .service(workgroups::set_workgroup_members)
            .service(numbers::list_numbers)
            .service(numbers::create_number)
            .service(numbers::get_number)
            .service(numbers::update_number)
            .service(numbers::delete_number)
            .service(numbers::set_number_users)
            .service(ivrs::list_ivrs)
            .service(ivrs::create_ivr)
            .service(ivrs::get_ivr)
            .service(ivrs::update_ivr)
            .service(ivrs::delete_ivr)
            .service(ingest::ingest_batch)
            .service(ingest::ingest_one)
            .service(history::list_communications)
            .service(history::get_one)
            .service(history::recents)
            .service(reports::analytics)
            .service(reports::report)
            .service(integrations::list_api_keys)
            .service(integrations::create_api_key)
            .service(integrations::revoke_api_key)
            .service(scim_tokens::list_scim_tokens)
            .service(scim_tokens::create_scim_token)
            .service(scim_tokens::revoke_scim_token)
            .service(group_mappings::list_group_mappings)
            .service(group_mappings::create_group_mapping)
            .service(group_mappings::get_group_mapping)
            .service(group_mappings::update_group_mapping)
            .service(group_mappings::delete_group_mapping)
            .service(audit::list_audit_events)
            .service(events::list_events)
            .service(webhooks::list_webhooks)
            .service(webhooks::create_webhook)
            .service(webhooks::get_webhook)
            .service(webhooks::update_webhook)
            .service(webhooks::rotate_webhook_secret)
            .service(webhooks::delete_webhook)
            .service(webhook_deliveries::list_webhook_deliveries)
            .service(webhook_deliveries::redeliver_webhook_delivery)
            .service(reviews::access_review)
            .service(reviews::decide),
    );
}

/// A path whose id is malformed names no record (404), and one whose name is none of a closed set
/// says which names there are (404), unless it is exactly another route's literal path with the wrong
/// method (`PATCH /v1/roles/matrix`: 405 with that route's `Allow`).
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, req| {
        if let Some(allow) = crate::routes::of_request(req).and_then(|r| r.literal(req.path())) {
            return MethodNotAllowed { method: req.method().to_string(), allow }.into();
        }
        // serde's words for an enum: "unknown variant `weekday`, expected one of `kind`, `day`, …"
        match err.to_string().split_once("unknown variant ") {
            Some((_, names)) => ApiError::UnknownName(format!("{} names nothing: {names}", req.path())).into(),
            None => ApiError::NotFound("record").into(),
        }
    })
}

/// A 405 carrying its `Allow` header.
#[derive(Debug)]
struct MethodNotAllowed {
    method: String,
    allow: String,
}

impl std::fmt::Display for MethodNotAllowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not allowed here; allowed: {}", self.method, self.allow)
    }
}

impl ResponseError for MethodNotAllowed {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = ApiError::MethodNotAllowed(self.to_string()).error_response();
        if let Ok(value) = HeaderValue::from_str(&self.allow) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        response
    }
}

/// Answers requests no route took: 405 with `Allow` when the path exists, else 404.
pub async fn fallback(req: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let (req, _payload) = req.into_parts();
    let response = unmatched(&req);
    Ok(ServiceResponse::new(req, response))
}

fn unmatched(req: &HttpRequest) -> HttpResponse {
    match crate::routes::of_request(req).and_then(|r| r.allowed(req.path())) {
        Some(allow) => {
            let error = ApiError::MethodNotAllowed(format!("{} is not allowed here; allowed: {allow}", req.method()));
            let mut response = error.error_response();
            if let Ok(value) = HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        }
        None => ApiError::NotFound("route").error_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_offending_field_is_taken_from_serde_messages() {
        assert_eq!(super::body::field_named_in("missing field `name` at line 1 column 9").as_deref(), Some("name"));
        assert_eq!(
            super::body::field_named_in("unknown field `nmae`, expected one of `name`").as_deref(),
            Some("nmae")
        );
        assert_eq!(super::body::field_named_in("invalid type: integer `3`, expected a string"), None);
    }
}
