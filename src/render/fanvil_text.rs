//! The Fanvil `<<VOIP CONFIG FILE>>` text dialect: section and key names of the phones' own
//! exports (EXP, an X3U on firmware 2.x; CF §2.4 "Text"), for models the capability table does
//! not know.
//!
//! Syntax (CF §2.4, SEED §5, EXP): the first line is `<<VOIP CONFIG FILE>>Version:2.0000000000`
//! padded with spaces to 62 characters, so that it is 64 bytes with its CRLF as in the exports
//! (CF §6 item 4: VERIFY-HW). Then sections (`<SIP CONFIG MODULE>`), each after an empty line,
//! holding `Name<spaces>:value` lines with the name padded to column 24 (a longer name is
//! followed directly by `:`). Lines like `--SIP Line List--  :` are the sub-list markers of the
//! exports and are written the same way, before their group. The file ends with an empty line
//! and `<<END OF FILE>>`; every line ends in CRLF.
//!
//! The format has no quoting or escaping: a value runs from the first `:` to the end of its
//! line. A value with a line break or any other control character is refused
//! ([`RenderError::ControlCharacter`], naming the field, never echoing the value); override
//! names are limited to ASCII letters, digits, space, `_`, `-` and `.` (no `:`). Everything
//! else, `:` and non-ASCII text in values included, is written verbatim as UTF-8.
//!
//! Sections and names (EXP unless noted), in file order:
//! - `<SIP CONFIG MODULE>`, `--SIP Line List--`: `SIPn Phone Number`, `Display Name`,
//!   `Register Addr`, `Register Port`, `Register User`, `Register Pswd`, `Register TTL`,
//!   `Backup Addr`, `Backup Port`, `Backup Transport`, `Enable Reg`, `Proxy Addr`,
//!   `Proxy Port`, `Media Crypto`, `DTMF Mode`, `Subscribe`, `Transport`, `MWI Num`,
//!   `VoiceCodecMap` \[H\] (the names agree with WZ `base.tpl`'s element names).
//! - `<PHONE FEATURE MODULE>`: `Menu Password`; `--Display Input--`: `Default Language`;
//!   `--DateTime Config--`: `Enable SNTP`, `SNTP Server`, `Second SNTP Server`, `Time Zone`,
//!   `Time Zone Name`, `DST Type` (0 off, 2 manual: by analogy with WZ `EnableDST 2` \[L\]),
//!   `DST Rule Mode` (0, as EXP writes with a week rule \[L\]), `DST Min Offset`,
//!   `DST Start Mon|Week|Wday|Hour`, `DST End …` \[M\]. There are no DST minute keys: a
//!   change at a minute other than :00 is [`RenderError::UnsupportedValue`].
//! - `<DSSKEY CONFIG MODULE>`: `--Sidekey Config1--` (line keys) and `--SoftDss Config--`
//!   (programmable keys), each with `FkeyN Type`, `FkeyN Value`, `FkeyN Title` \[M\].
//! - `<MMI CONFIG MODULE>`, `--MMI Account--`: `Account1 Name|Password|Level` (admin, 10),
//!   `Account2 …` (guest, 5) \[M\].
//! - `<LOG CONFIG MODULE>`: `Output Device` (`stdout,syslog` \[L\]), `Syslog Server`,
//!   `Syslog Server Port`, `Level` \[M\].
//! - `<AUTOUPDATE CONFIG MODULE>`: `Default Username`, `Default Password`, `Flash Server IP`,
//!   `Flash Protocol`, `Flash Mode`, `Flash Interval`, `Auto Image URL` (SEED §5.1.1),
//!   `--Sip Pnp List--`: `PNP Enable` \[M\].
//! - `<QOS CONFIG MODULE>`: `Enable VLAN`, `VLAN ID`, `Signalling Priority`,
//!   `Voice Priority` \[M\].
//!
//! Within a section the lines outside a sub-list come first, then each sub-list after its
//! marker.
//!
//! Overrides: an override whose name equals a written line's name replaces that line's value
//! in place (the first such line: `FkeyN` names repeat in the two key lists). Any other override
//! is appended, in the given order: a per-line name (`SIP<digits> …`) at the end of
//! `<SIP CONFIG MODULE>`, every other name at the end of `<AUTOUPDATE CONFIG MODULE>`; either
//! section is created if it would otherwise be absent.

