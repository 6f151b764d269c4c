//! # switchboard-plugin-host
//!
//! Loads preset plugins (DESIGN §3): every library (`.so`, `.dylib` or `.dll`, per platform) in one
//! configured directory, in file-name order, and nothing from anywhere else. For each library:
//!
//! 1. open it (a file that is not a loadable library is reported, not fatal);
//! 2. call the handshake symbol and compare the ABI version — before touching anything else;
//! 3. read the entry-point table, check its ABI and SDK versions;
//! 4. call `describe` and `preset_packs`, copying each JSON answer and freeing it with the plugin's own
//!    `free_buffer`; a panic inside the plugin arrives as an error envelope;
//! 5. validate every pack against the core catalog ([`switchboard_plugin_sdk::check_packs`]: unknown
//!    sections or rights, rights without their section level, duplicate role keys, guards naming unknown
//!    roles, …);
//! 6. refuse a pack whose name, or one of whose catalog extensions, an earlier library (by file name)
//!    already provides — the earlier one is kept.
//!
//! A library with any problem is skipped as a whole, and each problem names its file ([`PluginProblem`]).
//! With [`PluginHost::strict`], any problem fails the load instead. Libraries are never unloaded.

#[allow(unsafe_code)]
mod ffi;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use switchboard_core::{Catalog, CoreError, PresetPack};
pub use switchboard_plugin_sdk::abi::PluginInfo;
use thiserror::Error;

pub use ffi::MAX_RESPONSE_BYTES;

/// The file extension of loadable libraries on this platform: `so`, `dylib` or `dll`.
pub const LIBRARY_EXTENSION: &str = std::env::consts::DLL_EXTENSION;

/// Why one library was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PluginError {
    #[error("not a loadable library: {message}")]
    NotALibrary { message: String },
    #[error("missing symbol `{symbol}`: not a Switchboard preset plugin")]
    MissingSymbol { symbol: &'static str },
    #[error("the ABI handshake failed: the plugin panicked in it")]
    HandshakeFailed,
    #[error("built for plugin ABI version {found}, this host speaks version {expected}")]
    AbiMismatch { found: u32, expected: u32 },
    #[error("the plugin returned no entry-point table: it panicked while producing it")]
    NoApiTable,
    #[error("built with plugin SDK {plugin}, which this host (SDK {host}) cannot load: rebuild it against SDK {host}")]
    IncompatibleSdk { plugin: String, host: String },
    #[error("entry point `{entry}` panicked: {message}")]
    Panicked { entry: &'static str, message: String },
    #[error("entry point `{entry}` failed ({kind}): {message}")]
    EntryFailed { entry: &'static str, kind: String, message: String },
    #[error("entry point `{entry}` returned malformed data: {message}")]
    Malformed { entry: &'static str, message: String },
    #[error("the plugin's `free_buffer` failed (it panicked) after `{entry}`")]
    FreeFailed { entry: &'static str },
    #[error("the plugin exports no preset pack")]
    NoPacks,
    #[error("{error}")]
    InvalidPack { pack: String, error: Box<CoreError> },
    #[error("preset pack `{pack}` is already provided by {}", existing.display())]
    DuplicatePack { pack: String, existing: PathBuf },
    #[error(
        "preset pack `{pack}` defines `{key}`, which pack `{existing_pack}` from {} already defines",
        existing_file.display()
    )]
    CatalogConflict { pack: String, key: String, existing_pack: String, existing_file: PathBuf },
}

/// A problem with one library: the file and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginProblem {
    pub file: PathBuf,
    pub error: PluginError,
}

impl fmt::Display for PluginProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.error)
    }
}

impl std::error::Error for PluginProblem {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A pack that loaded, with the catalog accounts on it use.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    /// The library it came from.
    pub file: PathBuf,
    pub plugin: Arc<PluginInfo>,
    pub pack: PresetPack,
    /// The core catalog plus the extensions of this pack (and of the earlier packs of its library).
    pub catalog: Arc<Catalog>,
}

/// What a load found: the packs, in file-name order and then the order each library lists them, and the
/// problems of the libraries that were skipped.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub packs: Vec<LoadedPack>,
    pub problems: Vec<PluginProblem>,
}

impl LoadReport {
    /// The pack with this name.
    pub fn pack(&self, name: &str) -> Option<&LoadedPack> {
        self.packs.iter().find(|p| p.pack.name == name)
    }

    /// The names of the loaded packs, in order.
    pub fn pack_names(&self) -> Vec<&str> {
        self.packs.iter().map(|p| p.pack.name.as_str()).collect()
    }
}

/// Why a load failed as a whole.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HostError {
    #[error("cannot read the plugins directory {}: {source}", dir.display())]
    ReadDir { dir: PathBuf, source: std::io::Error },
    #[error("{} broken plugin(s) in {} and loading is strict:\n{}", problems.len(), dir.display(), list(problems))]
    Strict { dir: PathBuf, problems: Vec<PluginProblem>, report: Box<LoadReport> },
}

