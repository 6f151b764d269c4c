//! Panics while producing its entry-point table.

use switchboard_plugin_sdk::abi::{PluginApi, guard_api, handshake};

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_abi_version() -> u32 {
    handshake()
}

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_api() -> *const PluginApi {
    guard_api(|| panic!("fixture: panic in the table getter"))
}