use super::super::RenderError;
use super::super::values::{breaks_line, check_line_value, check_override_key};
use super::{DstPart, Global, Item, KeyGroup, KeyPart, LineItem, Origin, Setting, WebPart, WebUser};
use crate::digits::{MAX_DIGITS, decimal, push_decimal};

/// First line of every file (CF §2.4 "Text"; EXP) \[M\].
const HEADER: &str = "<<VOIP CONFIG FILE>>Version:2.0000000000";
/// The header line is padded with spaces to this many characters: 62 + CRLF = 64 bytes, as in
/// the phone's exports (EXP; CF §2.4) \[M\], VERIFY-HW (CF §6 item 4).
const HEADER_WIDTH: usize = 62;
/// Last line of every file (CF §2.4; SEED-era and EXP files) \[H\].
const FOOTER: &str = "<<END OF FILE>>";
/// Names are padded with spaces to this column; the `:` follows (EXP pads line keys to 24).
const NAME_WIDTH: usize = 24;
/// Line end (CF §2.4 "CRLF line ends"; EXP).
const EOL: &str = "\r\n";

/// The sections this dialect writes, in file order (EXP's order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Sip,
    PhoneFeature,
    Dsskey,
    Mmi,
    Log,
    AutoUpdate,
    Qos,
}

impl Section {
    const ALL: [Section; 7] = [
        Section::Sip,
        Section::PhoneFeature,
        Section::Dsskey,
        Section::Mmi,
        Section::Log,
        Section::AutoUpdate,
        Section::Qos,
    ];

    /// The place of the section in [`Section::ALL`] (the order of the variants).
    fn position(self) -> usize {
        self as usize
    }

    fn header(self) -> &'static str {
        match self {
            Section::Sip => "<SIP CONFIG MODULE>",
            Section::PhoneFeature => "<PHONE FEATURE MODULE>",
            Section::Dsskey => "<DSSKEY CONFIG MODULE>",
            Section::Mmi => "<MMI CONFIG MODULE>",
            Section::Log => "<LOG CONFIG MODULE>",
            Section::AutoUpdate => "<AUTOUPDATE CONFIG MODULE>",
            Section::Qos => "<QOS CONFIG MODULE>",
        }
    }
}

/// Sub-list markers (EXP).
const MARK_SIP_LINES: &str = "--SIP Line List--";
const MARK_DISPLAY: &str = "--Display Input--";
const MARK_DATETIME: &str = "--DateTime Config--";
const MARK_SIDE_KEYS: &str = "--Sidekey Config1--";
const MARK_SOFT_KEYS: &str = "--SoftDss Config--";
const MARK_MMI_ACCOUNT: &str = "--MMI Account--";
const MARK_PNP: &str = "--Sip Pnp List--";
/// How many sub-lists a file can have: one per marker above.
const MAX_SUB_LISTS: usize = 7;
/// The `group` of an override appended after the written lines: after every sub-list.
const APPENDED: usize = usize::MAX;

/// Where a setting goes: section, sub-list marker and name.
struct Place {
    section: Section,
    marker: Option<&'static str>,
    name: Name<'static>,
}

fn at(section: Section, marker: Option<&'static str>, name: &'static str) -> Option<Place> {
    Some(Place {
        section,
        marker,
        name: Name::Plain(name),
    })
}

/// A line name, put together only when written or compared: `SIP1 Phone Number` is
/// `Numbered("SIP", 1, "Phone Number")`.
#[derive(Clone, Copy)]
enum Name<'x> {
    Plain(&'x str),
    Numbered(&'static str, usize, &'static str),
}

