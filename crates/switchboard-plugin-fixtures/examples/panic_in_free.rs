//! Answers correctly, but its `free_buffer` panics.

use switchboard_plugin_sdk::abi::{PluginApi, RawBuffer, guard_free};

/// # Safety
/// Never frees anything: it panics, inside the guard.
unsafe extern "C" fn free_buffer(_buffer: RawBuffer) -> u32 {
    guard_free(|| panic!("fixture: panic in free_buffer"))
}

static API: PluginApi = PluginApi {
    free_buffer,
    ..PluginApi::new(switchboard_plugin_fixtures::describe, switchboard_plugin_fixtures::preset_packs)
};

switchboard_plugin_fixtures::export_api!(API);
