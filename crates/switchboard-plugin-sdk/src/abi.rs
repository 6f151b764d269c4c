//! The C ABI between the Switchboard host and a preset plugin (DESIGN §3).
//!
//! Rust has no stable ABI, so nothing Rust-shaped crosses the boundary:
//!
//! 1. The library exports [`HANDSHAKE_SYMBOL`], an `extern "C" fn() -> u32` returning [`ABI_VERSION`].
//!    The host calls it before anything else and stops unless the number is its own.
//! 2. It exports [`API_SYMBOL`], an `extern "C" fn() -> *const PluginApi`: a `#[repr(C)]` table with the
//!    ABI and SDK versions and the entry points.
//! 3. Entry points answer with a [`RawBuffer`] of UTF-8 JSON, an [`Envelope`]:
//!    `{"ok": …}` or `{"error": {"kind": …, "message": …}}`.
//! 4. The host copies the bytes and hands the buffer back to the plugin's own
//!    [`PluginApi::free_buffer`]: memory is freed by the side that allocated it.
//!
//! Every entry point runs inside [`std::panic::catch_unwind`]: a panic becomes an error envelope (or the
//! handshake's [`HANDSHAKE_FAILED`], or a null table), never an unwind across `extern "C"`, which would
//! abort the host. Plugin authors do not use this module directly: [`crate::export_preset_packs!`]
//! generates the symbols. It is public for the host, and for test fixtures that imitate broken plugins.

use serde::{Deserialize, Serialize};
use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The version of this ABI: the symbols, the table layout and the envelope. Bumped on any change.
pub const ABI_VERSION: u32 = 1;

/// What a handshake returns when it failed (it panicked). No ABI ever has this version.
pub const HANDSHAKE_FAILED: u32 = 0;

/// `extern "C" fn() -> u32`: the ABI version. Checked before anything else.
pub const HANDSHAKE_SYMBOL: &str = "switchboard_plugin_abi_version";

/// `extern "C" fn() -> *const PluginApi`: the entry-point table (null when it failed).
pub const API_SYMBOL: &str = "switchboard_plugin_api";

/// What `free_buffer` returns when it freed the buffer.
pub const FREE_OK: u32 = 1;

/// What `free_buffer` returns when it panicked (the buffer is then leaked).
pub const FREE_FAILED: u32 = 0;

/// The error `kind` of an envelope produced by a caught panic.
pub const PANIC_KIND: &str = "panic";

