//! Where webhook deliveries may go. HTTPS to the public internet; never to link-local (cloud
//! metadata), unspecified, broadcast or multicast addresses; never on through a redirect. Receivers
//! on this machine or a private network (plain HTTP only to this machine) only where the operator
//! allows them (`[events] allow_private_receivers`, on with `--demo`): otherwise an account's admin
//! could make the server post into the operator's own network.

use crate::config::EventSettings;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// The longest URL a webhook may have.
pub const MAX_URL: usize = 2048;

const PRIVATE_OFF: &str = "receivers on this machine or a private network are not allowed here (the operator \
                           allows them with `[events] allow_private_receivers`)";

/// Checks a receiver's URL: HTTPS, or plain HTTP to this machine; no credentials in the URL, no
/// fragment; an address literal must be one deliveries may reach.
pub fn check_url(url: &str, allow_private: bool) -> Result<(), String> {
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
    let on_this_machine =
        host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match uri.scheme_str() {
        Some("https" | "http") if on_this_machine && !allow_private => Err(PRIVATE_OFF.into()),
        Some("http") if !on_this_machine => {
            Err("plain HTTP is only for receivers on this machine (127.0.0.1, ::1, localhost); use HTTPS".into())
        }
        Some("https" | "http") if host.is_empty() => Err("a webhook URL names a host".into()),
        Some("https" | "http") => match host.parse::<IpAddr>() {
            Ok(ip) => refusal(ip, allow_private).map_or(Ok(()), |why| Err(why.into())),
            Err(_) => Ok(()),
        },
        _ => Err("a webhook URL is https:// (or http:// to this machine)".into()),
    }
}

/// Why deliveries never go to `ip`, if they don't.
fn refusal(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    let never = match ip {
        IpAddr::V4(v4) => v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast(),
        IpAddr::V6(v6) => v6.is_unspecified() || v6.is_multicast() || (v6.segments()[0] & 0xffc0) == 0xfe80,
    };
    if never {
        return Some("link-local, unspecified, broadcast and multicast addresses never receive webhooks");
    }
    let private = match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || is_shared(v4),
        IpAddr::V6(v6) => v6.is_loopback() || is_unique_local(v6),
    };
    (private && !allow_private).then_some(PRIVATE_OFF)
}

/// 100.64.0.0/10, carrier-grade NAT.
fn is_shared(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    a == 100 && (64..128).contains(&b)
}

/// fc00::/7.
fn is_unique_local(v6: Ipv6Addr) -> bool {
    (v6.segments()[0] & 0xfe00) == 0xfc00
}

/// Resolves as usual, then refuses the addresses deliveries may not reach: checked where the
/// connection is made, so a name that changes its answer (DNS rebinding) cannot slip past a check
/// made earlier.
#[derive(Debug, Default)]
struct GuardedResolver {
    inner: DefaultResolver,
    allow_private: bool,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.inner.resolve(uri, config, timeout)?;
        let refused = addrs.iter().find_map(|a: &SocketAddr| refusal(a.ip(), self.allow_private).map(|why| (a, why)));
        if let Some((addr, why)) = refused {
            // the address itself stays in the server's log: an account must not map the operator's
            // network through the delivery log
            log::info!("webhook delivery to {uri} refused: it resolves to {}", addr.ip());
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("the receiver's address is refused: {why}"),
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
        // never through a proxy of the environment: the guard must see the receiver's own address
        .proxy(None)
        .http_status_as_error(false)
        .user_agent(concat!("Switchboard-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build();
    let resolver =
        GuardedResolver { inner: DefaultResolver::default(), allow_private: settings.allow_private_receivers };
    ureq::Agent::with_parts(config, DefaultConnector::default(), resolver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers_are_https_or_on_this_machine_where_the_operator_allows_it() {
        assert!(check_url("https://crm.example.com/hooks/switchboard", false).is_ok());
        for local in
            ["http://127.0.0.1:9000/hook", "http://[::1]:9000/hook", "http://localhost/hook", "https://10.0.0.5/"]
        {
            assert!(check_url(local, true).is_ok(), "{local}");
            assert!(check_url(local, false).unwrap_err().contains("allow_private_receivers"), "{local}");
        }
        for bad in [
            "http://crm.example.com/hook",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://example.com/#x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::ffff:169.254.169.254]/",
            "not a url",
            "/relative",
        ] {
            assert!(check_url(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn deliveries_never_reach_link_local_and_reach_private_networks_only_where_allowed() {
        for never in ["169.254.169.254", "0.0.0.0", "fe80::1", "::ffff:169.254.169.254", "224.0.0.1", "::"] {
            let ip: IpAddr = never.parse().unwrap();
            assert!(refusal(ip, true).is_some() && refusal(ip, false).is_some(), "{never}");
        }
        for private in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "::1", "fd00::1"] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(refusal(ip, true).is_none() && refusal(ip, false).is_some(), "{private}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(refusal(public.parse().unwrap(), false).is_none(), "{public}");
        }
    }

    #[test]
    fn the_guard_holds_where_the_connection_is_made_whatever_the_url_check_said() {
        // `localhost` resolves to loopback: refused at connect time when private receivers are off
        let settings = |allow_private_receivers| EventSettings {
            webhook_timeout: std::time::Duration::from_secs(2),
            webhook_retry_base: std::time::Duration::from_secs(1),
            webhook_retry_max: std::time::Duration::from_secs(1),
            webhook_workers: 1,
            allow_private_receivers,
            nats_url: None,
            nats_stream: "S".into(),
            nats_subject_prefix: "s".into(),
        };
        let refused = agent(&settings(false)).post("http://localhost:9/").send("{}").unwrap_err().to_string();
        assert!(refused.contains("allow_private_receivers"), "{refused}");
        let tried = agent(&settings(true)).post("http://localhost:9/").send("{}").unwrap_err().to_string();
        assert!(!tried.contains("allow_private_receivers"), "allowed: it tries, and port 9 refuses: {tried}");
    }
}
