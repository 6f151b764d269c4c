//! Version 2 of the healthy `evolving` pack: a role changed, one renamed, one split, one dropped, one
//! added.

fn pack() -> switchboard_plugin_sdk::prelude::PackBuilder {
    switchboard_plugin_fixtures::evolving(2)
}

switchboard_plugin_sdk::export_preset_packs!(pack);
