//! The tokens the server verifies: its own HS256 secret (given, or generated once and kept in the
//! data directory) and an external identity provider's keys (a PEM file or a JWKS URL).

use super::StartupError;
use crate::auth;
use crate::auth::external::{ExternalKey, ExternalKeys, external_algorithm, external_key};
use crate::auth::jwks::Jwks;
use crate::auth::jwt::Tokens;
use crate::config::Settings;
use std::path::Path;

/// The HS256 secret: `SWITCHBOARD_JWT_SECRET`, else a generated one persisted in the data directory.
pub(super) fn jwt_secret(settings: &Settings) -> Result<String, StartupError> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= 32 => return Ok(secret.trim().to_owned()),
        Ok(_) => return Err(StartupError::Config(format!("{} is shorter than 32 bytes", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(StartupError::Config(format!("cannot read {}: {e}", path.display()))),
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    let secret = auth::random_hex(32);
    write_private(&path, &secret)?;
    log::info!("generated a JWT secret in {}", path.display());
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())
}

/// Verifies and mints tokens as `settings` say.
pub fn tokens(settings: &Settings) -> Result<Tokens, StartupError> {
    let secret = jwt_secret(settings)?;
    let mut tokens = Tokens::new(
        secret.as_bytes(),
        settings.jwt_issuer.clone(),
        settings.jwt_audience.clone(),
        settings.token_ttl_seconds,
    )
    .map_err(StartupError::Config)?;
    if let Some(ext) = &settings.external_jwt {
        let algorithm = external_algorithm(&ext.algorithm).map_err(StartupError::Config)?;
        let keys = match (&ext.public_key_file, &ext.jwks_url) {
            (Some(file), None) => {
                let pem = std::fs::read(file).map_err(|e| StartupError::Config(format!("{}: {e}", file.display())))?;
                ExternalKeys::Pem(external_key(algorithm, &pem).map_err(StartupError::Config)?)
            }
            (None, Some(url)) => {
                let seconds =
                    |value: Option<u64>, default: u64| std::time::Duration::from_secs(value.unwrap_or(default));
                // at least a second between fetches: the bound is what stops made-up key ids
                let min_refresh = seconds(ext.jwks_refresh_min_seconds.map(|s| s.max(1)), 30);
                let max_age = seconds(ext.jwks_max_age_seconds, 3600);
                let jwks = Jwks::new(url, algorithm, min_refresh, max_age).map_err(StartupError::Config)?;
                // Known before the first sign-in; a provider down now is asked again when a token comes.
                jwks.refresh();
                ExternalKeys::Jwks(std::sync::Arc::new(jwks))
            }
            _ => {
                return Err(StartupError::Config("external_jwt takes one of public_key_file and jwks_url".into()));
            }
        };
        tokens = tokens.with_external(ExternalKey {
            algorithm,
            keys,
            issuer: ext.issuer.clone(),
            audience: ext.audience.clone(),
            groups_claim: ext.groups_claim.clone(),
        });
    }
    Ok(tokens)
}
