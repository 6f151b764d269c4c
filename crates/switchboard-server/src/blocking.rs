//! Storage work runs off the async workers: diesel is blocking.

use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::web;
use switchboard_store::DbConn;

/// Runs storage work on the blocking pool with one pooled connection.
pub async fn db<T, F>(state: &web::Data<AppState>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState, &mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let state = state.clone();
    web::block(move || {
        let mut conn = state.store.conn()?;
        work(&state, &mut conn)
    })
    .await?
}
