//! `preset_packs` answers bytes that are not JSON.

use switchboard_plugin_sdk::abi::{PluginApi, RawBuffer};

extern "C" fn preset_packs() -> RawBuffer {
    RawBuffer::from_vec(br#"{"ok": [{"name": "half-written", "roles": ["#.to_vec())
}

static API: PluginApi = PluginApi::new(switchboard_plugin_fixtures::describe, preset_packs);

switchboard_plugin_fixtures::export_api!(API);
