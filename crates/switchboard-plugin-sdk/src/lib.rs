//! # switchboard-plugin-sdk
//!
//! What a Switchboard preset plugin depends on (DESIGN §3, `docs/plugins.md`):
//!
//! - the core's types a pack is made of, re-exported ([`PresetPack`], [`RoleDefinition`], [`Level`], …);
//! - [`builder`]: [`PackBuilder`], [`RoleBuilder`] and [`SectionBuilder`], a declarative way to write a pack;
//! - [`export_preset_packs!`]: exports the packs over the C ABI, every entry point inside `catch_unwind`;
//! - [`check_packs`]: the validation the host applies, for the plugin's own tests;
//! - [`abi`]: the ABI itself, shared with the host.
//!
//! A plugin is a `cdylib` crate with no `unsafe` of its own:
//!
//! ```no_run
//! use switchboard_plugin_sdk::prelude::*;
//!
//! fn helpdesk() -> PackBuilder {
//!     PackBuilder::new("helpdesk", env!("CARGO_PKG_VERSION"))
//!         .role(RoleBuilder::new("agent", "Agent").grant("contacts", Level::View))
//!         .default_role("agent")
//! }
//!
//! switchboard_plugin_sdk::export_preset_packs!(helpdesk);
//! ```
//!
//! ## Why the export macro needs no `unsafe` in the plugin crate
//! Exported symbols need `#[unsafe(no_mangle)]` (edition 2024), which the `unsafe_code` lint counts as
//! unsafe. The attribute is written by this crate's macro, and rustc does not report lints for code that
//! comes from another crate's `macro_rules!` expansion. A plugin crate therefore keeps
//! `unsafe_code = "forbid"` (the workspace lints), so any `unsafe` its author writes is an error, while the
//! two generated symbols — the handshake and the table getter — export as they must. Everything that
//! touches raw memory lives in [`abi`], inside this crate.

#[allow(unsafe_code)]
pub mod abi;
pub mod builder;

pub use builder::{PackBuilder, RoleBuilder, SectionBuilder};
pub use switchboard_core as core;
pub use switchboard_core::{
    Catalog, CoreError, Guards, LegacyMapping, Level, LevelSet, PresetPack, RecentsScope, RightDef, RoleDefinition,
    RoleMode, RoleSuccession, ScopeKind, SectionDef, SectionGrant,
};

/// Everything a pack author needs, for `use switchboard_plugin_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::builder::{PackBuilder, RoleBuilder, SectionBuilder};
    pub use switchboard_core::{DataKinds, Level, LevelSet, PresetPack, RecentsScope, RoleMode, ScopeKind};
}

use abi::ErrorBody;
use std::fmt::Display;

/// What an exported pack function may return: a [`PresetPack`], a [`PackBuilder`], or a `Result` of
/// either whose error is shown to the operator.
pub trait IntoPack {
    fn into_pack(self) -> Result<PresetPack, ErrorBody>;
}

impl IntoPack for PresetPack {
    fn into_pack(self) -> Result<PresetPack, ErrorBody> {
        Ok(self)
    }
}

impl IntoPack for PackBuilder {
    fn into_pack(self) -> Result<PresetPack, ErrorBody> {
        Ok(self.build())
    }
}

impl<P: IntoPack, E: Display> IntoPack for Result<P, E> {
    fn into_pack(self) -> Result<PresetPack, ErrorBody> {
        match self {
            Ok(pack) => pack.into_pack(),
            Err(e) => Err(ErrorBody { kind: "pack_failed".into(), message: e.to_string() }),
        }
    }
}

/// Why one of a plugin's packs is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackError {
    /// The pack's position in the plugin's list.
    pub index: usize,
    /// The pack's name as written.
    pub pack: String,
    pub error: CoreError,
}

impl Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for PackError {}

/// Validates the packs of one plugin, in order, exactly as the host does, and returns each pack's
/// catalog. Each pack is checked against the core catalog plus the extensions of the plugin's earlier
/// packs, so a plugin's later packs may use sections its earlier packs declare (e.g. a vendor's legacy
/// roles over the same dashboard sections). Two packs of one plugin may not share a name.
pub fn check_packs(packs: &[PresetPack]) -> Result<Vec<Catalog>, Box<PackError>> {
    let mut base = Catalog::core();
    let mut catalogs: Vec<Catalog> = Vec::with_capacity(packs.len());
    for (index, pack) in packs.iter().enumerate() {
        let fail = |error| Box::new(PackError { index, pack: pack.name.clone(), error });
        if packs[..index].iter().any(|p| p.name == pack.name) {
            return Err(fail(CoreError::InvalidPack {
                pack: pack.name.clone(),
                message: "the plugin exports two packs with this name".into(),
            }));
        }
        let catalog = pack.validate(&base).map_err(fail)?;
        base = catalog.clone();
        catalogs.push(catalog);
    }
    Ok(catalogs)
}

