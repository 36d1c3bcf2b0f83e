//! The scheme of a provisioning URL: finding it, and accepting only the schemes a vendor
//! fetches from. Errors echo the scheme (capped), never the rest of the URL, which may hold
//! credentials. Each vendor keeps its own table of schemes (and protocol codes).

use super::{RenderError, capped};

/// `(scheme, rest)` of `scheme://rest` when the text before the first `://` holds no `/`, `?`
/// or `#` (so a `://` inside a path or query is no scheme); `None` otherwise.
pub(super) fn split_scheme(url: &str) -> Option<(&str, &str)> {
    split_at_separator(url).filter(|(scheme, _)| !scheme.contains(['/', '?', '#']))
}

/// `(before, after)` the first `://` of `url` (what `url.split_once("://")` gives, without
/// setting up a substring searcher for three bytes).
pub(super) fn split_at_separator(url: &str) -> Option<(&str, &str)> {
    let at = url.as_bytes().windows(3).position(|window| window == b"://")?;
    Some((&url[..at], &url[at + 3..]))
}

/// `(scheme, rest)` of `scheme://rest` when the scheme has RFC 3986 syntax (an ASCII letter,
/// then letters, digits, `+`, `-`, `.`). Otherwise [`RenderError::InvalidUrl`] echoing nothing,
/// since what stands before `://` may then be part of a path or of credentials.
pub(super) fn strict_scheme(url: &str) -> Result<(&str, &str), RenderError> {
    let (scheme, rest) = split_at_separator(url).unwrap_or(("", url));
    let valid_syntax = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if valid_syntax {
        Ok((scheme, rest))
    } else {
        Err(RenderError::InvalidUrl(String::new()))
    }
}

/// Accepts `scheme` when it is one of `known` (compared case-insensitively), else
/// [`RenderError::InvalidUrl`] echoing the scheme, capped.
pub(super) fn check_known_scheme(scheme: &str, known: &[&str]) -> Result<(), RenderError> {
    if known.iter().any(|known| known.eq_ignore_ascii_case(scheme)) {
        Ok(())
    } else {
        Err(RenderError::InvalidUrl(capped(scheme)))
    }
}

/// The code `codes` gives `scheme` (compared case-insensitively), else
/// [`RenderError::InvalidUrl`] echoing the scheme, capped.
pub(super) fn scheme_code(scheme: &str, codes: &[(&str, &'static str)]) -> Result<&'static str, RenderError> {
    codes
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(scheme))
        .map(|&(_, code)| code)
        .ok_or_else(|| RenderError::InvalidUrl(capped(scheme)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_split() {
        assert_eq!(split_scheme("HTTP://a/b"), Some(("HTTP", "a/b")));
        assert_eq!(split_scheme("pbx/x?u=http://y"), None);
        assert_eq!(split_scheme("pbx.example/prov"), None);
        assert_eq!(split_scheme("://pbx"), Some(("", "pbx")));
        for url in ["", ":", "://", "a:/b://c", "é://x", "x:/", "a://b://c", "héllo:// "] {
            assert_eq!(split_at_separator(url), url.split_once("://"), "{url:?}");
        }
    }

    #[test]
    fn strict_split() {
        assert_eq!(strict_scheme("ftp://pbx/x?u=http://y"), Ok(("ftp", "pbx/x?u=http://y")));
        for url in ["://pbx", "pbx/x?u=http://y", "1http://x", "", "user:secret@pbx/prov"] {
            assert_eq!(strict_scheme(url), Err(RenderError::InvalidUrl(String::new())), "{url}");
        }
    }

    #[test]
    fn known_schemes_and_codes() {
        assert_eq!(check_known_scheme("HTTPS", &["http", "https"]), Ok(()));
        assert_eq!(
            check_known_scheme("sips", &["http"]),
            Err(RenderError::InvalidUrl("sips".into()))
        );
        assert_eq!(scheme_code("Tftp", &[("tftp", "0"), ("http", "1")]), Ok("0"));
        let long = "x".repeat(50);
        assert_eq!(
            scheme_code(&long, &[("tftp", "0")]),
            Err(RenderError::InvalidUrl("x".repeat(32)))
        );
    }
}
