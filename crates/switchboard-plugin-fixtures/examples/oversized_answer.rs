//! `preset_packs` answers a valid pack whose description is larger than an answer may be.

use switchboard_plugin_sdk::abi::{PluginApi, RawBuffer, respond};

extern "C" fn preset_packs() -> RawBuffer {
    respond(|| {
        let mut pack = switchboard_plugin_fixtures::valid_pack();
        pack.description = "x".repeat(20 << 20);
        Ok(vec![pack])
    })
}

static API: PluginApi = PluginApi::new(switchboard_plugin_fixtures::describe, preset_packs);

switchboard_plugin_fixtures::export_api!(API);
