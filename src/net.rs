//! Small host/port helpers shared by the SIP writer and the renderers.

/// `host` or `host:port`; IPv6 literals are wrapped in brackets.
pub fn join_host_port(host: &str, port: Option<u16>) -> String {
    let host = bracket_ipv6(host);
    match port {
        Some(port) => format!("{host}:{port}"),
        None => host.into_owned(),
    }
}

/// Wraps a bare IPv6 literal in brackets; other hosts are returned unchanged.
pub fn bracket_ipv6(host: &str) -> std::borrow::Cow<'_, str> {
    if host.contains(':') && !host.starts_with('[') {
        std::borrow::Cow::Owned(format!("[{host}]"))
    } else {
        std::borrow::Cow::Borrowed(host)
    }
}

/// Removes the brackets around an IPv6 literal, if any.
pub fn unbracket(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_bracketed_once() {
        assert_eq!(join_host_port("2001:db8::1", Some(5060)), "[2001:db8::1]:5060");
        assert_eq!(join_host_port("[2001:db8::1]", None), "[2001:db8::1]");
        assert_eq!(join_host_port("pbx.example", None), "pbx.example");
        assert_eq!(unbracket("[::1]"), "::1");
    }
}