impl Name<'_> {
    /// Appends the name to `out`, padded with spaces to `width` characters.
    fn push_padded(self, out: &mut String, width: usize) {
        let chars = self.push_to(out);
        if let Some(missing) = width.checked_sub(chars) {
            const SPACES: &str = "                                                                ";
            match SPACES.get(..missing) {
                Some(spaces) => out.push_str(spaces),
                None => (0..missing).for_each(|_| out.push(' ')),
            }
        }
    }

    /// Appends the name to `out` and returns how many characters it has.
    #[inline(always)]
    fn push_to(self, out: &mut String) -> usize {
        match self {
            Name::Plain(name) => {
                out.push_str(name);
                if name.is_ascii() {
                    name.len()
                } else {
                    name.chars().count()
                }
            }
            Name::Numbered(prefix, n, suffix) => {
                let start = out.len();
                out.push_str(prefix);
                push_decimal(out, n as u64);
                out.push(' ');
                out.push_str(suffix);
                out.len() - start
            }
        }
    }

    /// Whether the name is `key`.
    fn is(self, key: &str) -> bool {
        match self {
            Name::Plain(name) => name == key,
            Name::Numbered(prefix, n, suffix) => key
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .and_then(|rest| rest.strip_suffix(' '))
                .is_some_and(|digits| {
                    let mut buf = [0; MAX_DIGITS];
                    digits == decimal(n as u64, &mut buf)
                }),
        }
    }
}

/// The text name of a setting, or `None` when the dialect has no key for it.
fn place(setting: &Setting<'_>) -> Option<Place> {
    use Section::*;
    let n = setting.index;
    match setting.item {
        Item::Line(item) => {
            let suffix = match item {
                LineItem::PhoneNumber => "Phone Number",
                LineItem::DisplayName => "Display Name",
                LineItem::RegisterAddr => "Register Addr",
                LineItem::RegisterPort => "Register Port",
                LineItem::RegisterUser => "Register User",
                LineItem::RegisterPswd => "Register Pswd",
                LineItem::RegisterTtl => "Register TTL",
                LineItem::BackupAddr => "Backup Addr",
                LineItem::BackupPort => "Backup Port",
                LineItem::BackupTransport => "Backup Transport",
                LineItem::EnableReg => "Enable Reg",
                LineItem::ProxyAddr => "Proxy Addr",
                LineItem::ProxyPort => "Proxy Port",
                LineItem::MediaCrypto => "Media Crypto",
                LineItem::DtmfMode => "DTMF Mode",
                LineItem::Subscribe => "Subscribe",
                LineItem::Transport => "Transport",
                LineItem::MwiNum => "MWI Num",
                LineItem::VoiceCodecs => "VoiceCodecMap",
            };
            Some(Place {
                section: Sip,
                marker: Some(MARK_SIP_LINES),
                name: Name::Numbered("SIP", n, suffix),
            })
        }
        Item::Key(group, part) => {
            let marker = match group {
                KeyGroup::Side => MARK_SIDE_KEYS,
                KeyGroup::Soft => MARK_SOFT_KEYS,
            };
            let part = match part {
                KeyPart::Type => "Type",
                KeyPart::Value => "Value",
                KeyPart::Title => "Title",
            };
            Some(Place {
                section: Dsskey,
                marker: Some(marker),
                name: Name::Numbered("Fkey", n, part),
            })
        }
        Item::Global(global) => {
            let date = Some(MARK_DATETIME);
            match global {
                Global::EnableSntp => at(PhoneFeature, date, "Enable SNTP"),
                Global::SntpServer => at(PhoneFeature, date, "SNTP Server"),
                Global::SecondSntpServer => at(PhoneFeature, date, "Second SNTP Server"),
                Global::TimeZone => at(PhoneFeature, date, "Time Zone"),
                Global::TimeZoneName => at(PhoneFeature, date, "Time Zone Name"),
                Global::DstEnable => at(PhoneFeature, date, "DST Type"),
                Global::DstRuleMode => at(PhoneFeature, date, "DST Rule Mode"),
                Global::DstMinOffset => at(PhoneFeature, date, "DST Min Offset"),
                Global::DstStart(part) => dst_name(part, true).and_then(|name| at(PhoneFeature, date, name)),
                Global::DstEnd(part) => dst_name(part, false).and_then(|name| at(PhoneFeature, date, name)),
                Global::Language => at(PhoneFeature, Some(MARK_DISPLAY), "Default Language"),
                Global::MenuPassword => at(PhoneFeature, None, "Menu Password"),
                Global::Web(user, part) => {
                    let part = match part {
                        WebPart::Name => "Name",
                        WebPart::Password => "Password",
                        WebPart::Level => "Level",
                    };
                    let index = WebUser::index(user);
                    Some(Place {
                        section: Mmi,
                        marker: Some(MARK_MMI_ACCOUNT),
                        name: Name::Numbered("Account", index, part),
                    })
                }
                Global::SyslogEnable => at(Log, None, "Output Device"),
                Global::SyslogServer => at(Log, None, "Syslog Server"),
                Global::SyslogPort => at(Log, None, "Syslog Server Port"),
                Global::SyslogLevel => at(Log, None, "Level"),
                Global::ProvUser => at(AutoUpdate, None, "Default Username"),
                Global::ProvPassword => at(AutoUpdate, None, "Default Password"),
                Global::ProvServer => at(AutoUpdate, None, "Flash Server IP"),
                Global::ProvProtocol => at(AutoUpdate, None, "Flash Protocol"),
                Global::ProvMode => at(AutoUpdate, None, "Flash Mode"),
                Global::ProvInterval => at(AutoUpdate, None, "Flash Interval"),
                Global::FirmwareUrl => at(AutoUpdate, None, "Auto Image URL"),
                Global::PnpEnable => at(AutoUpdate, Some(MARK_PNP), "PNP Enable"),
                Global::VlanEnable => at(Qos, None, "Enable VLAN"),
                Global::VlanId => at(Qos, None, "VLAN ID"),
                Global::SignallingPriority => at(Qos, None, "Signalling Priority"),
                Global::VoicePriority => at(Qos, None, "Voice Priority"),
            }
        }
    }
}

