//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane), in a bounded number
//! of hashing slots. Each slot owns its 19 MiB of argon2 memory, allocated when needed, reused while
//! checks keep coming and freed two seconds after the last ([`release_idle_memory`]): a burst of
//! sign-ins queues for a slot instead of allocating 19 MiB per request (64 sign-ins at once used to
//! take the server from 37 MiB to 228 MiB, never given back). Past a bound, a request is not queued
//! but answered 503 with `Retry-After`.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// argon2id's memory, in 1 KiB blocks (19 MiB).
const M_COST: u32 = 19 * 1024;

/// Hashes computed at once: one 19 MiB slot keeps the server's peak near its resting size plus 19 MiB.
pub const SLOTS: usize = 1;
/// Requests waiting for a slot at most (a waiting sign-in holds no thread and no hashing memory); more
/// are refused at once.
pub const MAX_WAITING: usize = 256;
/// How long a request waits for a slot before it is refused.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every slot is taken and the queue is full, or the wait was too long: try again shortly.
    #[error("too many password checks at once; try again in a moment")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

impl From<HashError> for crate::problem::ApiError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => crate::problem::ApiError::Unavailable(e.to_string()),
            HashError::Failed(detail) => crate::problem::ApiError::Internal(detail),
        }
    }
}

fn params() -> Params {
    Params::new(M_COST, 2, 1, None).unwrap_or_default()
}

/// The hashing slots: their memory, and how many requests wait for one.
struct Slots {
    free: Mutex<Vec<Vec<Block>>>,
    returned: Condvar,
    waiting: AtomicUsize,
    /// When a slot was last given back after a check.
    last_used: Mutex<Option<Instant>>,
}

impl Slots {
    fn new(count: usize) -> Self {
        Slots {
            // memory is allocated when a slot is first used
            free: Mutex::new((0..count).map(|_| Vec::new()).collect()),
            returned: Condvar::new(),
            waiting: AtomicUsize::new(0),
            last_used: Mutex::new(None),
        }
    }

    /// Frees the slots' memory when no check has run for `idle` and none waits; whether any was freed.
    fn release_idle_memory(&self, idle: Duration) -> bool {
        let quiet = self
            .last_used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() >= idle);
        if !quiet || self.waiting.load(Ordering::SeqCst) > 0 {
            return false;
        }
        let mut free = self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut released = false;
        for memory in free.iter_mut().filter(|m| !m.is_empty()) {
            *memory = Vec::new();
            released = true;
        }
        released
    }

    /// Runs `work` with argon2 memory of `blocks` blocks from a slot, waiting for one up to [`MAX_WAIT`].
    /// Memory of the standard size is the slot's own; any other size (a hash stored with other
    /// parameters) is allocated for this one use.
    fn with_memory<T>(&self, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> Result<T, HashError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING + SLOTS {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(HashError::Busy);
        }
        let taken = {
            let deadline = Instant::now() + MAX_WAIT;
            let mut free = self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            loop {
                if let Some(memory) = free.pop() {
                    break Some(memory);
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break None;
                }
                free = self.returned.wait_timeout(free, left).unwrap_or_else(std::sync::PoisonError::into_inner).0;
            }
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let Some(mut memory) = taken else { return Err(HashError::Busy) };
        let result = if blocks == params().block_count() {
            if memory.len() != blocks {
                memory = vec![Block::default(); blocks];
            }
            work(&mut memory)
        } else {
            work(&mut vec![Block::default(); blocks])
        };
        self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(memory);
        *self.last_used.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
        self.returned.notify_one();
        Ok(result)
    }
}

fn slots() -> &'static Slots {
    static SLOTS_: OnceLock<Slots> = OnceLock::new();
    SLOTS_.get_or_init(|| Slots::new(SLOTS))
}

/// Frees the slots' memory when no check has run for `idle` and none waits; whether any was freed.
/// The next check allocates it again (a few milliseconds against the check's own tens).
pub fn release_idle_memory(idle: Duration) -> bool {
    slots().release_idle_memory(idle)
}

/// A turn at the hashing slots for a request, awaited without holding a thread (sign-in waits here, so
/// a burst of sign-ins never ties up the threads that serve storage work). Holding it, the blocking
/// [`hash`] or [`verify`] finds a slot free unless a change that checks a password holds it. Past
/// [`MAX_WAITING`] waiting, or after [`MAX_WAIT`], the request is refused ([`HashError::Busy`]).
pub async fn turn() -> Result<tokio::sync::SemaphorePermit<'static>, HashError> {
    static TURNS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    static QUEUED: AtomicUsize = AtomicUsize::new(0);
    let turns = TURNS.get_or_init(|| tokio::sync::Semaphore::new(SLOTS));
    if QUEUED.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
        QUEUED.fetch_sub(1, Ordering::SeqCst);
        return Err(HashError::Busy);
    }
    let permit = actix_web::rt::time::timeout(MAX_WAIT, turns.acquire()).await;
    QUEUED.fetch_sub(1, Ordering::SeqCst);
    match permit {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(HashError::Busy),
    }
}

