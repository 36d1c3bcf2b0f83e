//! Neutral values in Grandstream's terms, shared by both dialects (P-values and item names):
//! each mapping gives the setting once, and the dialect modules spell it (a number code for
//! P-values, an alias for item names). A neutral value a Grandstream phone cannot take is
//! [`RenderError::UnsupportedValue`] naming the field, never the value.
//!
//! Sources (config-formats.md §2.1 tags): the Grandstream configuration templates quoted in
//! FusionPBX (FP `gxp2170`: "Configuration Template For GXP2130/2140/2160/2170/2135 Firmware
//! Version 1.0.9.127") and in an FS PBX GXP17xx template ("GXP1782/1780/1760 Firmware Version
//! 1.0.1.133"), and the GRP26xx item-name template with its alias lists (FS PBX `cfgmac.xml`).
//!
//! - Time zone: P64 / `dateTime.timezone` = `customize` selects the self-defined zone, P246 /
//!   `dateTime.timezone.custom` (max. 64 characters), written as a POSIX TZ rule; the
//!   templates' own example is `MTZ+6MDT+5,M4.1.0,M11.1.0` \[H\].
//! - Language: the P1362 list of the GXP17xx template (`cz` for Czech, `se` for Swedish) \[H\].
//! - Syslog level: P208 0 NONE, 1 DEBUG, 2 INFO, 3 WARNING, 4 ERROR; `maintain.syslog.level`
//!   None, Debug, Info, Warning, Error \[H\]. The phone takes no syslog port \[M\].
//! - Register expiration: minutes, 1–64800 (P32 "Register Expiration (in minutes)") \[H\].
//! - Automatic upgrade check: P193 minutes 60–86400 (GXP17xx), `provisioning.auto.minute`
//!   60–5256000 (GRP26xx) \[H\].
//! - Vocoders: 8 preference slots; codes 0 PCMU, 8 PCMA, 9 G.722, 18 G.729A/B, 2 G.726-32,
//!   4 G.723.1, 98 iLBC; Opus is 123 on GXP21xx and 125 on GXP17xx (so it is model-dependent)
//!   \[H\]; aliases PCMU, PCMA, G.722, G.729A/B, G.726-32, G.723.1, iLBC, OPUS \[H\].
//! - SRTP: 0 Disabled, 1 Enabled but not forced, 2 Enabled and forced (aliases Disabled,
//!   EnabledButNotForced, EnabledAndForced) \[H\]; neutral `optional` is "enabled but not
//!   forced" \[M\].
//! - DTMF: three Yes/No switches "Send DTMF: In-audio / Via RTP (RFC2833) / Via SIP INFO" \[H\].

use super::RenderError;
use super::url::{scheme_code, split_scheme};
use crate::assign::{Codec, DtmfMode, SrtpMode};
use crate::digits::{push_decimal, push_padded};
use crate::timezone::{DstRule, PosixTz, Transition, Zone};

/// The P64 / `dateTime.timezone` value that makes the phone read the self-defined zone.
pub(super) const TIMEZONE_CUSTOM: &str = "customize";
/// Longest self-defined zone the phone takes (P246 "Max length allowed is 64 characters").
const TIMEZONE_MAX_LEN: usize = 64;
/// Latest transition time of day a plain POSIX rule writes (`/24`); tzdata's extended times
/// (`/26`, `/-1`) are refused rather than given to a parser that may not know them.
const LATEST_TRANSITION_SECS: i32 = 24 * 3600;

/// The self-defined zone (P246) for `zone`: the zone's POSIX rule written in plain POSIX
/// syntax, with an explicit DST offset and explicit transition times. Quoted numeric names
/// (`<+0545>`) become `STD` / `DST`: POSIX names must be letters, and the phone uses only the
/// offsets and rules. A rule plain POSIX cannot write (transition times outside 0–24 h) or
/// longer than 64 characters is [`RenderError::UnsupportedValue`] for `timezone`.
pub(super) fn custom_timezone(zone: &Zone) -> Result<String, RenderError> {
    let unsupported = || RenderError::UnsupportedValue {
        field: "timezone".into(),
    };
    let PosixTz {
        std_name,
        std_offset_secs,
        dst,
    } = zone.rule();
    let mut out = String::with_capacity(48);
    out.push_str(posix_name(std_name, "STD"));
    push_posix_offset(&mut out, *std_offset_secs).ok_or_else(unsupported)?;
    if let Some(DstRule {
        name,
        offset_secs,
        start,
        end,
    }) = dst
    {
        out.push_str(posix_name(name, "DST"));
        push_posix_offset(&mut out, *offset_secs).ok_or_else(unsupported)?;
        for transition in [*start, *end] {
            out.push(',');
            push_posix_transition(&mut out, transition).ok_or_else(unsupported)?;
        }
    }
    if out.len() > TIMEZONE_MAX_LEN {
        return Err(unsupported());
    }
    Ok(out)
}

