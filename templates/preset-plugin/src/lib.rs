//! A helpdesk preset pack: a team lead who runs everything but the account, and agents who work
//! tickets for their workgroups.
use switchboard_plugin_sdk::prelude::*;

/// The pack accounts are created with: `"preset": "helpdesk"`.
pub fn helpdesk() -> PackBuilder {
    PackBuilder::new("helpdesk", env!("CARGO_PKG_VERSION"))
        .title("Helpdesk")
        .description("A team lead and agents working customer tickets.")
        .role_mode(RoleMode::Single)
        // A page of your product that the core catalog lacks: a namespaced section with its rights.
        .section(SectionBuilder::view_manage("helpdesk.tickets", "Tickets").description("Customer tickets.").right(
            "helpdesk.tickets.close",
            "Close tickets",
            Level::Manage,
        ))
        .role(
            RoleBuilder::new("lead", "Team lead")
                .description("Everything but the account's plan and balance.")
                .full_access()
                .except("account")
                .scope(ScopeKind::All)
                .recents(RecentsScope::All),
        )
        .role(
            RoleBuilder::new("agent", "Agent")
                .description("Works the tickets and calls of their workgroups.")
                .grant("helpdesk.tickets", Level::Manage)
                .right("helpdesk.tickets.close")
                .grant("contacts", Level::View)
                .scope(ScopeKind::Workgroup),
        )
        .default_role("agent")
        .owner_role("lead")
}

switchboard_plugin_sdk::export_preset_packs!(helpdesk);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pack_passes_the_hosts_validation() {
        switchboard_plugin_sdk::check_packs(&[helpdesk().build()]).expect("valid pack");
    }
}
