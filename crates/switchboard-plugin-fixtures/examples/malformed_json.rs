//! `preset_packs` answers bytes that are not JSON.

use switchboard_plugin_sdk::abi::{PluginApi, RawBuffer, guard_api, handshake};

extern "C" fn preset_packs() -> RawBuffer {
    RawBuffer::from_vec(br#"{"ok": [{"name": "half-written", "roles": ["#.to_vec())
}

static API: PluginApi = PluginApi::new(switchboard_plugin_fixtures::describe, preset_packs);

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_abi_version() -> u32 {
    handshake()
}

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_api() -> *const PluginApi {
    guard_api(|| &API)
}
