//! Reports (`/v1/analytics/summary`, `/v1/reports/{dimension}`): counts, recordings and durations by
//! kind, by day, by number, by workgroup, by IVR and by user. They are judged apart from the history
//! (rules MC-5, MC-26): without the pack's reports permission (`reports.all`) a user's reports cover
//! only the interactions they took part in (MC-18); with it, their data scope and its kinds. Each is
//! also a CSV download (`Accept: text/csv`), which needs `reports.download`.

use crate::access::Caller;
use crate::http::common::{Errors, PageQuery, db};
use crate::http::csv::{self, Accepts};
use crate::http::history::may_download;
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_store::PageRequest;
use switchboard_store::repo::communications::CommunicationFilter;
use switchboard_store::repo::reports::{self, Dimension, KindCounts, ReportRow};
use utoipa::{IntoParams, ToSchema};

/// Counts within the caller's reports scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyticsSummary {
    pub total: KindCounts,
    /// By kind: `call`, `message`, `voicemail`, `recording`.
    pub by_kind: BTreeMap<String, KindCounts>,
}

/// A page of a report: the rows of its groups, ordered by group (communications without one last)
/// and kind. Pass `next_cursor` as `cursor` for the next groups; it is absent on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub dimension: Dimension,
    pub rows: Vec<ReportRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Groups of a report per page unless `limit` says otherwise: a year of days in four pages.
const REPORT_PAGE: u32 = 100;

/// Which groups of a report to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportPageQuery {
    /// Groups (days, numbers, workgroups, IVRs, people or kinds) per page, 1 to 500 (default 100).
    /// A group's rows, one per kind, are never split between pages.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; empty or absent for the first page. A cursor this
    /// report did not produce answers 422.
    #[param(pattern = r"^([0-9a-f]{2})*$", max_length = 1024)]
    pub cursor: Option<String>,
}

impl ReportPageQuery {
    fn request(&self) -> Result<PageRequest, ApiError> {
        PageQuery { limit: Some(self.limit.unwrap_or(REPORT_PAGE)), cursor: self.cursor.clone() }.request()
    }
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

/// A report within the caller's reports scope, grouped by day, number, workgroup, IVR, user or kind,
/// a page of groups at a time; as CSV, all of its groups at once.
#[utoipa::path(operation_id = "get_report", tag = "reports", security(("bearer" = []), ("api_key" = [])),
    params(("dimension" = Dimension, Path, description = "What the report groups by"), CommunicationFilter,
        ReportPageQuery),
    responses((status = 200, description = "A page of the report, or all of it as CSV", content(
        (Report = "application/json"), (String = "text/csv"))), Errors))]
#[get("/reports/{dimension}")]
pub async fn report(
    accepts: Accepts,
    caller: Caller,
    state: web::Data<AppState>,
    dimension: web::Path<Dimension>,
    filter: Query<CommunicationFilter>,
    page: Query<ReportPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (dimension, filter) = (dimension.into_inner(), filter.into_inner());
    if accepts.csv {
        may_download(&caller, &state)?;
        return csv_download(caller, state, filter, dimension).await;
    }
    let page = page.request()?;
    let page = db(&state, move |_, conn| {
        let visibility = caller.policy().reports_visibility(&caller.principal);
        Ok(reports::report_page(conn, caller.account.id, &visibility, &filter, dimension, &page)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Report { dimension, rows: page.rows, next_cursor: page.next_cursor }))
}

/// The whole report as CSV, counted in one statement: by participant, one pass over the scope's
/// records costs less in all than walking every person's records a page at a time.
async fn csv_download(
    caller: Caller,
    state: web::Data<AppState>,
    filter: CommunicationFilter,
    dimension: Dimension,
) -> Result<HttpResponse, ApiError> {
    let rows = db(&state, move |_, conn| {
        let visibility = caller.policy().reports_visibility(&caller.principal);
        Ok(reports::report(conn, caller.account.id, &visibility, &filter, dimension)?)
    })
    .await?;
    let mut out = String::new();
    let name = serde_json::to_value(dimension).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    csv::push_line(&mut out, [name.as_str(), "kind", "count", "with_recording", "total_duration_seconds"]);
    for r in &rows {
        let numbers = [r.count.to_string(), r.with_recording.to_string(), r.total_duration_seconds.to_string()];
        let head = [r.key.as_deref().unwrap_or(""), r.kind.as_str()];
        csv::push_line(&mut out, head.into_iter().chain(numbers.iter().map(String::as_str)));
    }
    Ok(HttpResponse::Ok().content_type(csv::CONTENT_TYPE).body(out))
}
