//! The only code that calls into a loaded library, and it runs only in the describing process
//! ([`crate::child`]), never in the host. Everything that comes back is copied, checked and turned
//! into owned Rust values before it leaves this module.

use crate::PluginError;
use libloading::Library;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::Path;
use switchboard_core::PresetPack;
use switchboard_plugin_sdk::abi::{
    ABI_VERSION, API_SYMBOL, ApiFn, CallFn, Envelope, FREE_OK, HANDSHAKE_FAILED, HANDSHAKE_SYMBOL, HandshakeFn,
    PANIC_KIND, PluginApi, PluginInfo, SDK_VERSION,
};

/// The largest answer accepted from one entry point.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// What a library exported, before any validation of the packs.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Exports {
    pub info: PluginInfo,
    pub packs: Vec<PresetPack>,
}

/// Opens a library, shakes hands and reads its packs. The library is never unloaded: whatever it
/// registered while loading (thread-locals, destructors, its copy of std) stays valid for the
/// (short-lived, describing) process.
pub(crate) fn read_plugin(path: &Path) -> Result<Exports, PluginError> {
    // SAFETY: opening a library runs its initialisers. This runs in the describing process, whose
    // crash, abort or endless loop the host survives and reports; what the library hands back is
    // data the host validates.
    let library = unsafe { Library::new(path) }.map_err(|e| PluginError::NotALibrary { message: e.to_string() })?;
    let library: &'static Library = Box::leak(Box::new(library));

    // SAFETY: the symbol is declared by the ABI as `extern "C" fn() -> u32`; a library exporting the
    // name with another type is not a Switchboard plugin and cannot be told apart by any host.
    let handshake = unsafe { library.get::<HandshakeFn>(HANDSHAKE_SYMBOL.as_bytes()) }
        .map_err(|_| PluginError::MissingSymbol { symbol: HANDSHAKE_SYMBOL.into() })?;
    let version = handshake();
    if version == HANDSHAKE_FAILED {
        return Err(PluginError::HandshakeFailed);
    }
    if version != ABI_VERSION {
        return Err(PluginError::AbiMismatch { found: version, expected: ABI_VERSION });
    }

    // SAFETY: ABI version 1 declares this symbol as `extern "C" fn() -> *const PluginApi`.
    let api_fn = unsafe { library.get::<ApiFn>(API_SYMBOL.as_bytes()) }
        .map_err(|_| PluginError::MissingSymbol { symbol: API_SYMBOL.into() })?;
    let api_ptr = api_fn();
    if api_ptr.is_null() {
        return Err(PluginError::NoApiTable);
    }
    // SAFETY: the handshake confirmed ABI version 1, whose table is `PluginApi`; the plugin returns a
    // pointer to a `static`, valid as long as the library, which is never unloaded.
    let api: &'static PluginApi = unsafe { &*api_ptr };
    if api.abi_version != ABI_VERSION {
        return Err(PluginError::AbiMismatch { found: api.abi_version, expected: ABI_VERSION });
    }
    if !api.sdk_version.is_compatible_with(SDK_VERSION) {
        return Err(PluginError::IncompatibleSdk {
            plugin: api.sdk_version.to_string(),
            host: SDK_VERSION.to_string(),
        });
    }
    let info: PluginInfo = call(api, "describe", api.describe)?;
    let packs: Vec<PresetPack> = call(api, "preset_packs", api.preset_packs)?;
    Ok(Exports { info, packs })
}

/// Calls one entry point, copies its answer, gives the buffer back to the plugin and decodes the
/// envelope.
fn call<T: DeserializeOwned>(api: &PluginApi, entry: &'static str, function: CallFn) -> Result<T, PluginError> {
    let malformed = |message: String| PluginError::Malformed { entry: entry.into(), message };
    let buffer = function();
    if buffer.ptr.is_null() {
        return Err(malformed("it returned no data (a null buffer)".into()));
    }
    let too_long = buffer.len > MAX_RESPONSE_BYTES;
    let bytes = if too_long {
        Vec::new()
    } else {
        // SAFETY: a non-null buffer from an entry point holds `len` initialised bytes owned by the plugin
        // until it is handed to `free_buffer` below; they are copied first.
        unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec()
    };
    let len = buffer.len;
    // SAFETY: the buffer came from this plugin's entry point and is freed exactly once, by the plugin.
    if unsafe { (api.free_buffer)(buffer) } != FREE_OK {
        return Err(PluginError::FreeFailed { entry: entry.into() });
    }
    if too_long {
        return Err(malformed(format!("its answer has {len} bytes, more than the {MAX_RESPONSE_BYTES} accepted")));
    }
    let text = String::from_utf8(bytes).map_err(|e| malformed(format!("its answer is not UTF-8: {e}")))?;
    let envelope: Envelope<serde_json::Value> = serde_json::from_str(&text)
        .map_err(|e| malformed(format!("its answer is not a JSON {{\"ok\"|\"error\"}} envelope: {e}")))?;
    match envelope {
        Envelope::Ok(value) => serde_json::from_value(value).map_err(|e| malformed(e.to_string())),
        Envelope::Error(body) if body.kind == PANIC_KIND => {
            Err(PluginError::Panicked { entry: entry.into(), message: body.message })
        }
        Envelope::Error(body) => {
            Err(PluginError::EntryFailed { entry: entry.into(), kind: body.kind, message: body.message })
        }
    }
}
