//! Panics inside the handshake (caught by the SDK's guard, as every SDK entry point is).

use switchboard_plugin_sdk::abi::{PluginApi, guard_api, guard_handshake};

static API: PluginApi =
    PluginApi::new(switchboard_plugin_fixtures::describe, switchboard_plugin_fixtures::preset_packs);

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_abi_version() -> u32 {
    guard_handshake(|| panic!("fixture: panic in the handshake"))
}

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_api() -> *const PluginApi {
    guard_api(|| &API)
}
