//! Test support for plugin tests: builds the workspace's plugin crates with the real cargo (the cargo
//! that runs the tests), and lays their libraries out in a fresh plugins directory for the real host,
//! which describes each in a process of its own (the host's `switchboard-plugin-describe` binary,
//! built alongside). Nothing here loads a plugin in-process.
//!
//! ```no_run
//! let dir = switchboard_plugin_testkit::PluginDir::with(&["preset_aircall"]).expect("built");
//! let report = dir.host().load().expect("loads");
//! assert!(report.pack("aircall").is_some());
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use switchboard_plugin_host::{Describer, LIBRARY_EXTENSION, PluginHost};

/// The packages built for tests: the three preset packs, the template and the broken-plugin fixtures
/// (whose libraries are examples).
pub const PACKAGES: &[&str] =
    &["preset-mightycall", "preset-aircall", "preset-groups-ivr", "preset-template", "switchboard-plugin-fixtures"];

/// The binary that describes a plugin in a process of its own, for hosts other than `switchboard`.
pub const DESCRIBE_BINARY: &str = "switchboard-plugin-describe";

/// The real preset plugins' library target names.
pub const PRESET_TARGETS: &[&str] = &["preset_mightycall", "preset_aircall", "preset_groups_ivr"];

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The cargo running the tests (cargo sets `CARGO` for test processes), or `cargo` from `PATH`.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Builds [`PACKAGES`] and the [`DESCRIBE_BINARY`] once per process and returns target name → built
/// library (or executable) path.
pub fn artifacts() -> Result<&'static HashMap<String, PathBuf>, String> {
    static BUILT: OnceLock<Result<HashMap<String, PathBuf>, String>> = OnceLock::new();
    BUILT.get_or_init(|| build(PACKAGES)).as_ref().map_err(Clone::clone)
}

/// The describer the test hosts use: the plugin host's own describing binary, with the default limits.
pub fn describer() -> Result<Describer, String> {
    let program = artifacts()?.get(DESCRIBE_BINARY).ok_or_else(|| format!("{DESCRIBE_BINARY} was not built"))?;
    Ok(Describer::new(program, std::iter::empty::<&str>()))
}

/// Runs `cargo build --lib --examples` for the packages (and builds the [`DESCRIBE_BINARY`]) and
/// collects every dynamic library and that executable it reports.
pub fn build(packages: &[&str]) -> Result<HashMap<String, PathBuf>, String> {
    let mut command = Command::new(cargo());
    command
        .current_dir(workspace_root())
        .args(["build", "--message-format=json-render-diagnostics", "--lib", "--examples"])
        .args(["--bin", DESCRIBE_BINARY])
        .arg("--manifest-path")
        .arg(workspace_root().join("Cargo.toml"));
    for package in packages.iter().chain(&["switchboard-plugin-host"]) {
        command.args(["-p", package]);
    }
    let output = command.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo build failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    let mut libraries = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let Some(name) = message["target"]["name"].as_str() else { continue };
        if name == DESCRIBE_BINARY {
            if let Some(executable) = message["executable"].as_str() {
                libraries.insert(name.to_owned(), PathBuf::from(executable));
            }
            continue;
        }
        // Only the crates' own `cdylib`s, not the proc-macro libraries of their dependencies.
        let kinds = message["target"]["crate_types"].as_array().into_iter().flatten();
        if !kinds.filter_map(|k| k.as_str()).any(|k| k == "cdylib") {
            continue;
        }
        let files = message["filenames"].as_array().into_iter().flatten().filter_map(|f| f.as_str());
        for file in files {
            if Path::new(file).extension().is_some_and(|e| e == LIBRARY_EXTENSION) {
                libraries.insert(name.to_owned(), PathBuf::from(file));
            }
        }
    }
    Ok(libraries)
}

