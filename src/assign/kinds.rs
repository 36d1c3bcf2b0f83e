//! The small closed sets of the model (transport, codec, DTMF, SRTP, key bank and kind), each
//! with the one text spelling the C ABI and the devices file use.

/// Declares a closed set with its text names: `as_str`, `parse` (any case) and `ALL`.
macro_rules! named_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The member's text name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The member named `text` (any case).
            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|m| m.as_str().eq_ignore_ascii_case(text))
            }
        }
    };
}

named_set! {
    /// SIP transport a phone registers with (lower-case, as in `transport=` URI parameters).
    #[derive(Default)]
    Transport {
        #[default]
        Udp = "udp",
        Tcp = "tcp",
        Tls = "tls",
    }
}

named_set! {
    /// Audio codecs, named as in their RTP payload format registrations.
    Codec {
        Pcmu = "PCMU",
        Pcma = "PCMA",
        G722 = "G722",
        G729 = "G729",
        G726_32 = "G726-32",
        Ilbc = "iLBC",
        Opus = "opus",
        G723 = "G723",
    }
}

named_set! {
    /// How DTMF digits are sent.
    DtmfMode {
        /// RTP telephone events (RFC 4733, formerly 2833).
        Rfc2833 = "rfc2833",
        SipInfo = "sip-info",
        Inband = "inband",
    }
}

named_set! {
    /// Media encryption.
    SrtpMode {
        Disabled = "disabled",
        Optional = "optional",
        Required = "required",
    }
}

named_set! {
    /// What a programmable key does.
    #[derive(Default)]
    KeyKind {
        /// Nothing (the key is left blank).
        #[default]
        Unused = "unused",
        /// A line (account) key.
        Line = "line",
        /// Busy-lamp field: watches `value` and picks up its calls.
        Blf = "blf",
        SpeedDial = "speed-dial",
        /// Call park to the orbit `value`.
        Park = "park",
        /// Do-not-disturb toggle.
        Dnd = "dnd",
    }
}

/// Which set of keys a key belongs to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeyBank {
    /// Keys next to the display, usually line keys first.
    Line,
    /// The phone's programmable (soft/multi-purpose) keys.
    #[default]
    Programmable,
    /// Expansion module 1, 2, …
    Expansion(u8),
}

impl KeyBank {
    /// `line`, `programmable` or `expansion<N>`.
    pub fn name(self) -> String {
        match self {
            KeyBank::Line => "line".into(),
            KeyBank::Programmable => "programmable".into(),
            KeyBank::Expansion(n) => format!("expansion{n}"),
        }
    }

    /// Parses [`KeyBank::name`]'s spellings (any case); modules are numbered from 1.
    pub fn parse(text: &str) -> Option<KeyBank> {
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "line" => Some(KeyBank::Line),
            "programmable" => Some(KeyBank::Programmable),
            _ => {
                let n: u8 = lower.strip_prefix("expansion")?.parse().ok()?;
                (n >= 1).then_some(KeyBank::Expansion(n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_any_case() {
        for codec in Codec::ALL {
            assert_eq!(Codec::parse(&codec.as_str().to_ascii_uppercase()), Some(*codec));
        }
        assert_eq!(Transport::parse("TLS"), Some(Transport::Tls));
        assert_eq!(DtmfMode::parse("SIP-INFO"), Some(DtmfMode::SipInfo));
        assert_eq!(SrtpMode::parse("required"), Some(SrtpMode::Required));
        assert_eq!(KeyKind::parse("speed-dial"), Some(KeyKind::SpeedDial));
        assert_eq!(Codec::parse("g711"), None);
        assert_eq!(Transport::default(), Transport::Udp);
    }

    #[test]
    fn key_banks() {
        assert_eq!(KeyBank::parse("Expansion2"), Some(KeyBank::Expansion(2)));
        assert_eq!(KeyBank::parse("expansion0"), None);
        assert_eq!(KeyBank::parse("expansion"), None);
        assert_eq!(KeyBank::parse("line"), Some(KeyBank::Line));
        for bank in [KeyBank::Line, KeyBank::Programmable, KeyBank::Expansion(3)] {
            assert_eq!(KeyBank::parse(&bank.name()), Some(bank));
        }
    }
}