fn dst_name(part: DstPart, start: bool) -> Option<&'static str> {
    Some(match (part, start) {
        (DstPart::Mon, true) => "DST Start Mon",
        (DstPart::Week, true) => "DST Start Week",
        (DstPart::Wday, true) => "DST Start Wday",
        (DstPart::Hour, true) => "DST Start Hour",
        (DstPart::Mon, false) => "DST End Mon",
        (DstPart::Week, false) => "DST End Week",
        (DstPart::Wday, false) => "DST End Wday",
        (DstPart::Hour, false) => "DST End Hour",
        (DstPart::Min, _) => return None,
    })
}

/// One `Name :value` line to write.
#[derive(Clone, Copy)]
struct Line<'x> {
    section: Section,
    marker: Option<&'static str>,
    /// 0 outside a sub-list, else 1 + the place of `marker` in first-appearance order.
    group: usize,
    name: Name<'x>,
    value: &'x str,
    origin: Origin<'x, 'x>,
}

/// Lays `settings` out as a text file, applies `overrides` and writes it.
pub(super) fn write<'x>(
    settings: &'x [Setting<'x>],
    overrides: &'x [(String, String)],
) -> Result<Vec<u8>, RenderError> {
    let mut lines = Vec::with_capacity(settings.len() + overrides.len());
    // The sub-list markers met so far, in first-appearance order (`markers[..groups]`).
    let mut markers = [""; MAX_SUB_LISTS];
    let mut groups = 0;
    for setting in settings {
        match place(setting) {
            Some(place) => {
                let group = match place.marker {
                    None => 0,
                    Some(marker) => match markers[..groups]
                        .iter()
                        .position(|&known| std::ptr::eq(known, marker) || known == marker)
                    {
                        Some(at) => at + 1,
                        None => {
                            markers[groups] = marker;
                            groups += 1;
                            groups
                        }
                    },
                };
                lines.push(Line {
                    section: place.section,
                    marker: place.marker,
                    group,
                    name: place.name,
                    value: setting.value.as_ref(),
                    origin: Origin::Setting(&setting.name),
                });
            }
            None if setting.item.is_auxiliary() => {}
            None => return Err(setting.unsupported()),
        }
    }
    // Lines outside a sub-list come first, then each sub-list in first-appearance order: the
    // lines stay in setting order, and `group` orders them when they are checked and written.
    apply_overrides(&mut lines, overrides)?;
    render_lines(&lines, groups)
}

