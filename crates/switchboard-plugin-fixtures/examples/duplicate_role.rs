//! Built with the SDK; two roles share the key `agent`.

use switchboard_plugin_sdk::prelude::*;

fn pack() -> PackBuilder {
    PackBuilder::new("duplicate-role", "1.0.0")
        .role(RoleBuilder::new("agent", "Agent").grant("contacts", Level::View))
        .role(RoleBuilder::new("agent", "Senior agent").grant("contacts", Level::Manage))
}

switchboard_plugin_sdk::export_preset_packs!(pack);