/// Hashes a password into a PHC string with a fresh 16-byte salt.
pub fn hash(password: impl AsRef<str>) -> Result<String, HashError> {
    hash_in(slots(), password.as_ref())
}

fn hash_in(slots: &Slots, password: &str) -> Result<String, HashError> {
    let failed = |e: &dyn std::fmt::Display| HashError::Failed(e.to_string());
    let hex = super::random_hex(16);
    let salt: Vec<u8> = (0..16).filter_map(|i| u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()).collect();
    let params = params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    slots
        .with_memory(params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
        })?
        .map_err(|e| failed(&e))?;
    let hashed = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hashed.to_string())
}

/// Checks a password against a stored PHC string (any argon2 parameters it was stored with).
pub fn verify(password: &str, stored: &str) -> Result<bool, HashError> {
    verify_in(slots(), password, stored)
}

fn verify_in(slots: &Slots, password: &str, stored: &str) -> Result<bool, HashError> {
    let Ok(parsed) = PasswordHash::new(stored) else { return Ok(false) };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else { return Ok(false) };
    let Ok(params) = Params::try_from(&parsed) else { return Ok(false) };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else { return Ok(false) };
    let Ok(version) = parsed.version.map_or(Ok(Version::V0x13), Version::try_from) else { return Ok(false) };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let computed = slots.with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
    })?;
    // `Output`'s comparison takes the same time wherever the first difference is
    Ok(computed.is_ok() && Output::new(&out).is_ok_and(|out| out == *expected))
}

/// Spends the same time as a real verification, so unknown emails can't be told apart by timing.
pub fn verify_dummy(password: &str) -> Result<(), HashError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = match DUMMY.get() {
        Some(stored) => stored,
        None => {
            let made = hash("not-a-real-password")?;
            DUMMY.get_or_init(|| made)
        }
    };
    verify(password, stored).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery", &stored).unwrap());
        assert!(!verify("correct horse batterY", &stored).unwrap());
        assert!(!verify("anything", "not a phc string").unwrap());
        assert_ne!(stored, hash("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn hashes_stored_with_other_parameters_still_verify() {
        // as the argon2 crate itself writes them, with smaller memory
        use argon2::password_hash::PasswordHasher;
        let small = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 1, None).unwrap());
        let stored = small.hash_password_with_salt(b"old password", b"0123456789abcdef").unwrap().to_string();
        assert!(verify("old password", &stored).unwrap());
        assert!(!verify("new password", &stored).unwrap());
    }

    #[test]
    fn a_burst_of_checks_takes_turns_in_the_slots_and_all_of_them_answer() {
        // slots of its own: the other tests of this binary check passwords at the same time
        let slots = Slots::new(1);
        let stored = hash_in(&slots, "burst").unwrap();
        let answers: Vec<bool> = std::thread::scope(|s| {
            let checks: Vec<_> = (0..8).map(|_| s.spawn(|| verify_in(&slots, "burst", &stored).unwrap())).collect();
            checks.into_iter().map(|c| c.join().unwrap()).collect()
        });
        assert_eq!(answers, [true; 8]);
        assert_eq!(slots.waiting.load(Ordering::SeqCst), 0, "nobody left waiting");
        assert_eq!(slots.free.lock().unwrap().len(), 1, "the one slot is back");
    }

    #[test]
    fn a_slots_memory_is_freed_once_checks_have_been_idle_and_allocated_again_for_the_next() {
        let slots = Slots::new(1);
        let slot_holds_memory = || slots.free.lock().unwrap().iter().any(|m| !m.is_empty());
        assert!(!slots.release_idle_memory(Duration::ZERO), "never used, nothing to free");
        let stored = hash_in(&slots, "idle").unwrap();
        assert!(slot_holds_memory(), "the slot keeps its memory for the next check");
        assert!(!slots.release_idle_memory(Duration::from_secs(3600)), "not idle that long");
        assert!(slot_holds_memory());
        assert!(slots.release_idle_memory(Duration::ZERO));
        assert!(!slot_holds_memory(), "freed");
        assert!(verify_in(&slots, "idle", &stored).unwrap(), "the next check gets memory again");
        assert!(slot_holds_memory());
    }
}