const fn parse_u32(s: &str) -> u32 {
    let bytes = s.as_bytes();
    let mut value = 0u32;
    let mut i = 0;
    while i < bytes.len() {
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    value
}

/// A semantic version, as it crosses the ABI.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SdkVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// The version of this SDK. A plugin's table carries the SDK version it was built with.
pub const SDK_VERSION: SdkVersion = SdkVersion {
    major: parse_u32(env!("CARGO_PKG_VERSION_MAJOR")),
    minor: parse_u32(env!("CARGO_PKG_VERSION_MINOR")),
    patch: parse_u32(env!("CARGO_PKG_VERSION_PATCH")),
};

impl SdkVersion {
    /// Whether a host built with `host` can load a plugin built with `self`, by semver: the same
    /// major version, and for `0.x` the same minor version; a plugin may not be newer than the host.
    pub fn is_compatible_with(self, host: SdkVersion) -> bool {
        if self.major != host.major {
            return false;
        }
        if self.major == 0 { self.minor == host.minor && self <= host } else { self.minor <= host.minor }
    }
}

impl fmt::Display for SdkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Bytes allocated by the plugin. The host must give every buffer it receives back to the plugin's
/// `free_buffer`, exactly once.
#[repr(C)]
#[derive(Debug)]
pub struct RawBuffer {
    pub ptr: *mut u8,
    pub len: usize,
}

impl RawBuffer {
    /// Hands `bytes` over the boundary; the plugin's `free_buffer` takes them back.
    pub fn from_vec(bytes: Vec<u8>) -> RawBuffer {
        let boxed: Box<[u8]> = bytes.into_boxed_slice();
        let len = boxed.len();
        let ptr = Box::into_raw(boxed).cast::<u8>();
        RawBuffer { ptr, len }
    }

    /// The empty buffer: nothing to free.
    pub const fn null() -> RawBuffer {
        RawBuffer { ptr: std::ptr::null_mut(), len: 0 }
    }
}

/// The handshake: `extern "C" fn() -> u32`.
pub type HandshakeFn = extern "C" fn() -> u32;
/// The table getter: `extern "C" fn() -> *const PluginApi`.
pub type ApiFn = extern "C" fn() -> *const PluginApi;
/// An entry point answering with an [`Envelope`] in a plugin-allocated buffer.
pub type CallFn = extern "C" fn() -> RawBuffer;
/// Frees a buffer the same plugin returned; [`FREE_OK`] or [`FREE_FAILED`].
///
/// # Safety
/// The buffer must come from an entry point of the same plugin and be freed only once.
pub type FreeFn = unsafe extern "C" fn(RawBuffer) -> u32;

/// The entry-point table a plugin exports through [`API_SYMBOL`].
#[repr(C)]
#[derive(Debug)]
pub struct PluginApi {
    /// [`ABI_VERSION`] again, so a table is never read with another layout.
    pub abi_version: u32,
    /// The SDK the plugin was built with.
    pub sdk_version: SdkVersion,
    /// Answers `{"ok": PluginInfo}`.
    pub describe: CallFn,
    /// Answers `{"ok": [PresetPack, …]}`.
    pub preset_packs: CallFn,
    pub free_buffer: FreeFn,
}

impl PluginApi {
    /// A table of this ABI and SDK version, with this SDK's `free_buffer`.
    pub const fn new(describe: CallFn, preset_packs: CallFn) -> PluginApi {
        PluginApi { abi_version: ABI_VERSION, sdk_version: SDK_VERSION, describe, preset_packs, free_buffer }
    }
}

/// What crosses the boundary: a value or an error, as `{"ok": …}` or `{"error": {…}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Envelope<T> {
    Ok(T),
    Error(ErrorBody),
}

/// An error reported by a plugin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// `panic` for a caught panic; otherwise chosen by the plugin (e.g. `invalid_pack`).
    pub kind: String,
    pub message: String,
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// Who the plugin is: what `describe` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginInfo {
    /// The crate name, e.g. `preset-aircall`.
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// The SDK version the plugin was built with, as text.
    pub sdk_version: String,
}

impl PluginInfo {
    pub fn new(name: &str, version: &str, description: &str) -> PluginInfo {
        PluginInfo {
            name: name.into(),
            version: version.into(),
            description: description.into(),
            sdk_version: SDK_VERSION.to_string(),
        }
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "the plugin panicked with a non-text payload".to_owned()
    }
}

/// Runs an entry point's body, turning its result or its panic into an envelope in a buffer.
pub fn respond<T, F>(body: F) -> RawBuffer
where
    T: Serialize,
    F: FnOnce() -> Result<T, ErrorBody>,
{
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let envelope = match body() {
            Ok(value) => Envelope::Ok(value),
            Err(error) => Envelope::Error(error),
        };
        serde_json::to_vec(&envelope).map_err(|e| ErrorBody { kind: "serialize".into(), message: e.to_string() })
    }));
    let bytes = match outcome {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) => Err(error),
        Err(payload) => Err(ErrorBody { kind: PANIC_KIND.into(), message: panic_message(payload.as_ref()) }),
    }
    .or_else(|error| catch_unwind(AssertUnwindSafe(|| error_bytes(&error))).map_err(|_| ()));
    match bytes {
        Ok(bytes) => RawBuffer::from_vec(bytes),
        // Even writing the error failed (out of memory while unwinding): the host sees a null buffer.
        Err(()) => RawBuffer::null(),
    }
}

fn error_bytes(error: &ErrorBody) -> Vec<u8> {
    serde_json::to_vec(&Envelope::<()>::Error(error.clone())).unwrap_or_else(|_| {
        br#"{"error":{"kind":"serialize","message":"the plugin could not write its error"}}"#.to_vec()
    })
}

/// The handshake body: [`ABI_VERSION`], or [`HANDSHAKE_FAILED`] if `body` panics.
pub fn guard_handshake(body: impl FnOnce() -> u32) -> u32 {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(HANDSHAKE_FAILED)
}