/// The dynamic library cargo reports building for `target` in its `--message-format=json…` output.
pub fn built_library(cargo_stdout: &str, target: &str) -> Option<PathBuf> {
    cargo_stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == target)
        .flat_map(|m| m["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .find(|f| f.extension().is_some_and(|e| e == LIBRARY_EXTENSION))
}

/// The built library of a target (`preset_aircall`, or a fixture such as `panic_in_packs`).
pub fn library(target: &str) -> Result<PathBuf, String> {
    artifacts()?.get(target).cloned().ok_or_else(|| format!("no library was built for target `{target}`"))
}

/// The platform's file name for a library target: `libfoo.so`, `libfoo.dylib`, `foo.dll`.
pub fn library_file_name(target: &str) -> String {
    format!("{}{target}{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX)
}

/// A fresh plugins directory, removed when dropped.
#[derive(Debug)]
pub struct PluginDir {
    dir: tempfile::TempDir,
    describer: Describer,
}

impl PluginDir {
    pub fn new() -> Result<PluginDir, String> {
        Ok(PluginDir { dir: tempfile::tempdir().map_err(|e| e.to_string())?, describer: describer()? })
    }

    /// A directory holding the libraries of these targets under their usual file names.
    pub fn with(targets: &[&str]) -> Result<PluginDir, String> {
        let dir = PluginDir::new()?;
        for target in targets {
            dir.add(target)?;
        }
        Ok(dir)
    }

    /// The three preset plugins.
    pub fn presets() -> Result<PluginDir, String> {
        PluginDir::with(PRESET_TARGETS)
    }

    /// Copies a target's library in under its usual file name; returns the copy's path.
    pub fn add(&self, target: &str) -> Result<PathBuf, String> {
        self.add_as(target, &library_file_name(target))
    }

    /// Copies a target's library in under another file name (file names decide the load order).
    pub fn add_as(&self, target: &str, file_name: &str) -> Result<PathBuf, String> {
        let to = self.dir.path().join(file_name);
        std::fs::copy(library(target)?, &to).map_err(|e| format!("cannot copy {target}: {e}"))?;
        Ok(to)
    }

    /// Writes any file (e.g. bytes that are not a library).
    pub fn write(&self, file_name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
        let to = self.dir.path().join(file_name);
        std::fs::write(&to, bytes).map_err(|e| e.to_string())?;
        Ok(to)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A host over this directory.
    pub fn host(&self) -> PluginHost {
        PluginHost::new(self.path(), self.describer.clone())
    }

    /// The describer of [`PluginDir::host`].
    pub fn describer(&self) -> &Describer {
        &self.describer
    }
}

/// A pack loaded from its plugin's built library through the real host, with the policy of an account
/// on it (no custom roles).
#[derive(Debug)]
pub struct LoadedPolicy {
    pub pack: switchboard_core::PresetPack,
    pub policy: switchboard_core::Policy,
}

impl LoadedPolicy {
    /// A pack made by your crate's own code (its builder function, no library loaded), validated
    /// exactly as the host validates a plugin's packs: what a plugin's own tests use, anywhere.
    pub fn from_pack(pack: impl Into<switchboard_core::PresetPack>) -> Result<LoadedPolicy, String> {
        let pack = pack.into();
        let catalog = pack.validate(&switchboard_core::Catalog::core()).map_err(|e| e.to_string())?;
        let policy = pack.policy(std::sync::Arc::new(catalog), []).map_err(|e| e.to_string())?;
        Ok(LoadedPolicy { pack, policy })
    }

    /// Loads `pack` from the library of `target` (e.g. `preset_aircall`), alone in a plugins directory.
    pub fn load(target: &str, pack: &str) -> Result<LoadedPolicy, String> {
        LoadedPolicy::load_with(target, pack, [])
    }

    /// Like [`LoadedPolicy::load`], with custom roles after the pack's own.
    pub fn load_with(
        target: &str,
        pack: &str,
        custom: impl IntoIterator<Item = switchboard_core::RoleDefinition>,
    ) -> Result<LoadedPolicy, String> {
        let dir = PluginDir::with(&[target])?;
        let report = dir.host().strict(true).load().map_err(|e| e.to_string())?;
        let loaded = report.pack(pack).ok_or_else(|| format!("{target} has no pack `{pack}`"))?;
        let policy = loaded.pack.policy(std::sync::Arc::clone(&loaded.catalog), custom).map_err(|e| e.to_string())?;
        Ok(LoadedPolicy { pack: loaded.pack.clone(), policy })
    }

    /// An active user holding these roles, compiled.
    pub fn user(&self, roles: &[&str]) -> switchboard_core::Principal {
        self.subject(roles, |_| {})
    }

    /// An active user holding these roles, adjusted by `edit` before compiling (workgroups, numbers, …).
    pub fn subject(
        &self,
        roles: &[&str],
        edit: impl FnOnce(&mut switchboard_core::Subject),
    ) -> switchboard_core::Principal {
        let mut subject = switchboard_core::Subject {
            user_id: switchboard_core::UserId::new_random(),
            status: switchboard_core::UserStatus::Active,
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            ..switchboard_core::Subject::default()
        };
        edit(&mut subject);
        self.principal(&subject)
    }

    /// The account's superadmin, holding the pack's owner roles.
    pub fn superadmin(&self) -> switchboard_core::Principal {
        let owner_roles: Vec<&str> = self.pack.owner_roles.iter().map(String::as_str).collect();
        self.subject(&owner_roles, |s| s.superadmin = true)
    }

    fn principal(&self, subject: &switchboard_core::Subject) -> switchboard_core::Principal {
        match self.policy.principal(subject) {
            Ok(p) => p,
            // A test naming a role the pack lacks is a broken test: say so loudly.
            Err(e) => panic!("cannot compile {subject:?}: {e}"),
        }
    }

    /// Whether the principal holds a permission reference (`numbers:view`, `numbers.add`).
    pub fn allows(&self, principal: &switchboard_core::Principal, permission: &str) -> bool {
        match self.policy.catalog().permission(permission) {
            Ok(p) => self.policy.check(principal, p).is_allowed(),
            Err(e) => panic!("`{permission}` is not a permission of this pack's catalog: {e}"),
        }
    }

    /// The index of a role of the pack.
    pub fn role(&self, key: &str) -> switchboard_core::RoleIdx {
        match self.policy.role_idx(key) {
            Ok(idx) => idx,
            Err(e) => panic!("{e}"),
        }
    }

    /// The decision on `actor` giving `role` to `target`.
    pub fn assign(
        &self,
        actor: &switchboard_core::Principal,
        target: &switchboard_core::Principal,
        role: &str,
    ) -> switchboard_core::Decision {
        self.policy.can_assign(actor, target, self.role(role))
    }

    /// The keys of the sections the principal sees, in catalog order.
    pub fn visible_sections(&self, principal: &switchboard_core::Principal) -> Vec<String> {
        self.policy.visible_sections(principal).map(|s| s.def.key.clone()).collect()
    }
}
