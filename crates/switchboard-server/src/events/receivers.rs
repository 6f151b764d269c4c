//! Where webhook deliveries may go: HTTPS anywhere, plain HTTP only to this machine, never to
//! link-local (cloud metadata), unspecified, broadcast or multicast addresses, and never on through a
//! redirect.

use crate::config::EventSettings;
use std::net::{IpAddr, SocketAddr};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// The longest URL a webhook may have.
pub const MAX_URL: usize = 2048;

/// Checks a receiver's URL: HTTPS anywhere, or plain HTTP to this machine only (a receiver on the
/// same host, as in development); no credentials in the URL, no fragment.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL {
        return Err(format!("a webhook URL has at most {MAX_URL} characters"));
    }
    if url.contains('#') {
        return Err("a webhook URL has no fragment".into());
    }
    let uri: ureq::http::Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    let authority = uri.authority().ok_or("a webhook URL names a host")?;
    if authority.as_str().contains('@') {
        return Err("a webhook URL carries no user name or password".into());
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") if is_loopback_host(host) => Ok(()),
        Some("http") => {
            Err("plain HTTP is only for receivers on this machine (127.0.0.1, ::1, localhost); use HTTPS".into())
        }
        _ => Err("a webhook URL is https:// (or http:// to this machine)".into()),
    }
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Addresses a delivery never connects to, whatever a name resolves to: the cloud metadata and other
/// link-local addresses, unspecified, broadcast and multicast ones.
fn forbidden(addr: &SocketAddr) -> bool {
    match addr.ip() {
        IpAddr::V4(v4) => v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast(),
        IpAddr::V6(v6) => {
            v6.is_unspecified() || v6.is_multicast() || (v6.segments()[0] & 0xffc0) == 0xfe80 || {
                v6.to_ipv4_mapped().is_some_and(|v4| v4.is_link_local() || v4.is_unspecified())
            }
        }
    }
}

/// Resolves as usual, then refuses [`forbidden`] addresses: checked where the connection is made,
/// so a name that changes its answer (DNS rebinding) cannot slip past a check made earlier.
#[derive(Debug, Default)]
struct GuardedResolver(DefaultResolver);

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.0.resolve(uri, config, timeout)?;
        if let Some(bad) = addrs.iter().find(|a| forbidden(a)) {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("the receiver's address {} is not one webhooks are delivered to", bad.ip()),
            )));
        }
        Ok(addrs)
    }
}

/// The HTTP client of deliveries: no redirects followed (a receiver cannot send a delivery on to
/// another address), every status answered as it is, the configured timeout for the whole exchange.
pub fn agent(settings: &EventSettings) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(settings.webhook_timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("Switchboard-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::with_parts(config, DefaultConnector::default(), GuardedResolver::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers_are_https_or_on_this_machine() {
        assert!(check_url("https://crm.example.com/hooks/switchboard").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://[::1]:9000/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        for bad in [
            "http://crm.example.com/hook",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://example.com/#x",
            "not a url",
            "/relative",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deliveries_never_connect_to_link_local_or_unspecified_addresses() {
        for bad in ["169.254.169.254:80", "0.0.0.0:443", "[fe80::1]:443", "[::ffff:169.254.169.254]:80", "224.0.0.1:80"]
        {
            assert!(forbidden(&bad.parse().unwrap()), "{bad}");
        }
        for good in ["127.0.0.1:80", "10.1.2.3:443", "93.184.216.34:443", "[::1]:80"] {
            assert!(!forbidden(&good.parse().unwrap()), "{good}");
        }
    }
}
