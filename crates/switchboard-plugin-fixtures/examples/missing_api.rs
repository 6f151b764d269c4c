//! Shakes hands correctly but exports no entry-point table.

#[unsafe(no_mangle)]
pub extern "C" fn switchboard_plugin_abi_version() -> u32 {
    switchboard_plugin_sdk::abi::handshake()
}
