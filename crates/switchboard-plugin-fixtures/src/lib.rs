//! Deliberately broken preset plugins, one per failure the plugin host must survive. Each is an
//! example target built as a `cdylib` (`cargo build -p switchboard-plugin-fixtures --examples`); the
//! host's tests load them next to the real presets. This library holds the parts they share.
//!
//! | example | failure |
//! | --- | --- |
//! | `missing_symbol` | a foreign library: no handshake symbol |
//! | `missing_api` | a handshake but no entry-point table |
//! | `wrong_abi` | the handshake answers another ABI version |
//! | `incompatible_sdk` | built with an SDK of another major version |
//! | `malformed_json` | `preset_packs` answers bytes that are not JSON |
//! | `unknown_section` | a role grants a section no catalog defines |
//! | `duplicate_role` | two roles share a key |
//! | `panic_in_handshake`, `panic_in_api`, `panic_in_describe`, `panic_in_packs`, `panic_in_free` | a panic in that entry point |
//! | `conflicting_catalog` | declares `analytics.stats`, which the Aircall pack owns |
//! | `abort_in_constructor` | aborts when the library is opened, before the handshake |
//! | `abort_in_packs` | `preset_packs` calls `abort()` |
//! | `segfault` | `preset_packs` writes through a null pointer |
//! | `endless_loop` | `preset_packs` never returns |
//! | `huge_allocation` | `preset_packs` fills 100 GiB of memory |
//! | `oversized_answer` | `preset_packs` answers more than 16 MiB |
//! | `flood_output` | `preset_packs` writes 64 MiB to every descriptor, then answers |
//! | `snoop_environment` | `preset_packs` reports the environment and the parent's `/proc` files it can read |
//! | `evolving_v1`, `evolving_v2` | two versions of one healthy pack, `evolving`, for upgrades: the second changes a role, renames one, splits one, drops one and adds one |
//!
//! Every one of them harms only the describing process the host runs it in.

use switchboard_plugin_sdk::abi::{PluginInfo, RawBuffer, respond};
use switchboard_plugin_sdk::prelude::*;

/// A valid pack for fixtures whose failure lies elsewhere.
pub fn valid_pack() -> PresetPack {
    PackBuilder::new("fixture", "1.0.0").role(RoleBuilder::new("agent", "Agent").grant("contacts", Level::View)).build()
}

/// The `evolving` pack, version 1 or 2 (see the table above). Version 2 changes `agent` (contacts at
/// manage, not view), renames `clerk` to `bookkeeper`, splits `auditor` into `reader` and `reviewer`,
/// drops `temp` without a successor and adds `trainee`; `boss` stays.
pub fn evolving(version: u32) -> PackBuilder {
    let pack = PackBuilder::new("evolving", format!("{version}.0.0"))
        .title("Evolving")
        .role_mode(RoleMode::Combinable)
        .role(RoleBuilder::new("boss", "Boss").full_access().scope(ScopeKind::All).recents(RecentsScope::All))
        .owner_role("boss");
    if version == 1 {
        return pack
            .role(RoleBuilder::new("agent", "Agent").grant("contacts", Level::View))
            .role(RoleBuilder::new("clerk", "Clerk").grant("reports", Level::View))
            .role(RoleBuilder::new("auditor", "Auditor").grant("reports", Level::View).grant("contacts", Level::View))
            .role(RoleBuilder::new("temp", "Temp").grant("contacts", Level::View));
    }
    pack.role(RoleBuilder::new("agent", "Agent").grant("contacts", Level::Manage))
        .role(RoleBuilder::new("bookkeeper", "Bookkeeper").grant("reports", Level::View))
        .role(RoleBuilder::new("reader", "Reader").grant("reports", Level::View))
        .role(RoleBuilder::new("reviewer", "Reviewer").grant("contacts", Level::View))
        .role(RoleBuilder::new("trainee", "Trainee").grant("contacts", Level::View))
        .succession("clerk", ["bookkeeper"])
        .succession("auditor", ["reader", "reviewer"])
}

/// A correct `describe` entry point.
pub extern "C" fn describe() -> RawBuffer {
    respond(|| Ok(PluginInfo::new("fixture", "1.0.0", "a test fixture")))
}

/// A correct `preset_packs` entry point.
pub extern "C" fn preset_packs() -> RawBuffer {
    respond(|| Ok(vec![valid_pack()]))
}

/// Exports a hand-made table (`$api`, a `static PluginApi`) with the real handshake, as the SDK's
/// `export_preset_packs!` would: the fixtures break the table, never the way it is exported.
#[macro_export]
macro_rules! export_api {
    ($api:path) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn switchboard_plugin_abi_version() -> u32 {
            ::switchboard_plugin_sdk::abi::handshake()
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn switchboard_plugin_api() -> *const ::switchboard_plugin_sdk::abi::PluginApi {
            ::switchboard_plugin_sdk::abi::guard_api(|| &$api)
        }
    };
}
