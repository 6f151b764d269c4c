//! `preset_packs` fills 100 GiB of memory before answering.

use switchboard_plugin_sdk::abi::{PluginApi, RawBuffer};

extern "C" fn preset_packs() -> RawBuffer {
    let hoard = vec![1u8; std::hint::black_box(100 << 30)];
    std::hint::black_box(&hoard);
    switchboard_plugin_fixtures::preset_packs()
}

static API: PluginApi = PluginApi::new(switchboard_plugin_fixtures::describe, preset_packs);

switchboard_plugin_fixtures::export_api!(API);
