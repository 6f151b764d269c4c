//! Built with the SDK like any plugin; the author's pack function panics.

use switchboard_plugin_sdk::prelude::*;

fn pack() -> PackBuilder {
    let roles: Vec<RoleBuilder> = Vec::new();
    // An author's bug: indexing an empty list.
    let first = roles[0].clone();
    PackBuilder::new("never", "1.0.0").role(first)
}

switchboard_plugin_sdk::export_preset_packs!(pack);