/// Validates one pack against the core catalog, as the host does (see [`check_packs`]).
pub fn check_pack(pack: &PresetPack) -> Result<Catalog, CoreError> {
    pack.validate(&Catalog::core())
}

/// Exports preset packs from a `cdylib` crate. Takes the functions that make the packs, in order; each
/// returns anything [`IntoPack`] accepts.
///
/// ```no_run
/// # use switchboard_plugin_sdk::prelude::*;
/// # fn aircall() -> PackBuilder { PackBuilder::new("aircall", "1") }
/// # fn aircall_classic() -> PackBuilder { PackBuilder::new("aircall-classic", "1") }
/// switchboard_plugin_sdk::export_preset_packs!(aircall, aircall_classic);
/// ```
///
/// It generates the handshake and table symbols of [`abi`] and two entry points (`describe` with the
/// crate's name, version and description from Cargo, and `preset_packs`). Every entry point runs in
/// `catch_unwind`: a panic while building a pack reaches the host as an error naming the panic.
/// Use it once per crate.
#[macro_export]
macro_rules! export_preset_packs {
    ($($pack:path),+ $(,)?) => {
        const _: () = {
            extern "C" fn __switchboard_describe() -> $crate::abi::RawBuffer {
                $crate::abi::respond(|| {
                    ::core::result::Result::Ok::<_, $crate::abi::ErrorBody>($crate::abi::PluginInfo::new(
                        ::core::env!("CARGO_PKG_NAME"),
                        ::core::env!("CARGO_PKG_VERSION"),
                        ::core::env!("CARGO_PKG_DESCRIPTION"),
                    ))
                })
            }

            extern "C" fn __switchboard_preset_packs() -> $crate::abi::RawBuffer {
                $crate::abi::respond(|| {
                    ::core::result::Result::Ok::<_, $crate::abi::ErrorBody>(::std::vec![
                        $($crate::IntoPack::into_pack($pack())?),+
                    ])
                })
            }

            static __SWITCHBOARD_API: $crate::abi::PluginApi =
                $crate::abi::PluginApi::new(__switchboard_describe, __switchboard_preset_packs);

            #[unsafe(no_mangle)]
            pub extern "C" fn switchboard_plugin_abi_version() -> u32 {
                $crate::abi::handshake()
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn switchboard_plugin_api() -> *const $crate::abi::PluginApi {
                $crate::abi::guard_api(|| &__SWITCHBOARD_API)
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(name: &str) -> PackBuilder {
        PackBuilder::new(name, "1").role(RoleBuilder::new("agent", "Agent"))
    }

    #[test]
    fn later_packs_of_a_plugin_may_use_the_sections_of_earlier_ones() {
        let first = pack("first").section(SectionBuilder::view_manage("first.things", "Things")).build();
        let second = PackBuilder::new("second", "1")
            .role(RoleBuilder::new("agent", "Agent").grant("first.things", Level::View))
            .build();
        let catalogs = check_packs(&[first.clone(), second.clone()]).expect("valid");
        assert!(catalogs[1].section_id("first.things").is_ok());
        let err = check_packs(&[second, first]).expect_err("used before it is declared");
        assert_eq!(err.index, 0);
        assert_eq!(
            err.error,
            CoreError::InvalidPack {
                pack: "second".into(),
                message: "role `agent`: unknown section `first.things`".into()
            }
        );
    }

    #[test]
    fn two_packs_of_one_plugin_cannot_share_a_name() {
        let err = check_packs(&[pack("same").build(), pack("same").build()]).expect_err("duplicate");
        assert_eq!(err.index, 1);
    }

    #[test]
    fn a_failed_pack_function_reports_its_error() {
        let failed: Result<PackBuilder, &str> = Err("no licence file");
        assert_eq!(failed.into_pack().expect_err("error").message, "no licence file");
    }
}