/// `name` when it is a plain POSIX name (3 or more ASCII letters), else `placeholder`.
fn posix_name<'a>(name: &'a str, placeholder: &'a str) -> &'a str {
    if name.len() >= 3 && name.bytes().all(|b| b.is_ascii_alphabetic()) {
        name
    } else {
        placeholder
    }
}

/// Appends an offset east of UTC in POSIX notation (west positive): `-1`, `5`, `-5:45`.
/// `None` beyond 24 hours (and `out` may then hold part of it).
fn push_posix_offset(out: &mut String, east_secs: i32) -> Option<()> {
    if east_secs > 0 {
        out.push('-');
    }
    push_clock(out, east_secs.unsigned_abs())
}

/// Appends `h[:mm[:ss]]` for at most 24 hours; `None` (writing nothing) beyond.
fn push_clock(out: &mut String, secs: u32) -> Option<()> {
    if secs > LATEST_TRANSITION_SECS.unsigned_abs() {
        return None;
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    push_decimal(out, h.into());
    if m != 0 || s != 0 {
        out.push(':');
        push_padded(out, m.into(), 2);
    }
    if s != 0 {
        out.push(':');
        push_padded(out, s.into(), 2);
    }
    Some(())
}

/// Appends `Mm.w.d/time`, `Jn/time` or `n/time`; `None` (writing nothing) for a time outside
/// 0–24 h.
fn push_posix_transition(out: &mut String, t: Transition) -> Option<()> {
    let time = t.time_secs();
    if !(0..=LATEST_TRANSITION_SECS).contains(&time) {
        return None;
    }
    match t {
        Transition::MonthWeekDay {
            month, week, weekday, ..
        } => {
            out.push('M');
            push_decimal(out, month.into());
            out.push('.');
            push_decimal(out, week.into());
            out.push('.');
            push_decimal(out, weekday.into());
        }
        Transition::JulianNoLeap { day, .. } => {
            out.push('J');
            push_decimal(out, day.into());
        }
        Transition::Julian { day, .. } => push_decimal(out, day.into()),
    }
    out.push('/');
    push_clock(out, time.unsigned_abs())
}

/// ISO 639-1 → the phone's display language (P1362 / `language.gui`).
const LANGUAGES: [(&str, &str); 21] = [
    ("ar", "ar"),
    ("cs", "cz"),
    ("de", "de"),
    ("en", "en"),
    ("es", "es"),
    ("fr", "fr"),
    ("he", "he"),
    ("hr", "hr"),
    ("hu", "hu"),
    ("it", "it"),
    ("ja", "ja"),
    ("ko", "ko"),
    ("lv", "lv"),
    ("nl", "nl"),
    ("pl", "pl"),
    ("pt", "pt"),
    ("ru", "ru"),
    ("sl", "sl"),
    ("sv", "se"),
    ("tr", "tr"),
    ("zh", "zh"),
];

/// The phone's code for the ISO 639-1 `code` (any case); `zh` is simplified Chinese. A
/// language the phone does not offer is [`RenderError::UnsupportedValue`] for `language`.
pub(super) fn language(code: &str) -> Result<&'static str, RenderError> {
    LANGUAGES
        .iter()
        .find(|(iso, _)| iso.eq_ignore_ascii_case(code))
        .map(|&(_, gs)| gs)
        .ok_or_else(|| RenderError::UnsupportedValue {
            field: "language".into(),
        })
}

/// A syslog level the phone offers (besides NONE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SyslogLevel {
    Debug,
    Info,
    Warning,
    Error,
}

