//! Sign-in throttling that cannot be turned against the person it protects.
//!
//! - An **address that guesses** at an identity waits after each failure beyond the first
//!   [`FREE_GUESSES`]; the wait doubles with every further failure at that identity (from that
//!   address, or from any address, whichever is more), up to [`MAX_DELAY`]. A distributed guesser
//!   gets one free round per address, then the identity's whole count applies to each of them.
//! - An **address** that fails [`PER_ADDRESS`] times in a [`WINDOW`], at any identities, waits for the
//!   window to pass.
//! - An **identity is never locked**: an address that has not failed at it signs in with the right
//!   password whatever others have tried. Success clears the identity's failures.
//!
//! Unknown identities are throttled exactly like known ones, so the answers tell nothing. In memory
//! and bounded; several instances each keep their own (the per-instance limit is the bound).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures at one identity an address may make before it has to wait.
pub const FREE_GUESSES: u32 = 3;
/// The longest wait between two guesses at one identity.
pub const MAX_DELAY: Duration = Duration::from_secs(900);
/// Failures one address may make in one window, at any identities.
pub const PER_ADDRESS: u32 = 50;
/// The window of the per-address count, and how long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(900);
/// Most keys remembered; beyond, old ones are swept, then the oldest dropped.
const MAX_KEYS: usize = 100_000;

/// Failures counted under one key since `first`, the last at `last`.
#[derive(Clone, Copy, Debug)]
struct Failures {
    first: Instant,
    last: Instant,
    count: u32,
}

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Failures>>,
}

fn pair_key(identity: &str, address: &str) -> String {
    format!("pair:{address}|{identity}")
}

/// The wait after `count` failures: none for the free guesses, then 1 s, 2 s, 4 s … up to [`MAX_DELAY`].
pub fn delay_after(count: u32) -> Duration {
    match count.checked_sub(FREE_GUESSES) {
        None => Duration::ZERO,
        Some(extra) => Duration::from_secs(1u64 << extra.min(20)).min(MAX_DELAY),
    }
}

impl LoginLimiter {
    /// `Some(seconds to wait)` when this address must not try this identity yet.
    pub fn check(&self, identity: &str, address: &str) -> Option<u64> {
        let failures = self.failures.lock().ok()?;
        let now = Instant::now();
        let current = |key: &str| failures.get(key).copied().filter(|f| now.duration_since(f.first) < WINDOW);
        // Whole seconds, rounded up: what `Retry-After` says.
        let wait_for = |until: Instant| (until > now).then(|| (until - now).as_millis().div_ceil(1000) as u64);
        if let Some(by_address) = current(&format!("ip:{address}"))
            && by_address.count >= PER_ADDRESS
        {
            return wait_for(by_address.first + WINDOW);
        }
        // Only an address that has guessed at this identity waits for it.
        let pair = current(&pair_key(identity, address))?;
        let identity_count = current(&format!("id:{identity}")).map_or(0, |f| f.count);
        wait_for(pair.last + delay_after(pair.count.max(identity_count)))
    }

    /// Counts a failed attempt.
    pub fn failed(&self, identity: &str, address: &str) {
        let Ok(mut failures) = self.failures.lock() else { return };
        let now = Instant::now();
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, f| now.duration_since(f.first) < WINDOW);
            if failures.len() >= MAX_KEYS
                && let Some(oldest) = failures.iter().min_by_key(|(_, f)| f.first).map(|(k, _)| k.clone())
            {
                failures.remove(&oldest);
            }
        }
        for key in [pair_key(identity, address), format!("id:{identity}"), format!("ip:{address}")] {
            let entry = failures.entry(key).or_insert(Failures { first: now, last: now, count: 0 });
            if now.duration_since(entry.first) >= WINDOW {
                *entry = Failures { first: now, last: now, count: 0 };
            }
            entry.count += 1;
            entry.last = now;
        }
    }

    /// A successful sign-in clears the identity's failures (not the address's).
    pub fn succeeded(&self, identity: &str, address: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&format!("id:{identity}"));
            failures.remove(&pair_key(identity, address));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_that_keeps_guessing_waits_longer_each_time() {
        let l = LoginLimiter::default();
        for _ in 0..FREE_GUESSES {
            assert_eq!(l.check("acme/ada", "1.2.3.4"), None, "the first guesses are free");
            l.failed("acme/ada", "1.2.3.4");
        }
        assert_eq!(l.check("acme/ada", "1.2.3.4"), Some(1), "then a wait");
        l.failed("acme/ada", "1.2.3.4");
        l.failed("acme/ada", "1.2.3.4");
        assert_eq!(l.check("acme/ada", "1.2.3.4"), Some(4), "that doubles");
        assert_eq!(delay_after(FREE_GUESSES + 30), MAX_DELAY, "up to a bound");
    }

    #[test]
    fn the_right_password_from_an_address_that_has_not_guessed_is_never_locked_out() {
        let l = LoginLimiter::default();
        for i in 0..200 {
            l.failed("acme/superadmin", &format!("10.0.{}.{}", i / 250, i % 250));
        }
        assert_eq!(l.check("acme/superadmin", "192.0.2.7"), None, "the owner's own address signs in");
    }

    #[test]
    fn a_distributed_guesser_gets_the_identitys_whole_count_after_one_free_round() {
        let l = LoginLimiter::default();
        for i in 0..20 {
            l.failed("acme/ada", &format!("10.0.0.{i}"));
        }
        l.failed("acme/ada", "10.0.1.1");
        let wait = l.check("acme/ada", "10.0.1.1").expect("throttled by the identity's count");
        assert_eq!(wait, delay_after(21).as_secs());
    }

    #[test]
    fn an_address_that_fails_everywhere_is_held_for_the_window() {
        let l = LoginLimiter::default();
        for i in 0..PER_ADDRESS {
            l.failed(&format!("acme/user{i}"), "1.2.3.4");
        }
        let wait = l.check("acme/someone-else", "1.2.3.4").expect("held");
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert_eq!(l.check("acme/someone-else", "5.6.7.8"), None, "other addresses are unaffected");
    }

    #[test]
    fn success_clears_the_identitys_failures() {
        let l = LoginLimiter::default();
        for _ in 0..(FREE_GUESSES + 2) {
            l.failed("acme/ada", "1.2.3.4");
        }
        l.succeeded("acme/ada", "1.2.3.4");
        assert_eq!(l.check("acme/ada", "1.2.3.4"), None);
    }
}
