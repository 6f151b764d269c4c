//! Built with the SDK; one role grants a section that no catalog defines.

use switchboard_plugin_sdk::prelude::*;

fn pack() -> PackBuilder {
    PackBuilder::new("unknown-section", "1.0.0")
        .role(RoleBuilder::new("agent", "Agent").grant("contacts", Level::View))
        .role(RoleBuilder::new("cashier", "Cashier").grant("billing.nowhere", Level::Manage))
}

switchboard_plugin_sdk::export_preset_packs!(pack);