/// Checks each override name, then replaces the value of a line with the same name in place,
/// else appends it (per-line names to the SIP section, others to the AUTOUPDATE section). A
/// name with a control character is [`RenderError::ControlCharacter`] for `override N key`;
/// any other name [`is_valid_name`] refuses is [`RenderError::InvalidKey`].
fn apply_overrides<'x>(lines: &mut Vec<Line<'x>>, overrides: &'x [(String, String)]) -> Result<(), RenderError> {
    for (i, (key, value)) in overrides.iter().enumerate() {
        check_override_key(i, key, breaks_line, is_valid_name)?;
        // The first match in group order (`min_by_key` keeps the first of equal groups).
        match lines
            .iter_mut()
            .filter(|line| line.name.is(key))
            .min_by_key(|line| line.group)
        {
            Some(slot) => {
                slot.value = value;
                slot.origin = Origin::Override(key);
            }
            None => lines.push(Line {
                section: override_section(key),
                marker: None,
                group: APPENDED,
                name: Name::Plain(key),
                value,
                origin: Origin::Override(key),
            }),
        }
    }
    Ok(())
}

/// Where an appended override goes: `SIP<digits> …` (a per-line name) to `<SIP CONFIG MODULE>`,
/// anything else to `<AUTOUPDATE CONFIG MODULE>`.
fn override_section(name: &str) -> Section {
    let per_line = name.strip_prefix("SIP").is_some_and(|rest| {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && rest.as_bytes().get(digits) == Some(&b' ')
    });
    if per_line { Section::Sip } else { Section::AutoUpdate }
}

/// A Fanvil line name: ASCII letters, digits, space, `_`, `-` and `.`, not empty and without
/// leading or trailing spaces (trailing ones would vanish into the padding). This excludes `:`
/// (the name/value separator) and `<` (section headers and the end marker).
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-' | b'.'))
}

