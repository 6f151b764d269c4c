//! How an instance hears of access changes made through other instances sharing the database: a
//! periodic check of every cached account's access version ([`spawn_refresher`], the bound), and on
//! PostgreSQL, notifications pushed by the committing transaction ([`spawn_listener`], at once).

use crate::access::REFRESH_INTERVAL;
use crate::state::AppState;
use actix_web::web;
use std::time::Duration;
use switchboard_store::notify::AccessListener;

/// Checks the cached accounts' access versions every [`REFRESH_INTERVAL`], so changes made through
/// other instances sharing the database are honoured within that bound. When the database cannot be
/// reached, the cache is dropped (the bound holds through an outage: decisions need the database
/// again, and answer 503 until it is back); the outage is logged when it starts and when it ends.
/// Stops with the server.
pub fn spawn_refresher(state: &web::Data<AppState>) {
    let weak = std::sync::Arc::downgrade(&state.clone().into_inner());
    let spawned = std::thread::Builder::new().name("access-refresh".into()).spawn(move || {
        let mut failing = false;
        loop {
            std::thread::sleep(REFRESH_INTERVAL);
            let Some(state) = weak.upgrade() else { return };
            if state.policies.versions().is_empty() {
                continue;
            }
            match state.store.conn() {
                Ok(mut conn) => {
                    if let Err(e) = state.policies.refresh(&mut conn) {
                        log::warn!("access refresh failed: {e}");
                    }
                    if std::mem::take(&mut failing) {
                        log::info!("access refresh: the database is reachable again");
                    }
                }
                Err(e) => {
                    state.policies.clear();
                    if !std::mem::replace(&mut failing, true) {
                        log::warn!(
                            "access refresh: no database connection ({e}); cached access dropped until it is back"
                        );
                    }
                }
            }
        }
    });
    if let Err(e) = spawned {
        log::error!("cannot start the access refresher: {e}");
    }
}

/// How often the listener reads what PostgreSQL pushed: the delay a notification can add.
const LISTEN_POLL: Duration = Duration::from_millis(5);

/// How long to wait before connecting again after the notification connection failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// The listener connection's `application_name`: it names this process, so it can be found.
pub fn listener_name() -> String {
    format!("switchboard access listener {}", std::process::id())
}

/// On PostgreSQL: listens for access changes on a connection of its own and forgets each announced
/// account's cached policy at once. After every (re)connection it checks every cached account, so a
/// change announced while it was not listening is not missed; the periodic refresher stays the
/// fallback. Stops with the server.
pub fn spawn_listener(state: &web::Data<AppState>, url: String) {
    let weak = std::sync::Arc::downgrade(&state.clone().into_inner());
    let spawned = std::thread::Builder::new().name("access-listen".into()).spawn(move || {
        let mut logged_failure = false;
        loop {
            let Some(state) = weak.upgrade() else { return };
            let mut listener = match AccessListener::connect(&url, &listener_name()) {
                Ok(listener) => listener,
                Err(e) => {
                    if !std::mem::replace(&mut logged_failure, true) {
                        log::warn!("access notifications: cannot listen ({e}); retrying every second");
                    }
                    drop(state);
                    std::thread::sleep(RECONNECT_AFTER);
                    continue;
                }
            };
            logged_failure = false;
            state.metrics.access_listener_connections.inc();
            if let Ok(mut conn) = state.store.conn()
                && let Err(e) = state.policies.refresh(&mut conn)
            {
                log::warn!("access refresh after listening failed: {e}");
            }
            drop(state);
            loop {
                std::thread::sleep(LISTEN_POLL);
                let Some(state) = weak.upgrade() else { return };
                match listener.changed() {
                    Ok(accounts) => {
                        for account in accounts {
                            state.policies.invalidate(account);
                            state.metrics.access_notifications.inc();
                        }
                    }
                    Err(e) => {
                        log::warn!("access notifications: the connection was lost ({e}); listening again");
                        break;
                    }
                }
            }
        }
    });
    if let Err(e) = spawned {
        log::error!("cannot start the access listener: {e}");
    }
}
