//! A valid pack on its own, whose catalog extension `analytics.stats` is also Aircall's.

use switchboard_plugin_sdk::prelude::*;

fn pack() -> PackBuilder {
    PackBuilder::new("copycat", "1.0.0")
        .section(SectionBuilder::view_manage("analytics.stats", "Stats"))
        .role(RoleBuilder::new("analyst", "Analyst").grant("analytics.stats", Level::View))
}

switchboard_plugin_sdk::export_preset_packs!(pack);
