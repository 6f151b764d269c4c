//! Panics in `describe`.

use switchboard_plugin_sdk::abi::{PluginApi, PluginInfo, RawBuffer, respond};

extern "C" fn describe() -> RawBuffer {
    respond::<PluginInfo, _>(|| panic!("fixture: panic in describe"))
}

static API: PluginApi = PluginApi::new(describe, switchboard_plugin_fixtures::preset_packs);

switchboard_plugin_fixtures::export_api!(API);