fn list(problems: &[PluginProblem]) -> String {
    problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
}

/// Loads the plugins of one directory.
#[derive(Debug, Clone)]
pub struct PluginHost {
    dir: PathBuf,
    strict: bool,
}

impl PluginHost {
    /// A host for the plugins in `dir`. Broken plugins are skipped and reported.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        PluginHost { dir: dir.into(), strict: false }
    }

    /// With `true`, any broken plugin fails the whole load ([`HostError::Strict`]).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The library files of the directory, sorted by file name: regular files (or links to them) with
    /// the platform's library extension, not hidden. Subdirectories are not searched.
    pub fn library_files(&self) -> Result<Vec<PathBuf>, HostError> {
        let read_error = |source| HostError::ReadDir { dir: self.dir.clone(), source };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            let path = entry.path();
            let name = entry.file_name();
            let hidden = name.to_string_lossy().starts_with('.');
            let library = path.extension() == Some(OsStr::new(LIBRARY_EXTENSION));
            if !hidden && library && path.is_file() {
                files.push(path);
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        Ok(files)
    }

    /// Loads every library of the directory.
    pub fn load(&self) -> Result<LoadReport, HostError> {
        let mut report = LoadReport::default();
        let mut registry = Registry::default();
        for file in self.library_files()? {
            match load_library(&file).and_then(|loaded| registry.admit(&file, loaded)) {
                Ok(packs) => report.packs.extend(packs),
                Err(error) => report.problems.push(PluginProblem { file, error }),
            }
        }
        if self.strict && !report.problems.is_empty() {
            return Err(HostError::Strict {
                dir: self.dir.clone(),
                problems: report.problems.clone(),
                report: Box::new(report),
            });
        }
        Ok(report)
    }
}

/// One library's plugin info and its validated packs with their catalogs.
#[derive(Debug, Clone)]
pub struct LoadedLibrary {
    pub file: PathBuf,
    pub plugin: Arc<PluginInfo>,
    pub packs: Vec<(PresetPack, Arc<Catalog>)>,
}

/// Loads one library on its own: the ABI checks and the validation of its packs against the core
/// catalog, without the checks against other libraries that [`PluginHost::load`] adds.
pub fn load_library(file: &Path) -> Result<LoadedLibrary, PluginError> {
    let exports = ffi::read_plugin(file)?;
    if exports.packs.is_empty() {
        return Err(PluginError::NoPacks);
    }
    let catalogs = switchboard_plugin_sdk::check_packs(&exports.packs)
        .map_err(|e| PluginError::InvalidPack { pack: e.pack, error: Box::new(e.error) })?;
    Ok(LoadedLibrary {
        file: file.to_owned(),
        plugin: Arc::new(exports.info),
        packs: exports.packs.into_iter().zip(catalogs.into_iter().map(Arc::new)).collect(),
    })
}

/// Who already provides which pack names and catalog keys.
#[derive(Debug, Default)]
struct Registry {
    /// Pack name → file.
    packs: HashMap<String, PathBuf>,
    /// Extension section or right key → (pack, file).
    keys: HashMap<String, (String, PathBuf)>,
}

impl Registry {
    /// Accepts a library's packs unless an earlier library provides one of its pack names or
    /// extension keys; all or nothing.
    fn admit(&mut self, file: &Path, library: LoadedLibrary) -> Result<Vec<LoadedPack>, PluginError> {
        for (pack, _) in &library.packs {
            if let Some(existing) = self.packs.get(&pack.name) {
                return Err(PluginError::DuplicatePack { pack: pack.name.clone(), existing: existing.clone() });
            }
            for section in &pack.catalog_extensions {
                let keys = std::iter::once(&section.key).chain(section.rights.iter().map(|r| &r.key));
                for key in keys {
                    if let Some((existing_pack, existing_file)) = self.keys.get(key) {
                        return Err(PluginError::CatalogConflict {
                            pack: pack.name.clone(),
                            key: key.clone(),
                            existing_pack: existing_pack.clone(),
                            existing_file: existing_file.clone(),
                        });
                    }
                }
            }
        }
        let mut loaded = Vec::with_capacity(library.packs.len());
        for (pack, catalog) in library.packs {
            self.packs.insert(pack.name.clone(), file.to_owned());
            for section in &pack.catalog_extensions {
                let keys = std::iter::once(&section.key).chain(section.rights.iter().map(|r| &r.key));
                for key in keys {
                    self.keys.insert(key.clone(), (pack.name.clone(), file.to_owned()));
                }
            }
            loaded.push(LoadedPack { file: file.to_owned(), plugin: Arc::clone(&library.plugin), pack, catalog });
        }
        Ok(loaded)
    }
}
