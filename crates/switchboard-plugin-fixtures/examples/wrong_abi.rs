//! Answers the handshake with an ABI version the host does not speak.

use switchboard_plugin_sdk::abi::{ABI_VERSION, PluginApi, guard_api, guard_handshake};

static API: PluginApi =
    PluginApi::new(switchboard_plugin_fixtures::describe, switchboard_plugin_fixtures::preset_packs);

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_abi_version() -> u32 {
    guard_handshake(|| ABI_VERSION + 1)
}

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_api() -> *const PluginApi {
    guard_api(|| &API)
}
