//! Reports (`/v1/analytics/summary`, `/v1/reports/{dimension}`): counts, recordings and durations by
//! kind, by day, by number, by workgroup, by IVR and by user. They are judged apart from the history
//! (rules MC-5, MC-26): without the pack's reports permission (`reports.all`) a user's reports cover
//! only the interactions they took part in (MC-18); with it, their data scope and its kinds. Each is
//! also a CSV download (`Accept: text/csv`), which needs `reports.download`.

use crate::access::Caller;
use crate::http::common::{Errors, db};
use crate::http::csv::{self, Accepts};
use crate::http::history::may_download;
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_store::repo::communications::CommunicationFilter;
use switchboard_store::repo::reports::{self, Dimension, KindCounts, ReportRow};
use utoipa::ToSchema;

/// Counts within the caller's reports scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyticsSummary {
    pub total: KindCounts,
    /// By kind: `call`, `message`, `voicemail`, `recording`.
    pub by_kind: BTreeMap<String, KindCounts>,
}

/// A report: rows ordered by group (communications without one last) and kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub dimension: Dimension,
    pub rows: Vec<ReportRow>,
}

fn counts_line(out: &mut String, key: &str, count: i64, with_recording: i64, duration: i64) {
    let numbers = [count.to_string(), with_recording.to_string(), duration.to_string()];
    csv::push_line(out, [key].into_iter().chain(numbers.iter().map(String::as_str)));
}

/// Counts of the communications within the caller's reports scope.
#[utoipa::path(operation_id = "get_analytics_summary", tag = "reports", security(("bearer" = []), ("api_key" = [])),
    params(CommunicationFilter),
    responses((status = 200, description = "Counts", content(
        (AnalyticsSummary = "application/json"), (String = "text/csv"))), Errors))]
#[get("/analytics/summary")]
pub async fn analytics(
    accepts: Accepts,
    caller: Caller,
    state: web::Data<AppState>,
    filter: Query<CommunicationFilter>,
) -> Result<HttpResponse, ApiError> {
    let as_csv = accepts.csv;
    if as_csv {
        may_download(&caller, &state)?;
    }
    let filter = filter.into_inner();
    let counts = db(&state, move |_, conn| {
        let visibility = caller.policy().reports_visibility(&caller.principal);
        Ok(reports::counts(conn, caller.account.id, &visibility, &filter)?)
    })
    .await?;
    if as_csv {
        let mut out = String::new();
        csv::push_line(&mut out, ["kind", "count", "with_recording", "total_duration_seconds"]);
        for (kind, c) in &counts.by_kind {
            counts_line(&mut out, kind.as_str(), c.count, c.with_recording, c.total_duration_seconds);
        }
        let t = counts.total;
        counts_line(&mut out, "total", t.count, t.with_recording, t.total_duration_seconds);
        return Ok(HttpResponse::Ok().content_type(csv::CONTENT_TYPE).body(out));
    }
    Ok(HttpResponse::Ok().json(AnalyticsSummary {
        total: counts.total,
        by_kind: counts.by_kind.into_iter().map(|(k, v)| (k.as_str().to_owned(), v)).collect(),
    }))
}

/// A report within the caller's reports scope, grouped by day, number, workgroup, IVR, user or kind.
#[utoipa::path(operation_id = "get_report", tag = "reports", security(("bearer" = []), ("api_key" = [])),
    params(("dimension" = Dimension, Path, description = "What the report groups by"), CommunicationFilter),
    responses((status = 200, description = "The report", content(
        (Report = "application/json"), (String = "text/csv"))), Errors))]
#[get("/reports/{dimension}")]
pub async fn report(
    accepts: Accepts,
    caller: Caller,
    state: web::Data<AppState>,
    dimension: web::Path<Dimension>,
    filter: Query<CommunicationFilter>,
) -> Result<HttpResponse, ApiError> {
    let as_csv = accepts.csv;
    if as_csv {
        may_download(&caller, &state)?;
    }
    let (dimension, filter) = (dimension.into_inner(), filter.into_inner());
    let rows = db(&state, move |_, conn| {
        let visibility = caller.policy().reports_visibility(&caller.principal);
        Ok(reports::report(conn, caller.account.id, &visibility, &filter, dimension)?)
    })
    .await?;
    if as_csv {
        let mut out = String::new();
        let name = serde_json::to_value(dimension).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        csv::push_line(&mut out, [name.as_str(), "kind", "count", "with_recording", "total_duration_seconds"]);
        for r in &rows {
            let numbers = [r.count.to_string(), r.with_recording.to_string(), r.total_duration_seconds.to_string()];
            let head = [r.key.as_deref().unwrap_or(""), r.kind.as_str()];
            csv::push_line(&mut out, head.into_iter().chain(numbers.iter().map(String::as_str)));
        }
        return Ok(HttpResponse::Ok().content_type(csv::CONTENT_TYPE).body(out));
    }
    Ok(HttpResponse::Ok().json(Report { dimension, rows }))
}