impl SyslogLevel {
    /// The level that sends at least every message of syslog severity `severity` (0–7) and
    /// as little else as the phone allows: 7 debug → DEBUG, 6 info and 5 notice → INFO,
    /// 4 warning → WARNING, 0–3 → ERROR. Above 7 is [`RenderError::UnsupportedValue`].
    pub(super) fn from_severity(severity: u8) -> Result<SyslogLevel, RenderError> {
        match severity {
            0..=3 => Ok(SyslogLevel::Error),
            4 => Ok(SyslogLevel::Warning),
            5 | 6 => Ok(SyslogLevel::Info),
            7 => Ok(SyslogLevel::Debug),
            _ => Err(RenderError::UnsupportedValue {
                field: "syslog level".into(),
            }),
        }
    }

    /// The P208 code.
    pub(super) fn code(self) -> &'static str {
        match self {
            SyslogLevel::Debug => "1",
            SyslogLevel::Info => "2",
            SyslogLevel::Warning => "3",
            SyslogLevel::Error => "4",
        }
    }

    /// The `maintain.syslog.level` alias.
    pub(super) fn alias(self) -> &'static str {
        match self {
            SyslogLevel::Debug => "Debug",
            SyslogLevel::Info => "Info",
            SyslogLevel::Warning => "Warning",
            SyslogLevel::Error => "Error",
        }
    }
}

/// The standard syslog port, the only one the phone sends to.
const SYSLOG_PORT: u16 = 514;

/// Accepts no port or 514; another port is [`RenderError::UnsupportedValue`] (the phone has
/// a server setting but no port setting).
pub(super) fn check_syslog_port(port: Option<u16>) -> Result<(), RenderError> {
    match port {
        None | Some(SYSLOG_PORT) => Ok(()),
        Some(_) => Err(RenderError::UnsupportedValue {
            field: "syslog port".into(),
        }),
    }
}

/// Accepts a VLAN id 1–4094 and a priority 0–7 (the model's ranges, checked again here for
/// hosts that set the fields directly).
pub(super) fn check_vlan(id: Option<u16>, priority: Option<u8>) -> Result<(), RenderError> {
    if id.is_some_and(|id| !(1..=4094).contains(&id)) {
        return Err(RenderError::UnsupportedValue {
            field: "vlan id".into(),
        });
    }
    if priority.is_some_and(|p| p > 7) {
        return Err(RenderError::UnsupportedValue {
            field: "vlan priority".into(),
        });
    }
    Ok(())
}

/// Longest register expiration the phone takes, in minutes ("Max about 45 days").
const MAX_EXPIRES_MIN: u32 = 64_800;

/// Registration expiry `secs` in the phone's minutes. A value that is not a whole number of
/// minutes from 1 to 64800 is [`RenderError::UnsupportedValue`] for `account N register
/// expires` (rounding would register for a different time than asked).
pub(super) fn expires_minutes(secs: u32, account: usize) -> Result<u32, RenderError> {
    let minutes = secs / 60;
    if secs.is_multiple_of(60) && (1..=MAX_EXPIRES_MIN).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(RenderError::UnsupportedValue {
            field: format!("account {account} register expires"),
        })
    }
}

/// `minutes` when it lies in `range` (the dialect's automatic-upgrade interval), else
/// [`RenderError::UnsupportedValue`] for `resync interval`.
pub(super) fn resync_minutes(minutes: u32, range: std::ops::RangeInclusive<u32>) -> Result<u32, RenderError> {
    if range.contains(&minutes) {
        Ok(minutes)
    } else {
        Err(RenderError::UnsupportedValue {
            field: "resync interval".into(),
        })
    }
}

/// Vocoder preference slots per account.
pub(super) const CODEC_SLOTS: usize = 8;

/// The account's codecs for the 8 preference slots, or `None` for an empty list (phone
/// default). The slots after the list repeat its last codec, so the phone offers only the
/// listed codecs (a slot cannot be left empty). More than 8 entries is
/// [`RenderError::UnsupportedValue`] for `account N codecs`.
pub(super) fn codec_slots(codecs: &[Codec], account: usize) -> Result<Option<[Codec; CODEC_SLOTS]>, RenderError> {
    let Some(&last) = codecs.last() else {
        return Ok(None);
    };
    if codecs.len() > CODEC_SLOTS {
        return Err(RenderError::UnsupportedValue {
            field: format!("account {account} codecs"),
        });
    }
    let mut slots = [last; CODEC_SLOTS];
    slots[..codecs.len()].copy_from_slice(codecs);
    Ok(Some(slots))
}

