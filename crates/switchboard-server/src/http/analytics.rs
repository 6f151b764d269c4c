//! `GET /v1/analytics/summary`: counts within the caller's data scope (rule MC-18).

use crate::access::Caller;
use crate::http::common::{Errors, db};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_store::repo::communications::{self, KindCounts};
use utoipa::ToSchema;

use crate::http::history::HistoryFilter;

/// Counts of one kind of communication.
#[derive(Debug, Serialize, ToSchema)]
pub struct Counts {
    pub count: i64,
    pub with_recording: i64,
    pub total_duration_seconds: i64,
}

impl From<KindCounts> for Counts {
    fn from(k: KindCounts) -> Self {
        Counts { count: k.count, with_recording: k.with_recording, total_duration_seconds: k.total_duration_seconds }
    }
}

/// Analytics within the caller's data scope (rule MC-18: at least their own interactions).
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyticsSummary {
    pub total: Counts,
    /// By kind: `call`, `message`, `voicemail`, `recording`.
    pub by_kind: BTreeMap<String, Counts>,
}

/// Counts of the communications within the caller's data scope.
#[utoipa::path(operation_id = "get_analytics_summary", tag = "history", security(("bearer" = []), ("api_key" = [])),
    params(HistoryFilter), responses((status = 200, description = "Counts", body = AnalyticsSummary), Errors))]
#[get("/analytics/summary")]
pub async fn analytics(
    caller: Caller,
    state: web::Data<AppState>,
    filter: web::Query<HistoryFilter>,
) -> Result<web::Json<AnalyticsSummary>, ApiError> {
    let filter = filter.filter();
    let counts = db(&state, move |_, conn| {
        Ok(communications::counts(conn, caller.account.id, &caller.principal.visibility(), &filter)?)
    })
    .await?;
    Ok(web::Json(AnalyticsSummary {
        total: counts.total.into(),
        by_kind: counts.by_kind.into_iter().map(|(k, v)| (k.as_str().to_owned(), v.into())).collect(),
    }))
}
