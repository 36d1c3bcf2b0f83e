//! The Event header of a ua-profile subscription and its parameters.

use std::borrow::Cow;

use super::params::TrimFast;
use super::params::{self, Param, PlainParams, eq_fold, split_at_byte};

/// `ua-profile;profile-type="device";vendor=…;model=…;version=…`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// Event package (`ua-profile`).
    pub package: &'a str,
    /// Parameter list after the package (may be empty).
    pub params: &'a str,
}

impl<'a> Event<'a> {
    #[inline]
    pub fn parse(raw: &'a str) -> Event<'a> {
        // The usual `ua-profile;…` (any case): the package is the first ten bytes as they
        // are, with no `;` in it to search for and nothing to trim (and byte 11 follows the
        // ASCII `;`, so it starts a character).
        if let Some((package, b';')) = raw.as_bytes().get(..10).zip(raw.as_bytes().get(10))
            && eq_fold(package, b"ua-profile")
        {
            return Event {
                package: &raw[..10],
                params: &raw[11..],
            };
        }
        Event::split(raw)
    }

    /// [`Event::parse`] of any text: the package is what comes before the first `;`, trimmed.
    /// Out of line, so that the usual case inlined into the SUBSCRIBE parse stays a few
    /// instructions (parse 7,755 -> 7,702 with the case above).
    #[inline(never)]
    fn split(raw: &'a str) -> Event<'a> {
        let (package, params) = split_at_byte(raw, b';').unwrap_or((raw, ""));
        Event {
            package: package.trim_fast(),
            params,
        }
    }

    /// Whether this is the ua-profile package (RFC 6080).
    pub fn is_ua_profile(&self) -> bool {
        eq_fold(self.package.as_bytes(), b"ua-profile")
    }

    /// A parameter's unquoted value; empty values count as absent.
    pub fn param(&self, name: &str) -> Option<Cow<'a, str>> {
        Event::value_of(params::find(self.params, name)?)
    }

    /// The identity parameters in one pass over the list, each as [`Event::param`] gives it:
    /// `[profile-type, vendor (or Panasonic's vender), model, version]`.
    pub fn identity(&self) -> [Option<Cow<'a, str>>; 4] {
        match PlainParams::new(self.params) {
            // Nothing to trim or unescape in a plain list: a value is itself, or absent if empty.
            Some(plain) => Event::identity_in(plain, |p| p.value.filter(|v| !v.is_empty()).map(Cow::Borrowed)),
            None => Event::identity_in(params::iter(self.params), Event::value_of),
        }
    }

    /// [`Event::identity`] of the parameters `params`, each value read by `value_of`.
    #[inline(always)]
    fn identity_in(
        params: impl Iterator<Item = Param<'a>>,
        value_of: impl Fn(Param<'a>) -> Option<Cow<'a, str>>,
    ) -> [Option<Cow<'a, str>>; 4] {
        // The value of the first parameter of each name (itself `None` when it has none).
        let mut first: [Option<Option<Cow<'a, str>>>; 5] = Default::default();
        for p in params {
            let name = p.name.as_bytes();
            let slot = match name.len() {
                12 if eq_fold(name, b"profile-type") => 0,
                6 if eq_fold(name, b"vendor") => 1,
                6 if eq_fold(name, b"vender") => 2,
                5 if eq_fold(name, b"model") => 3,
                7 if eq_fold(name, b"version") => 4,
                _ => continue,
            };
            first[slot].get_or_insert_with(|| value_of(p));
        }
        let [profile_type, vendor, vender, model, version] = first.map(Option::flatten);
        [profile_type, vendor.or(vender), model, version]
    }

    fn value_of(p: Param<'a>) -> Option<Cow<'a, str>> {
        let value = p.value?.trim_fast();
        if value.is_empty() {
            return None;
        }
        // Trimming takes no backslash away: `value` has one exactly when the raw value has.
        Some(if p.quoted && value.contains('\\') {
            Cow::Owned(p.unescaped()?.into_owned())
        } else {
            Cow::Borrowed(value)
        })
    }

    pub fn profile_type(&self) -> Option<Cow<'a, str>> {
        self.param("profile-type")
    }

    /// `vendor`, or Panasonic's `vender`.
    pub fn vendor(&self) -> Option<Cow<'a, str>> {
        self.param("vendor").or_else(|| self.param("vender"))
    }

    pub fn model(&self) -> Option<Cow<'a, str>> {
        self.param("model")
    }

    pub fn version(&self) -> Option<Cow<'a, str>> {
        self.param("version")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_package_reads_as_any_other() {
        for raw in [
            "ua-profile;profile-type=device",
            "UA-PROFILE;x",
            "Ua-Profile;",
            "ua-profile",
            "ua-profile ;a=b",
            "ua-profilex;a",
            "ua-profil;;a",
            "ua_profile;a",
            "ua-profilé;a",
            "ua-profile;é",
            " ua-profile;a",
            "presence;id=1",
            "ua-profile;;;",
            "",
            ";",
        ] {
            assert_eq!(Event::parse(raw), Event::split(raw), "{raw:?}");
        }
    }

    #[test]
    fn vendor_spellings_and_case() {
        let e = Event::parse(
            r#"ua-profile;profile-type="device";vendor="Grandstream";model="GXP2110";version="1.0.1.108""#,
        );
        assert!(e.is_ua_profile());
        assert_eq!(e.vendor().unwrap(), "Grandstream");
        assert_eq!(e.model().unwrap(), "GXP2110");
        assert_eq!(e.version().unwrap(), "1.0.1.108");
        let e = Event::parse("UA-Profile ; Profile-Type=device ; VENDER=Panasonic");
        assert!(e.is_ua_profile());
        assert_eq!(e.profile_type().unwrap(), "device");
        assert_eq!(e.vendor().unwrap(), "Panasonic");
        assert!(e.model().is_none());
        assert!(!Event::parse("presence").is_ua_profile());
        for raw in [
            r#"ua-profile;profile-type="device";vendor="Grandstream";model="GXP2110";version="1.0.1.108""#,
            "UA-Profile ; Profile-Type=device ; VENDER=Panasonic",
            r#"ua-profile;vendor="";vender=X;model="a\"b";model=c;version= "#,
            // Plain lists (no spaces, escapes or brackets), read by `PlainParams`.
            r#"ua-profile;vendor="";vender=X;model="a;b";model=c;version="#,
            r#"ua-profile;VENDOR=;Vender="";MODEL;model="x";version="1.0;2""#,
            r#"ua-profile;profile-type=;profile-type=device;vendor="unclosed;model=m"#,
            "ua-profile;model=m;;;version=v;version=w;vendor=V",
            "ua-profile;modelx=1;mode=2;versions=3;profile-typ=4",
        ] {
            assert_eq!(
                PlainParams::new(Event::parse(raw).params).is_some(),
                !raw.contains([' ', '\\'])
            );
            let e = Event::parse(raw);
            assert_eq!(
                e.identity(),
                [e.profile_type(), e.vendor(), e.model(), e.version()],
                "{raw}"
            );
        }
    }
}