/// The item-name alias of a codec (`account.N.codec.choice.K`).
pub(super) fn codec_alias(codec: Codec) -> &'static str {
    match codec {
        Codec::Pcmu => "PCMU",
        Codec::Pcma => "PCMA",
        Codec::G722 => "G.722",
        Codec::G729 => "G.729A/B",
        Codec::G726_32 => "G.726-32",
        Codec::Ilbc => "iLBC",
        Codec::Opus => "OPUS",
        Codec::G723 => "G.723.1",
    }
}

/// The P-value vocoder code of a codec; Opus has none here (its code depends on the model).
pub(super) fn codec_code(codec: Codec) -> Option<&'static str> {
    match codec {
        Codec::Pcmu => Some("0"),
        Codec::Pcma => Some("8"),
        Codec::G722 => Some("9"),
        Codec::G729 => Some("18"),
        Codec::G726_32 => Some("2"),
        Codec::Ilbc => Some("98"),
        Codec::G723 => Some("4"),
        Codec::Opus => None,
    }
}

/// The three "Send DTMF" switches: in audio, via RTP (RFC 2833), via SIP INFO.
pub(super) fn dtmf_switches(mode: DtmfMode) -> [bool; 3] {
    match mode {
        DtmfMode::Inband => [true, false, false],
        DtmfMode::Rfc2833 => [false, true, false],
        DtmfMode::SipInfo => [false, false, true],
    }
}

/// SRTP mode as (P-value code, item-name alias).
pub(super) fn srtp(mode: SrtpMode) -> (&'static str, &'static str) {
    match mode {
        SrtpMode::Disabled => ("0", "Disabled"),
        SrtpMode::Optional => ("1", "EnabledButNotForced"),
        SrtpMode::Required => ("2", "EnabledAndForced"),
    }
}

