//! The core's one error type. Decisions are not errors: a denial is a [`crate::Decision`].
//! Errors are for input that cannot be understood at all (an unknown section, a malformed key, a
//! role that breaks the catalog's rules), and every message names the thing at fault.

use thiserror::Error;

/// Everything that can be wrong with catalogs, roles, packs and permission references.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CoreError {
    #[error("`{key}` is not a valid key: use lowercase segments of a-z, 0-9 and _ separated by dots")]
    InvalidKey { key: String },
    #[error(
        "section `{key}` from `{owner}` must be namespaced, e.g. `{owner}.{key}` (and its rights under it, e.g. `{owner}.{key}.<right>`)"
    )]
    NotNamespaced { key: String, owner: String },
    #[error("section `{key}` from `{owner}` uses the reserved namespace `{namespace}`")]
    ReservedNamespace { key: String, owner: String, namespace: String },
    #[error("section or right `{key}` from `{owner}` is already defined by `{existing}`")]
    CatalogConflict { key: String, owner: String, existing: String },
    #[error("right `{right}` must be named under its section, e.g. `{section}.{}`", right.rsplit('.').next().unwrap_or(right))]
    RightOutsideSection { right: String, section: String },
    #[error("level `{level}` is not a level of section `{section}` (levels: {allowed})")]
    LevelNotInSet { section: String, level: String, allowed: String },
    #[error("the catalog is full: at most {max} {what}")]
    CatalogFull { what: &'static str, max: usize },
    #[error("unknown section `{0}`")]
    UnknownSection(String),
    #[error("unknown right `{0}`")]
    UnknownRight(String),
    #[error("unknown permission `{0}`: use `section:level` (e.g. `numbers:view`) or a right (e.g. `numbers.add`)")]
    UnknownPermission(String),
    #[error("right `{right}` needs section `{section}` at `{required}` or above, but the role grants `{granted}`")]
    RightWithoutLevel { right: String, section: String, required: String, granted: String },
    #[error("role `{0}` is defined twice")]
    DuplicateRole(String),
    #[error("unknown role `{0}`")]
    UnknownRole(String),
    #[error("role `{role}`: {message}")]
    InvalidRole { role: String, message: String },
    #[error("preset pack `{pack}`: {message}")]
    InvalidPack { pack: String, message: String },
    #[error("right `{right}` is reserved to the pack's preset roles: a custom role cannot hold it")]
    ReservedRight { right: String },
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
