//! Which hosts a load test may target: loopback, or hosts the scenario lists and the user
//! confirmed.

/// True for loopback hosts (127.0.0.0/8, ::1, localhost).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A target a load test may not go to, or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("bad target URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    #[error("target URL {0:?} has no host")]
    NoHost(String),
    #[error(
        "target host {0:?} is not loopback and not in [target] allow_hosts; add it there to load-test it"
    )]
    NotAllowed(String),
    #[error("target host {0:?} is remote: confirm with --allow-remote that you may load-test it")]
    NotConfirmed(String),
}

/// Refuses a target that is not loopback unless the scenario lists its host in `allow_hosts`
/// and the user confirmed with `--allow-remote`.
pub fn check_target(
    url: &str,
    allow_hosts: &[String],
    allow_remote: bool,
) -> Result<(), TargetError> {
    let uri: hyper::Uri =
        url.parse()
            .map_err(|e: hyper::http::uri::InvalidUri| TargetError::Url {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
    let host = uri
        .host()
        .ok_or_else(|| TargetError::NoHost(url.to_owned()))?;
    if is_loopback(host) {
        return Ok(());
    }
    if !allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(TargetError::NotAllowed(host.to_owned()));
    }
    if !allow_remote {
        return Err(TargetError::NotConfirmed(host.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_allowed_without_confirmation() {
        assert!(check_target("http://127.0.0.1:8080", &[], false).is_ok());
        assert!(check_target("http://127.3.2.1", &[], false).is_ok());
        assert!(check_target("http://[::1]:80", &[], false).is_ok());
        assert!(check_target("http://localhost", &[], false).is_ok());
        let remote = "https://dichvucong.example.vn";
        assert!(
            check_target(remote, &[], true).is_err_and(|e| e.to_string().contains("allow_hosts"))
        );
        let hosts = vec!["dichvucong.example.vn".to_owned()];
        assert!(
            check_target(remote, &hosts, false)
                .is_err_and(|e| e.to_string().contains("--allow-remote"))
        );
        assert!(check_target(remote, &hosts, true).is_ok());
        assert!(check_target("http://10.0.0.5", &[], false).is_err());
    }
}
