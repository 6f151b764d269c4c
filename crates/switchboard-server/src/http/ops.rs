//! Liveness, readiness and metrics.

use crate::http::operator::MetricsReader;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(
    operation_id = "health",
    tag = "ops",
    responses((status = 200, description = "The process is up", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The server can reach its database.
#[utoipa::path(
    operation_id = "readiness",
    tag = "ops",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    let store = state.store.clone();
    web::block(move || store.ping()).await??;
    Ok(web::Json(Health { status: "ready" }))
}

/// Prometheus metrics in the text exposition format, for the metrics token
/// (`SWITCHBOARD_METRICS_TOKEN`) or the operator key, sent as a Bearer token.
#[utoipa::path(
    operation_id = "metrics",
    tag = "ops",
    security(("operator" = [])),
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "No metrics token or operator key", body = Problem,
         content_type = "application/problem+json")
    )
)]
#[get("/metrics")]
pub async fn metrics(_reader: MetricsReader, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render())
}
