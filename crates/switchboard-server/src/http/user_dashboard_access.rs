//! `/users/{id}/dashboard-access`: the workgroups and IVRs whose data a person may see and filter
//! (seed 002), for good or for a time.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::{Errors, IfMatch};
use crate::http::users::{UserDetail, changed};
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, put, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use switchboard_core::{DashboardAccess, IvrId, UserId, WorkgroupId};
use switchboard_store::Bounds;
use utoipa::ToSchema;

/// Sets the workgroups and IVRs whose data a user may see and filter (seed 002).
#[utoipa::path(
    operation_id = "set_dashboard_access",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id"), IfMatch),
    request_body = DashboardGrant,
    responses(
        (status = 200, description = "The user with their new dashboard access", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[put("/users/{id}/dashboard-access")]
pub async fn set_dashboard_access(
    caller: Caller,
    state: web::Data<AppState>,
    IfMatch(expected): IfMatch,
    id: web::Path<UserId>,
    body: Body<DashboardGrant>,
) -> Result<HttpResponse, ApiError> {
    let (id, grant) = (id.into_inner(), body.parse()?);
    let bounds = Bounds { starts_at: grant.starts_at, expires_at: grant.expires_at };
    let access = DashboardAccess { workgroups: grant.workgroups, ivrs: grant.ivrs };
    let person =
        service::run(&state, caller, move |cx| service::dashboard_access::set(cx, id, access, bounds, expected))
            .await?;
    Ok(changed(actix_web::http::StatusCode::OK, person))
}

/// The workgroups and IVRs whose data a user may see and filter (seed 002), for good or for a time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardGrant {
    /// At most 1000.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub workgroups: Vec<WorkgroupId>,
    /// At most 1000.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub ivrs: Vec<IvrId>,
    /// When the access starts (RFC 3339); at once when left out.
    pub starts_at: Option<DateTime<Utc>>,
    /// When the access ends, on every instance at that instant (RFC 3339, in the future); for good
    /// when left out.
    pub expires_at: Option<DateTime<Utc>>,
}
