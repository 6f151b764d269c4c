//! Memory that stays small (issue 20): the C allocator is told to serve large blocks (the 19 MiB of a
//! password check, big responses) from their own mappings, which go back to the system when freed, and
//! is asked to give back what it holds free once start-up is done and after a burst of sign-ins
//! (glibc keeps freed memory in per-thread arenas otherwise; one start-up took two 15 MiB arenas for
//! building each worker's routes, and kept them).

#![allow(unsafe_code)]

use std::time::Duration;

/// Blocks of at least this size get mappings of their own (glibc otherwise raises its threshold to
/// the largest block freed, up to 32 MiB, and keeps such blocks in its heaps).
const OWN_MAPPING_FROM: i32 = 1 << 20;

/// How long password checks must have been idle before their memory is given back.
const IDLE_PASSWORD_CHECKS: Duration = Duration::from_secs(2);

/// Sets the allocator up; call before the server allocates much.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes two integers and only changes the allocator's parameters.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_FROM);
    }
}

/// Gives the allocator's free memory back to the system.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes an integer and only releases memory the allocator holds free.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Once the server has started, and then whenever password checks have been idle for a while after
/// a burst, gives memory back. Runs for the life of the process, once however many servers it runs.
pub fn spawn_trimmer() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(start_trimmer);
}

fn start_trimmer() {
    let spawned = std::thread::Builder::new().name("memory-trim".into()).spawn(|| {
        std::thread::sleep(Duration::from_secs(2));
        give_back();
        loop {
            std::thread::sleep(Duration::from_secs(1));
            if crate::auth::password::release_idle_memory(IDLE_PASSWORD_CHECKS) {
                give_back();
            }
        }
    });
    if let Err(e) = spawned {
        log::warn!("cannot start the memory trimmer: {e}");
    }
}
