//! Splitting an outbound proxy `host[:port]` for the formats that take address and port as two
//! keys.

/// Splits an outbound proxy into the address (IPv6 without brackets) and the port:
/// `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal (all host). Text that fits
/// none of these (`host:`, `host:99999`, `[v6]x`) is written as the address verbatim, without
/// a port, rather than guessed at.
pub(super) fn split_host_port(text: &str) -> (&str, Option<u16>) {
    if let Some(rest) = text.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, after)) => match after.strip_prefix(':').and_then(parse_port) {
                Some(port) => (host, Some(port)),
                None => (text, None),
            },
            None => (text, None),
        };
    }
    match text.split_once(':') {
        // More than one colon without brackets: a bare IPv6 literal.
        Some((_, port)) if port.contains(':') => (text, None),
        Some((host, port)) => match parse_port(port) {
            Some(port) => (host, Some(port)),
            None => (text, None),
        },
        None => (text, None),
    }
}

/// A decimal port of digits only (no sign, no spaces).
fn parse_port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for (text, expected) in [
            ("obp.example", ("obp.example", None)),
            ("obp.example:5070", ("obp.example", Some(5070))),
            ("10.0.0.9:0", ("10.0.0.9", Some(0))),
            ("[2001:db8::2]:5071", ("2001:db8::2", Some(5071))),
            ("[2001:db8::2]", ("2001:db8::2", None)),
            ("2001:db8::2", ("2001:db8::2", None)),
            ("obp.example:", ("obp.example:", None)),
            ("obp.example:+5", ("obp.example:+5", None)),
            ("obp.example:70000", ("obp.example:70000", None)),
            ("[2001:db8::2]x", ("[2001:db8::2]x", None)),
            ("[2001:db8::2", ("[2001:db8::2", None)),
            ("[2001:db8::2]:", ("[2001:db8::2]:", None)),
        ] {
            assert_eq!(split_host_port(text), expected, "{text}");
        }
    }
}
