//! `/v1/me/sessions` and `/v1/auth/sign-out`: a signed-in person's sessions, each of which they can
//! end. Every token Switchboard mints belongs to one (see `service::sessions` for what else ends them).

use crate::access::Caller;
use crate::http::common::{Errors, db};
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use switchboard_store::repo::sessions::{self, EndedWhy, Session};
use utoipa::ToSchema;
use uuid::Uuid;

/// A signed-in session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Whether this request was made with it.
    pub current: bool,
}

/// The caller's sessions that have neither ended nor expired, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionView>,
}

fn view(session: Session, current: Option<Uuid>) -> SessionView {
    SessionView {
        current: current == Some(session.id),
        id: session.id,
        created_at: session.created_at,
        expires_at: session.expires_at,
    }
}

/// Lists the caller's active sessions.
#[utoipa::path(operation_id = "list_my_sessions", tag = "auth", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The caller's active sessions", body = SessionList), Errors))]
#[get("/me/sessions")]
pub async fn list_sessions(caller: Caller, state: web::Data<AppState>) -> Result<web::Json<SessionList>, ApiError> {
    let (account, user, current) = (caller.account.id, caller.user.id, caller.session);
    let list = db(&state, move |_, conn| Ok(sessions::active(conn, account, user, switchboard_store::now())?)).await?;
    Ok(web::Json(SessionList { items: list.into_iter().map(|s| view(s, current)).collect() }))
}

/// Ends one of the caller's sessions, at once on this instance and within the refresh bound on others.
#[utoipa::path(operation_id = "end_my_session", tag = "auth", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session's id")),
    responses((status = 204, description = "Ended"), Errors))]
#[delete("/me/sessions/{id}")]
pub async fn end_session(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::sessions::end_own(cx, id, EndedWhy::EndedByUser)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Signs out: ends the session the request's token belongs to.
#[utoipa::path(operation_id = "sign_out", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out; the token no longer works"), Errors))]
#[post("/auth/sign-out")]
pub async fn sign_out(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    end_current_session(&state, caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends the session the caller's token belongs to (the API's and the console's sign-out).
pub async fn end_current_session(state: &web::Data<AppState>, caller: Caller) -> Result<(), ApiError> {
    let Some(id) = caller.session else {
        return Err(ApiError::BadRequest(
            "this credential has no session to end (an API key or a provider's token)".into(),
        ));
    };
    service::run(state, caller, move |cx| service::sessions::end_own(cx, id, EndedWhy::SignedOut)).await
}
