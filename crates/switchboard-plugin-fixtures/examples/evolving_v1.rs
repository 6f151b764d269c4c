//! Version 1 of the healthy `evolving` pack.

fn pack() -> switchboard_plugin_sdk::prelude::PackBuilder {
    switchboard_plugin_fixtures::evolving(1)
}

switchboard_plugin_sdk::export_preset_packs!(pack);