/// Refuses values that would break a line (the first in group order), else writes the padded
/// header, each non-empty section after an empty line (with a marker line before each
/// sub-list), and the end marker, all with CRLF line ends. `groups` is the number of sub-lists.
fn render_lines(lines: &[Line<'_>], groups: usize) -> Result<Vec<u8>, RenderError> {
    let mut out = String::with_capacity(HEADER_WIDTH + 256 + lines.len() * (NAME_WIDTH + 32));
    Name::Plain(HEADER).push_padded(&mut out, HEADER_WIDTH);
    out.push_str(EOL);
    let mut section = None;
    let mut current = 0;
    for index in file_order(lines, groups) {
        let line = &lines[index];
        if let Err(refused) = check_line_value(line.value, line.origin) {
            // Lines are written in file order, but the first refused value in group order is
            // the one reported (it may be another line's).
            check_in_group_order(lines, groups)?;
            return Err(refused);
        }
        if section != Some(line.section) {
            section = Some(line.section);
            current = 0;
            out.push_str(EOL);
            out.push_str(line.section.header());
            out.push_str(EOL);
        }
        if let Some(marker) = line.marker
            && line.group != current
        {
            write_line(&mut out, Name::Plain(marker), "");
        }
        current = line.group;
        let start = out.len();
        write_line(&mut out, line.name, line.value);
        // The written name, up to its padding and the colon (checked without allocating,
        // so debug builds count the same allocations as release builds).
        debug_assert!(
            is_valid_name(out[start..].split(':').next().unwrap_or("").trim_end()),
            "generated names are valid"
        );
    }
    out.push_str(EOL);
    out.push_str(FOOTER);
    out.push_str(EOL);
    Ok(out.into_bytes())
}

/// Refuses the first value (in group order: lines outside a sub-list, each sub-list, appended
/// overrides) that would break a line.
fn check_in_group_order(lines: &[Line<'_>], groups: usize) -> Result<(), RenderError> {
    for group in (0..=groups).chain([APPENDED]) {
        for line in lines.iter().filter(|line| line.group == group) {
            check_line_value(line.value, line.origin)?;
        }
    }
    Ok(())
}

/// The indexes of `lines` in file order: by section (in [`Section::ALL`] order), within a
/// section the lines outside a sub-list, then each sub-list, then appended overrides, each in
/// line order (a stable counting sort on section and group; `groups` sub-lists).
fn file_order(lines: &[Line<'_>], groups: usize) -> Vec<usize> {
    const BUCKETS: usize = Section::ALL.len() * (MAX_SUB_LISTS + 2);
    assert!(groups <= MAX_SUB_LISTS, "one sub-list per marker");
    // Group 0, the sub-lists 1..=groups, then appended overrides.
    let ranks = groups + 2;
    let bucket = |line: &Line<'_>| line.section.position() * ranks + line.group.min(groups + 1);
    // `starts[b]` counts the lines before bucket `b`, then is where its next line goes; only
    // the buckets of `ranks` are used.
    let mut starts = [0; BUCKETS + 1];
    let used = Section::ALL.len() * ranks + 1;
    for line in lines {
        starts[bucket(line) + 1] += 1;
    }
    for b in 1..used {
        starts[b] += starts[b - 1];
    }
    // Filled rather than zero-allocated: `calloc` costs more than the fill at these sizes.
    let mut order: Vec<usize> = std::iter::repeat_n(0, lines.len()).collect();
    for (index, line) in lines.iter().enumerate() {
        let slot = &mut starts[bucket(line)];
        order[*slot] = index;
        *slot += 1;
    }
    order
}

/// Writes `name` padded to the name column, `:`, `value` and the line end.
#[inline(always)]
fn write_line(out: &mut String, name: Name<'_>, value: &str) {
    /// Spaces up to the name column, then the colon: the padding and the `:` in one copy.
    const COLUMN: &str = "                        :";
    const _: () = assert!(COLUMN.len() == NAME_WIDTH + 1);
    let chars = name.push_to(out);
    out.push_str(&COLUMN[chars.min(NAME_WIDTH)..]);
    out.push_str(value);
    out.push_str(EOL);
}

#[cfg(test)]
pub(super) mod tests {
    //! Text-dialect helpers for the Fanvil tests: a parser that checks the frame.

    use super::*;

    /// The padded first line, with its CRLF: 64 bytes.
    pub(in super::super) const HEADER_LINE: &str = "<<VOIP CONFIG FILE>>Version:2.0000000000                      \r\n";

    /// A parsed file: `(section header, name, value)` per `Name :value` line (markers
    /// included), in order.
    pub(in super::super) type Parsed = Vec<(String, String, String)>;

    /// Parses a rendered file back, checking the frame on the way: CRLF-only line ends, the
    /// padded 64-byte header, an empty line before each section header and before the end
    /// marker, the `:` at column 24 for every name shorter than that, and valid names.
    pub(in super::super) fn parse(content: &[u8]) -> Parsed {
        let text = std::str::from_utf8(content).expect("utf-8");
        assert!(text.starts_with(HEADER_LINE), "{text:?}");
        let body = text.strip_suffix("\r\n").expect("ends with CRLF");
        assert!(!body.replace("\r\n", "").contains(['\r', '\n']), "{text:?}");
        let all: Vec<&str> = body.split("\r\n").collect();
        assert_eq!(all[all.len() - 2..], ["", FOOTER]);
        let mut section = String::new();
        let mut parsed = Vec::new();
        let mut previous = all[0];
        for &line in &all[1..all.len() - 2] {
            if line.starts_with('<') {
                assert_eq!(previous, "", "empty line before {line}");
                assert!(line.ends_with(" MODULE>"), "{line:?}");
                section = line.to_owned();
            } else if !line.is_empty() {
                assert!(!section.is_empty(), "line outside a section: {line:?}");
                let (padded, value) = line.split_once(':').expect("Name :value");
                let name = padded.trim_end_matches(' ');
                assert!(is_valid_name(name), "{line:?}");
                assert_eq!(padded.len(), name.len().max(NAME_WIDTH), "{line:?}");
                parsed.push((section.clone(), name.to_owned(), value.to_owned()));
            }
            previous = line;
        }
        parsed
    }

    #[test]
    fn names_and_sections() {
        assert!(is_valid_name("SIP1 Register Addr") && is_valid_name("Block_x-1.0"));
        for bad in ["", " a", "a ", "a:b", "<x>", "ä", "a/b", "#x", "a=b"] {
            assert!(!is_valid_name(bad), "{bad:?}");
        }
        assert_eq!(override_section("SIP12 Phone Number"), Section::Sip);
        assert_eq!(override_section("SIP Trace Level"), Section::AutoUpdate);
        assert_eq!(override_section("SIPx 1"), Section::AutoUpdate);
        assert_eq!(HEADER_LINE.len(), 64);
    }
}
