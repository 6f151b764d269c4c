//! Panics in `describe`.

use switchboard_plugin_sdk::abi::{PluginApi, PluginInfo, RawBuffer, guard_api, handshake, respond};

extern "C" fn describe() -> RawBuffer {
    respond::<PluginInfo, _>(|| panic!("fixture: panic in describe"))
}

static API: PluginApi = PluginApi::new(describe, switchboard_plugin_fixtures::preset_packs);

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_abi_version() -> u32 {
    handshake()
}

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_api() -> *const PluginApi {
    guard_api(|| &API)
}
