//! The few system calls isolation needs. On platforms other than Linux the process-wide protections
//! that have no portable form (`prctl`, `close_range`) are skipped; the limits are POSIX.

use std::fs::File;
use std::io;
use std::os::fd::FromRawFd;

/// Makes this process undumpable: its `/proc/<pid>/mem`, `environ` and file descriptors are no longer
/// open to other processes of the same user, such as a plugin's describing process, and it leaves no
/// core file. Idempotent; called by [`crate::PluginHost::load`].
pub fn protect_host_process() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE takes one integer argument and changes only this process's flags.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// What a limit applies to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resource {
    /// Bytes of address space (every allocation and mapping).
    AddressSpace,
    /// Seconds of CPU time; past it the kernel sends `SIGXCPU`, then `SIGKILL`.
    CpuSeconds,
    /// The largest file the process may write: 0 forbids writing files at all.
    FileSize,
    /// Core files: none.
    CoreSize,
    /// Processes and threads of the user beyond which none may be created: 0 forbids them all.
    Processes,
    /// The lowest file descriptor number that may not be opened.
    OpenFiles,
}

/// Sets a resource's soft and hard limit; the hard limit cannot be raised again without privileges.
pub(crate) fn set_limit(resource: Resource, value: u64) -> io::Result<()> {
    let which = match resource {
        Resource::AddressSpace => libc::RLIMIT_AS,
        Resource::CpuSeconds => libc::RLIMIT_CPU,
        Resource::FileSize => libc::RLIMIT_FSIZE,
        Resource::CoreSize => libc::RLIMIT_CORE,
        Resource::Processes => libc::RLIMIT_NPROC,
        Resource::OpenFiles => libc::RLIMIT_NOFILE,
    };
    let limit = libc::rlimit { rlim_cur: value as libc::rlim_t, rlim_max: value as libc::rlim_t };
    // SAFETY: `limit` is a valid `rlimit` for the duration of the call.
    if unsafe { libc::setrlimit(which, &limit) } == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Forbids this process and its descendants from gaining privileges (set-user-id binaries, file
/// capabilities).
pub(crate) fn forbid_new_privileges() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integer arguments and changes only this process's flags.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Drops every capability this process holds (a process of `root` holds them all): without
/// `CAP_SYS_PTRACE` even a process of the same user cannot read an undumpable host's `/proc` files,
/// and with no new privileges (set after) an `exec` cannot bring them back.
pub(crate) fn drop_capabilities() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct Header {
            version: u32,
            pid: i32,
        }
        #[repr(C)]
        #[derive(Clone, Copy)]
        struct Data {
            effective: u32,
            permitted: u32,
            inheritable: u32,
        }
        const VERSION_3: u32 = 0x2008_0522;
        let mut header = Header { version: VERSION_3, pid: 0 };
        let none = [Data { effective: 0, permitted: 0, inheritable: 0 }; 2];
        // SAFETY: capset reads a version-3 header and two data words, both valid for the call.
        if unsafe { libc::syscall(libc::SYS_capset, &mut header, none.as_ptr()) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Closes every file descriptor above standard error, whatever the parent let through.
pub(crate) fn close_inherited_descriptors() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    // SAFETY: close_range takes integer arguments; nothing in this process holds those descriptors
    // yet (it runs first thing in the describing process).
    unsafe {
        if libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) == 0 {
            return Ok(());
        }
    }
    let mut open = Vec::new();
    for entry in std::fs::read_dir("/dev/fd")? {
        if let Some(fd) = entry?.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) {
            open.push(fd);
        }
    }
    for fd in open.into_iter().filter(|fd| *fd > 2) {
        // SAFETY: as above; the directory's own descriptor is already closed, and closing a
        // descriptor that is gone fails harmlessly.
        unsafe { libc::close(fd) };
    }
    Ok(())
}

/// Moves standard output to a new descriptor, returned, and points descriptor 1 at standard error,
/// so that whatever a plugin prints cannot be taken for the answer.
pub(crate) fn take_stdout() -> io::Result<File> {
    // SAFETY: F_DUPFD_CLOEXEC duplicates descriptor 1 to a new descriptor that this process owns.
    let answer = unsafe { libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3) };
    if answer < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `answer` was just created and is owned by nothing else.
    let file = unsafe { File::from_raw_fd(answer) };
    // SAFETY: dup2 replaces descriptor 1, which no Rust object owns (std's stdout borrows it).
    if unsafe { libc::dup2(2, 1) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(file)
}
