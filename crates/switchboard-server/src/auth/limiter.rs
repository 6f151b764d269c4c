//! Failed sign-in limits: a fixed window per (account, email) and per client address. In memory and
//! bounded; several instances each keep their own (the per-instance limit is the bound).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed per account and email in one window.
pub const PER_IDENTITY: u32 = 10;
/// Failed attempts allowed per client address in one window.
pub const PER_ADDRESS: u32 = 50;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(300);
/// Most keys remembered; beyond, expired windows are swept, then the oldest dropped.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct LoginLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl LoginLimiter {
    /// `Some(seconds to wait)` when either key is over its limit.
    pub fn check(&self, identity: &str, address: &str) -> Option<u64> {
        let windows = self.windows.lock().ok()?;
        let now = Instant::now();
        let wait = |key: &str, limit: u32| {
            windows.get(key).and_then(|(start, n)| {
                let elapsed = now.duration_since(*start);
                (elapsed < WINDOW && *n >= limit).then(|| (WINDOW - elapsed).as_secs().max(1))
            })
        };
        wait(&format!("id:{identity}"), PER_IDENTITY).or_else(|| wait(&format!("ip:{address}"), PER_ADDRESS))
    }

    /// Counts a failed attempt against both keys.
    pub fn failed(&self, identity: &str, address: &str) {
        let Ok(mut windows) = self.windows.lock() else { return };
        let now = Instant::now();
        if windows.len() >= MAX_KEYS {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if windows.len() >= MAX_KEYS
                && let Some(oldest) = windows.iter().min_by_key(|(_, (start, _))| *start).map(|(k, _)| k.clone())
            {
                windows.remove(&oldest);
            }
        }
        for key in [format!("id:{identity}"), format!("ip:{address}")] {
            let entry = windows.entry(key).or_insert((now, 0));
            if now.duration_since(entry.0) >= WINDOW {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }

    /// A successful sign-in clears the identity's count (not the address's).
    pub fn succeeded(&self, identity: &str) {
        if let Ok(mut windows) = self.windows.lock() {
            windows.remove(&format!("id:{identity}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_is_locked_after_its_failed_attempts_and_a_success_resets_it() {
        let l = LoginLimiter::default();
        for _ in 0..PER_IDENTITY {
            assert_eq!(l.check("acme/ada", "1.2.3.4"), None);
            l.failed("acme/ada", "1.2.3.4");
        }
        let wait = l.check("acme/ada", "1.2.3.4").expect("locked");
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert_eq!(l.check("acme/bob", "5.6.7.8"), None, "other identities and addresses are unaffected");
        l.succeeded("acme/ada");
        assert_eq!(l.check("acme/ada", "1.2.3.4"), None);
    }

    #[test]
    fn one_address_is_limited_across_identities() {
        let l = LoginLimiter::default();
        for i in 0..PER_ADDRESS {
            l.failed(&format!("acme/user{i}"), "9.9.9.9");
        }
        assert!(l.check("acme/someone-new", "9.9.9.9").is_some());
    }
}