/// Splits a server URL into the protocol (as `codes` spells the scheme, compared in any case)
/// and the server path Grandstream writes without a scheme (`host[:port]/path`). A URL
/// without a scheme (no `://` before the first `/`, `?` or `#`) is the path as it is, with no
/// protocol. An unknown scheme is [`RenderError::InvalidUrl`] echoing only the scheme.
pub(super) fn split_url<'u>(
    url: &'u str,
    codes: &[(&str, &'static str)],
) -> Result<(Option<&'static str>, &'u str), RenderError> {
    let Some((scheme, rest)) = split_scheme(url) else {
        return Ok((None, url));
    };
    Ok((Some(scheme_code(scheme, codes)?), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> Result<String, RenderError> {
        custom_timezone(&Zone::find(name).expect("known zone"))
    }

    #[test]
    fn timezones_become_plain_posix_rules() {
        for (zone, expected) in [
            ("Europe/Berlin", "CET-1CEST-2,M3.5.0/2,M10.5.0/3"),
            ("America/New_York", "EST5EDT4,M3.2.0/2,M11.1.0/2"),
            ("Asia/Kolkata", "IST-5:30"),
            ("Asia/Kathmandu", "STD-5:45"),
            ("Australia/Lord_Howe", "STD-10:30DST-11,M10.1.0/2,M4.1.0/2"),
            ("UTC", "UTC0"),
            ("America/St_Johns", "NST3:30NDT2:30,M3.2.0/2,M11.1.0/2"),
            ("Pacific/Kiritimati", "STD-14"),
            ("America/Santiago", "STD4DST3,M9.1.6/24,M4.1.6/24"),
        ] {
            assert_eq!(tz(zone).as_deref(), Ok(expected), "{zone}");
        }
    }

    #[test]
    fn extended_transition_times_are_refused() {
        // Israel changes at 26:00 on a Thursday, Nuuk at -1:00: no plain POSIX rule says so.
        for zone in ["Asia/Jerusalem", "America/Nuuk"] {
            assert_eq!(
                tz(zone),
                Err(RenderError::UnsupportedValue {
                    field: "timezone".into()
                }),
                "{zone}"
            );
        }
    }

    #[test]
    fn every_known_zone_maps_or_is_refused_as_timezone() {
        for name in crate::timezone::names() {
            match tz(name) {
                Ok(rule) => {
                    assert!(rule.len() <= TIMEZONE_MAX_LEN, "{name}: {rule}");
                    assert!(PosixTz::parse(&rule).is_some(), "{name}: {rule}");
                    assert!(rule.bytes().all(|b| b.is_ascii_alphanumeric() || b",.:/-".contains(&b)));
                }
                Err(e) => assert_eq!(
                    e,
                    RenderError::UnsupportedValue {
                        field: "timezone".into()
                    }
                ),
            }
        }
    }

    #[test]
    fn rules_keep_the_offsets_and_transitions() {
        for name in crate::timezone::names() {
            let zone = Zone::find(name).expect("listed");
            if let Ok(rule) = custom_timezone(&zone) {
                let ours = PosixTz::parse(&rule).expect("parses");
                let theirs = zone.rule();
                assert_eq!(ours.std_offset_secs, theirs.std_offset_secs, "{name}");
                let strip = |d: Option<DstRule>| d.map(|d| (d.offset_secs, d.start, d.end));
                assert_eq!(strip(ours.dst), strip(theirs.dst.clone()), "{name}");
            }
        }
    }

    #[test]
    fn languages() {
        for (iso, gs) in [("en", "en"), ("DE", "de"), ("cs", "cz"), ("sv", "se"), ("zh", "zh")] {
            assert_eq!(language(iso), Ok(gs), "{iso}");
        }
        for iso in ["xx", "da", "", "eng"] {
            assert_eq!(
                language(iso),
                Err(RenderError::UnsupportedValue {
                    field: "language".into()
                }),
                "{iso}"
            );
        }
    }

    #[test]
    fn syslog_levels_send_at_least_what_was_asked() {
        let levels: Vec<_> = (0..=7)
            .map(|s| SyslogLevel::from_severity(s).map(SyslogLevel::code))
            .collect();
        let expected = ["4", "4", "4", "4", "3", "2", "2", "1"].map(Ok);
        assert_eq!(levels, expected);
        assert_eq!(SyslogLevel::Warning.alias(), "Warning");
        assert!(SyslogLevel::from_severity(8).is_err());
        assert_eq!(check_syslog_port(Some(514)), Ok(()));
        assert_eq!(
            check_syslog_port(Some(1514)),
            Err(RenderError::UnsupportedValue {
                field: "syslog port".into()
            })
        );
    }

    #[test]
    fn expiry_and_intervals() {
        assert_eq!(expires_minutes(3600, 1), Ok(60));
        assert_eq!(expires_minutes(60, 1), Ok(1));
        for secs in [0, 30, 90, 64_801 * 60] {
            assert_eq!(
                expires_minutes(secs, 2),
                Err(RenderError::UnsupportedValue {
                    field: "account 2 register expires".into()
                }),
                "{secs}"
            );
        }
        assert_eq!(resync_minutes(60, 60..=86_400), Ok(60));
        assert!(resync_minutes(59, 60..=86_400).is_err());
        assert!(check_vlan(Some(4095), None).is_err());
        assert!(check_vlan(Some(1), Some(8)).is_err());
        assert_eq!(check_vlan(Some(4094), Some(7)), Ok(()));
    }

    #[test]
    fn codec_slots_repeat_the_last_codec() {
        assert_eq!(codec_slots(&[], 1), Ok(None));
        let slots = codec_slots(&[Codec::G722, Codec::Pcma], 1)
            .expect("fits")
            .expect("some");
        assert_eq!(slots[..3], [Codec::G722, Codec::Pcma, Codec::Pcma]);
        assert!(slots[2..].iter().all(|c| *c == Codec::Pcma));
        assert_eq!(
            codec_slots(&[Codec::Pcmu; 9], 3),
            Err(RenderError::UnsupportedValue {
                field: "account 3 codecs".into()
            })
        );
        for codec in Codec::ALL {
            assert!(!codec_alias(*codec).is_empty());
            assert_eq!(codec_code(*codec).is_none(), *codec == Codec::Opus);
        }
    }
}