/// The handshake every SDK plugin exports.
pub fn handshake() -> u32 {
    guard_handshake(|| ABI_VERSION)
}

/// The table getter's body: the table, or null if `body` panics.
pub fn guard_api(body: impl FnOnce() -> &'static PluginApi) -> *const PluginApi {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(api) => api,
        Err(_) => std::ptr::null(),
    }
}

/// Runs a `free_buffer` body: [`FREE_OK`], or [`FREE_FAILED`] if it panics.
pub fn guard_free(body: impl FnOnce()) -> u32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(()) => FREE_OK,
        Err(_) => FREE_FAILED,
    }
}

/// Frees a buffer made by [`RawBuffer::from_vec`] in this same library.
///
/// # Safety
/// `buffer` must come from [`RawBuffer::from_vec`] in this library and not have been freed before.
#[allow(unsafe_code)]
pub unsafe extern "C" fn free_buffer(buffer: RawBuffer) -> u32 {
    guard_free(|| {
        if !buffer.ptr.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(buffer.ptr, buffer.len);
            // SAFETY: per this function's contract the pointer and length come from `Box::into_raw`
            // of a `Box<[u8]>` in `RawBuffer::from_vec`, and ownership returns here exactly once.
            drop(unsafe { Box::from_raw(slice) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(buffer: RawBuffer) -> String {
        assert!(!buffer.ptr.is_null());
        // SAFETY: the buffer was just made by `respond` in this process and is freed below.
        let text = String::from_utf8(unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec());
        // SAFETY: freed once.
        assert_eq!(unsafe { free_buffer(buffer) }, FREE_OK);
        text.expect("utf-8")
    }

    #[test]
    fn a_value_travels_in_an_ok_envelope() {
        assert_eq!(take(respond(|| Ok(vec![1, 2]))), r#"{"ok":[1,2]}"#);
    }

    #[test]
    fn an_error_travels_in_an_error_envelope() {
        let body = || Err::<(), _>(ErrorBody { kind: "invalid_pack".into(), message: "no roles".into() });
        assert_eq!(take(respond(body)), r#"{"error":{"kind":"invalid_pack","message":"no roles"}}"#);
    }

    #[test]
    fn a_panic_becomes_an_error_envelope_instead_of_an_unwind() {
        let text = take(respond::<(), _>(|| panic!("pack exploded")));
        let envelope: Envelope<()> = serde_json::from_str(&text).expect("json");
        assert_eq!(envelope, Envelope::Error(ErrorBody { kind: PANIC_KIND.into(), message: "pack exploded".into() }));
        assert_eq!(guard_handshake(|| panic!("x")), HANDSHAKE_FAILED);
        assert!(guard_api(|| panic!("x")).is_null());
        assert_eq!(guard_free(|| panic!("x")), FREE_FAILED);
    }

    #[test]
    fn the_handshake_answers_this_abi_and_no_abi_is_version_zero() {
        assert_eq!(handshake(), ABI_VERSION);
        assert_ne!(ABI_VERSION, HANDSHAKE_FAILED);
    }

    #[test]
    fn freeing_the_null_buffer_is_harmless() {
        // SAFETY: the null buffer owns nothing.
        assert_eq!(unsafe { free_buffer(RawBuffer::null()) }, FREE_OK);
    }

    #[test]
    fn sdk_versions_are_compatible_by_semver() {
        let v = |major, minor, patch| SdkVersion { major, minor, patch };
        assert_eq!(SDK_VERSION.to_string(), env!("CARGO_PKG_VERSION"));
        assert!(v(0, 1, 0).is_compatible_with(v(0, 1, 3)));
        assert!(!v(0, 1, 4).is_compatible_with(v(0, 1, 3)), "a plugin newer than the host");
        assert!(!v(0, 2, 0).is_compatible_with(v(0, 1, 0)));
        assert!(v(1, 2, 9).is_compatible_with(v(1, 3, 0)));
        assert!(!v(1, 4, 0).is_compatible_with(v(1, 3, 0)));
        assert!(!v(2, 0, 0).is_compatible_with(v(1, 3, 0)));
    }
}
