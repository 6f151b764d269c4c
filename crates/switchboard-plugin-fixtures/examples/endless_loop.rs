//! `preset_packs` never returns.

use switchboard_plugin_sdk::abi::{PluginApi, RawBuffer};

extern "C" fn preset_packs() -> RawBuffer {
    let mut turns: u64 = 0;
    loop {
        turns = std::hint::black_box(turns.wrapping_add(1));
    }
}

static API: PluginApi = PluginApi::new(switchboard_plugin_fixtures::describe, preset_packs);

switchboard_plugin_fixtures::export_api!(API);
