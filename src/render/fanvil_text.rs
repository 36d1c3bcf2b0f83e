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
use crate::digits::{MAX_DIGITS, decimal};

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
const MARK_SIP_LINES: &PaddedName = &PaddedName::new("--SIP Line List--");
const MARK_DISPLAY: &PaddedName = &PaddedName::new("--Display Input--");
const MARK_DATETIME: &PaddedName = &PaddedName::new("--DateTime Config--");
const MARK_SIDE_KEYS: &PaddedName = &PaddedName::new("--Sidekey Config1--");
const MARK_SOFT_KEYS: &PaddedName = &PaddedName::new("--SoftDss Config--");
const MARK_MMI_ACCOUNT: &PaddedName = &PaddedName::new("--MMI Account--");
const MARK_PNP: &PaddedName = &PaddedName::new("--Sip Pnp List--");
/// How many sub-lists a file can have: one per marker above.
const MAX_SUB_LISTS: usize = 7;
/// The `group` of an override appended after the written lines: after every sub-list.
const APPENDED: usize = MAX_SUB_LISTS + 1;

/// Where a setting goes: section, sub-list marker and name.
struct Place {
    section: Section,
    marker: Option<&'static PaddedName>,
    name: Name<'static>,
}

fn at(section: Section, marker: Option<&'static PaddedName>, name: &'static PaddedName) -> Option<Place> {
    Some(Place {
        section,
        marker,
        name: Name::Padded(name),
    })
}

/// A line name, put together only when written or compared: `SIP1 Phone Number` is
/// `Numbered(&NumberedName::new("SIP", "Phone Number"), 1)`.
#[derive(Clone, Copy)]
enum Name<'x> {
    /// An override's name.
    Plain(&'x str),
    /// A generated name without a number.
    Padded(&'static PaddedName),
    /// A generated name with a number (line, key or web account).
    Numbered(&'static NumberedName, usize),
}

/// A generated name without a number, with the name as written: padded with spaces to the
/// name column, then the `:`.
struct PaddedName {
    name: &'static str,
    column: [u8; NAME_WIDTH + 1],
}

impl PaddedName {
    /// The name `name`; does not compile when it does not fit the name column.
    const fn new(name: &'static str) -> Self {
        let mut column = COLUMN;
        let bytes = name.as_bytes();
        assert!(bytes.len() <= NAME_WIDTH, "the name fits the name column");
        let mut at = 0;
        while at < bytes.len() {
            column[at] = bytes[at];
            at += 1;
        }
        PaddedName { name, column }
    }
}

/// The parts of a numbered name (`SIP`, then the number, a space and `Phone Number`), with
/// the name as written for a one-digit number: `SIP# Phone Number`, padded with spaces to the
/// name column, then the `:`, `#` standing for the digit.
struct NumberedName {
    prefix: &'static str,
    suffix: &'static str,
    column: [u8; NAME_WIDTH + 1],
}

impl NumberedName {
    /// The name `prefix<n> suffix`; does not compile when it would not fit the name column
    /// with a one-digit number.
    const fn new(prefix: &'static str, suffix: &'static str) -> Self {
        let mut column = COLUMN;
        let (prefix_bytes, suffix_bytes) = (prefix.as_bytes(), suffix.as_bytes());
        assert!(
            prefix_bytes.len() + 2 + suffix_bytes.len() <= NAME_WIDTH,
            "the name fits the name column with a one-digit number"
        );
        let mut at = 0;
        while at < prefix_bytes.len() {
            column[at] = prefix_bytes[at];
            at += 1;
        }
        column[prefix_bytes.len()] = b'#';
        let start = prefix_bytes.len() + 2;
        at = 0;
        while at < suffix_bytes.len() {
            column[start + at] = suffix_bytes[at];
            at += 1;
        }
        NumberedName { prefix, suffix, column }
    }
}

impl Name<'_> {
    /// Appends the name to `out` and returns how many characters it has.
    fn push_to(self, out: &mut Vec<u8>) -> usize {
        match self {
            Name::Plain(name) => {
                out.extend_from_slice(name.as_bytes());
                if name.is_ascii() {
                    name.len()
                } else {
                    name.chars().count()
                }
            }
            Name::Padded(padded) => Name::Plain(padded.name).push_to(out),
            Name::Numbered(&NumberedName { prefix, suffix, .. }, n) => {
                let start = out.len();
                let mut buf = [0; MAX_DIGITS];
                out.extend_from_slice(prefix.as_bytes());
                out.extend_from_slice(decimal(n as u64, &mut buf).as_bytes());
                out.push(b' ');
                out.extend_from_slice(suffix.as_bytes());
                out.len() - start
            }
        }
    }

    /// Whether the name is `key`.
    fn is(self, key: &str) -> bool {
        match self {
            Name::Plain(name) => name == key,
            Name::Padded(padded) => padded.name == key,
            Name::Numbered(&NumberedName { prefix, suffix, .. }, n) => key
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
#[inline(always)]
fn place(setting: &Setting<'_>) -> Option<Place> {
    use Section::*;
    let n = setting.index;
    match setting.item {
        Item::Line(item) => {
            let suffix = match item {
                LineItem::PhoneNumber => const { &NumberedName::new("SIP", "Phone Number") },
                LineItem::DisplayName => const { &NumberedName::new("SIP", "Display Name") },
                LineItem::RegisterAddr => const { &NumberedName::new("SIP", "Register Addr") },
                LineItem::RegisterPort => const { &NumberedName::new("SIP", "Register Port") },
                LineItem::RegisterUser => const { &NumberedName::new("SIP", "Register User") },
                LineItem::RegisterPswd => const { &NumberedName::new("SIP", "Register Pswd") },
                LineItem::RegisterTtl => const { &NumberedName::new("SIP", "Register TTL") },
                LineItem::BackupAddr => const { &NumberedName::new("SIP", "Backup Addr") },
                LineItem::BackupPort => const { &NumberedName::new("SIP", "Backup Port") },
                LineItem::BackupTransport => const { &NumberedName::new("SIP", "Backup Transport") },
                LineItem::EnableReg => const { &NumberedName::new("SIP", "Enable Reg") },
                LineItem::ProxyAddr => const { &NumberedName::new("SIP", "Proxy Addr") },
                LineItem::ProxyPort => const { &NumberedName::new("SIP", "Proxy Port") },
                LineItem::MediaCrypto => const { &NumberedName::new("SIP", "Media Crypto") },
                LineItem::DtmfMode => const { &NumberedName::new("SIP", "DTMF Mode") },
                LineItem::Subscribe => const { &NumberedName::new("SIP", "Subscribe") },
                LineItem::Transport => const { &NumberedName::new("SIP", "Transport") },
                LineItem::MwiNum => const { &NumberedName::new("SIP", "MWI Num") },
                LineItem::VoiceCodecs => const { &NumberedName::new("SIP", "VoiceCodecMap") },
            };
            Some(Place {
                section: Sip,
                marker: Some(MARK_SIP_LINES),
                name: Name::Numbered(suffix, n),
            })
        }
        Item::Key(group, part) => {
            let marker = match group {
                KeyGroup::Side => MARK_SIDE_KEYS,
                KeyGroup::Soft => MARK_SOFT_KEYS,
            };
            let part = match part {
                KeyPart::Type => const { &NumberedName::new("Fkey", "Type") },
                KeyPart::Value => const { &NumberedName::new("Fkey", "Value") },
                KeyPart::Title => const { &NumberedName::new("Fkey", "Title") },
            };
            Some(Place {
                section: Dsskey,
                marker: Some(marker),
                name: Name::Numbered(part, n),
            })
        }
        Item::Global(global) => {
            let date = Some(MARK_DATETIME);
            match global {
                Global::EnableSntp => at(PhoneFeature, date, const { &PaddedName::new("Enable SNTP") }),
                Global::SntpServer => at(PhoneFeature, date, const { &PaddedName::new("SNTP Server") }),
                Global::SecondSntpServer => at(PhoneFeature, date, const { &PaddedName::new("Second SNTP Server") }),
                Global::TimeZone => at(PhoneFeature, date, const { &PaddedName::new("Time Zone") }),
                Global::TimeZoneName => at(PhoneFeature, date, const { &PaddedName::new("Time Zone Name") }),
                Global::DstEnable => at(PhoneFeature, date, const { &PaddedName::new("DST Type") }),
                Global::DstRuleMode => at(PhoneFeature, date, const { &PaddedName::new("DST Rule Mode") }),
                Global::DstMinOffset => at(PhoneFeature, date, const { &PaddedName::new("DST Min Offset") }),
                Global::DstStart(part) => dst_name(part, true).and_then(|name| at(PhoneFeature, date, name)),
                Global::DstEnd(part) => dst_name(part, false).and_then(|name| at(PhoneFeature, date, name)),
                Global::Language => at(
                    PhoneFeature,
                    Some(MARK_DISPLAY),
                    const { &PaddedName::new("Default Language") },
                ),
                Global::MenuPassword => at(PhoneFeature, None, const { &PaddedName::new("Menu Password") }),
                Global::Web(user, part) => {
                    let part = match part {
                        WebPart::Name => const { &NumberedName::new("Account", "Name") },
                        WebPart::Password => const { &NumberedName::new("Account", "Password") },
                        WebPart::Level => const { &NumberedName::new("Account", "Level") },
                    };
                    let index = WebUser::index(user);
                    Some(Place {
                        section: Mmi,
                        marker: Some(MARK_MMI_ACCOUNT),
                        name: Name::Numbered(part, index),
                    })
                }
                Global::SyslogEnable => at(Log, None, const { &PaddedName::new("Output Device") }),
                Global::SyslogServer => at(Log, None, const { &PaddedName::new("Syslog Server") }),
                Global::SyslogPort => at(Log, None, const { &PaddedName::new("Syslog Server Port") }),
                Global::SyslogLevel => at(Log, None, const { &PaddedName::new("Level") }),
                Global::ProvUser => at(AutoUpdate, None, const { &PaddedName::new("Default Username") }),
                Global::ProvPassword => at(AutoUpdate, None, const { &PaddedName::new("Default Password") }),
                Global::ProvServer => at(AutoUpdate, None, const { &PaddedName::new("Flash Server IP") }),
                Global::ProvProtocol => at(AutoUpdate, None, const { &PaddedName::new("Flash Protocol") }),
                Global::ProvMode => at(AutoUpdate, None, const { &PaddedName::new("Flash Mode") }),
                Global::ProvInterval => at(AutoUpdate, None, const { &PaddedName::new("Flash Interval") }),
                Global::FirmwareUrl => at(AutoUpdate, None, const { &PaddedName::new("Auto Image URL") }),
                Global::PnpEnable => at(AutoUpdate, Some(MARK_PNP), const { &PaddedName::new("PNP Enable") }),
                Global::VlanEnable => at(Qos, None, const { &PaddedName::new("Enable VLAN") }),
                Global::VlanId => at(Qos, None, const { &PaddedName::new("VLAN ID") }),
                Global::SignallingPriority => at(Qos, None, const { &PaddedName::new("Signalling Priority") }),
                Global::VoicePriority => at(Qos, None, const { &PaddedName::new("Voice Priority") }),
            }
        }
    }
}

fn dst_name(part: DstPart, start: bool) -> Option<&'static PaddedName> {
    Some(match (part, start) {
        (DstPart::Mon, true) => const { &PaddedName::new("DST Start Mon") },
        (DstPart::Week, true) => const { &PaddedName::new("DST Start Week") },
        (DstPart::Wday, true) => const { &PaddedName::new("DST Start Wday") },
        (DstPart::Hour, true) => const { &PaddedName::new("DST Start Hour") },
        (DstPart::Mon, false) => const { &PaddedName::new("DST End Mon") },
        (DstPart::Week, false) => const { &PaddedName::new("DST End Week") },
        (DstPart::Wday, false) => const { &PaddedName::new("DST End Wday") },
        (DstPart::Hour, false) => const { &PaddedName::new("DST End Hour") },
        (DstPart::Min, _) => return None,
    })
}

/// One `Name :value` line to write when there are overrides.
#[derive(Clone, Copy)]
struct Line<'x> {
    section: Section,
    /// 0 outside a sub-list, else 1 + the place of its marker in first-appearance order
    /// ([`SubLists`]); [`APPENDED`] for an appended override.
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
    if overrides.is_empty() {
        write_settings(settings)
    } else {
        write_lines(settings, overrides)
    }
}

/// The sub-list markers met so far, in first-appearance order (`markers[..count]`).
struct SubLists {
    markers: [&'static PaddedName; MAX_SUB_LISTS],
    count: usize,
}

impl SubLists {
    /// No sub-list met yet (the unused places hold any marker).
    fn new() -> Self {
        SubLists {
            markers: [MARK_SIP_LINES; MAX_SUB_LISTS],
            count: 0,
        }
    }

    /// The marker of sub-list `group` (1 + its place); `None` for group 0 (outside a sub-list)
    /// and [`APPENDED`].
    fn marker(&self, group: usize) -> Option<&'static PaddedName> {
        let at = group.checked_sub(1)?;
        self.markers[..self.count].get(at).copied()
    }

    /// The group of a line with `marker`: 0 outside a sub-list, else 1 + the place of `marker`
    /// in first-appearance order (a marker not met before is added).
    #[inline(always)]
    fn group(&mut self, marker: Option<&'static PaddedName>) -> usize {
        let Some(marker) = marker else { return 0 };
        // Lines of a sub-list mostly come one after the other: the latest marker first.
        if self.count > 0 && std::ptr::eq(self.markers[self.count - 1], marker) {
            return self.count;
        }
        let known = &self.markers[..self.count];
        match known
            .iter()
            .position(|&m| std::ptr::eq(m, marker) || m.name == marker.name)
        {
            Some(at) => at + 1,
            None => {
                self.markers[self.count] = marker;
                self.count += 1;
                self.count
            }
        }
    }
}

/// [`write`] without overrides, the usual case: the settings' lines are sorted into file order
/// and written straight from the settings, without [`Line`]s. A refused value is left to
/// [`write_lines`], which reports the first one in group order.
fn write_settings(settings: &[Setting<'_>]) -> Result<Vec<u8>, RenderError> {
    let (lines, sub_lists) = setting_lines_in_file_order(settings)?;
    let mut file = TextFile::new(lines.len(), sub_lists);
    for line in lines {
        let setting = &settings[line.key.index()];
        let value = setting.value.as_ref();
        if check_line_value(value, setting.name).is_err() {
            return write_lines(settings, &[]);
        }
        file.line(line.key.section(), line.key.group(), line.name, value);
    }
    Ok(file.finish())
}

/// Room for the groups a line can have: 0 (outside a sub-list), one per sub-list, and
/// [`APPENDED`]; a power of two, so a key's section and group are a shift and a mask.
const GROUPS: usize = (APPENDED + 1).next_power_of_two();

/// Where a line goes, as one number that sorts in file order: by section, then group, then
/// the index of its setting or line (in the low 32 bits).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct FileOrderKey(u64);

impl FileOrderKey {
    fn new(section: Section, group: usize, index: usize) -> Self {
        let bucket = section.position() * GROUPS + group;
        let index = u32::try_from(index).expect("fewer than 2^32 settings");
        FileOrderKey((bucket as u64) << 32 | u64::from(index))
    }

    fn bucket(self) -> usize {
        (self.0 >> 32) as usize
    }

    fn section(self) -> Section {
        Section::ALL[self.bucket() / GROUPS]
    }

    /// The line's group: 0 outside a sub-list, else 1 + the sub-list's place.
    fn group(self) -> usize {
        self.bucket() % GROUPS
    }

    /// The index of the setting (or line) the key was made for.
    fn index(self) -> usize {
        (self.0 & u64::from(u32::MAX)) as usize
    }
}

/// A setting's line: its place in the file and its name.
#[derive(Clone, Copy)]
struct SettingLine {
    key: FileOrderKey,
    name: Name<'static>,
}

/// The lines of the settings that have a place, in file order (by section, within a section
/// the lines outside a sub-list, then each sub-list in first-appearance order, each in setting
/// order), and the sub-lists. An auxiliary setting without a place is skipped, any other is
/// [`RenderError::UnsupportedValue`] (the first in setting order).
fn setting_lines_in_file_order(settings: &[Setting<'_>]) -> Result<(Vec<SettingLine>, SubLists), RenderError> {
    let mut sub_lists = SubLists::new();
    let mut lines = Vec::with_capacity(settings.len());
    for (index, setting) in settings.iter().enumerate() {
        match place(setting) {
            Some(place) => insert_in_order(
                &mut lines,
                SettingLine {
                    key: FileOrderKey::new(place.section, sub_lists.group(place.marker), index),
                    name: place.name,
                },
            ),
            None if setting.item.is_auxiliary() => {}
            None => return Err(setting.unsupported()),
        }
    }
    Ok((lines, sub_lists))
}

/// Adds `line` to `lines` (sorted by key) at its place: after the lines with smaller keys.
/// Settings come nearly in file order, so this is mostly one comparison: only a few lines
/// move back (such as `Menu Password`, before the time sub-list). Keys are unique (the setting
/// index is part of them), so setting order is kept within a group.
fn insert_in_order(lines: &mut Vec<SettingLine>, line: SettingLine) {
    let mut at = lines.len();
    lines.push(line);
    while at > 0 && lines[at - 1].key > line.key {
        lines.swap(at - 1, at);
        at -= 1;
    }
}

/// [`write`] with overrides: lays `settings` out as [`Line`]s, applies `overrides` and writes
/// the lines.
fn write_lines<'x>(settings: &'x [Setting<'x>], overrides: &'x [(String, String)]) -> Result<Vec<u8>, RenderError> {
    let mut lines = Vec::with_capacity(settings.len() + overrides.len());
    let mut sub_lists = SubLists::new();
    for setting in settings {
        match place(setting) {
            Some(place) => lines.push(Line {
                section: place.section,
                group: sub_lists.group(place.marker),
                name: place.name,
                value: setting.value.as_ref(),
                origin: Origin::Setting(&setting.name),
            }),
            None if setting.item.is_auxiliary() => {}
            None => return Err(setting.unsupported()),
        }
    }
    // Lines outside a sub-list come first, then each sub-list in first-appearance order: the
    // lines stay in setting order, and `group` orders them when they are checked and written.
    apply_overrides(&mut lines, overrides)?;
    render_lines(&lines, sub_lists)
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

/// Refuses values that would break a line (the first in group order), else writes the lines
/// in file order (see [`TextFile`]); `sub_lists` are those of the lines' groups.
fn render_lines(lines: &[Line<'_>], sub_lists: SubLists) -> Result<Vec<u8>, RenderError> {
    let groups = sub_lists.count;
    let mut file = TextFile::new(lines.len(), sub_lists);
    for index in file_order(lines) {
        let line = &lines[index];
        if let Err(refused) = check_line_value(line.value, line.origin) {
            // Lines are written in file order, but the first refused value in group order is
            // the one reported (it may be another line's).
            check_in_group_order(lines, groups)?;
            return Err(refused);
        }
        file.line(line.section, line.group, line.name, line.value);
    }
    Ok(file.finish())
}

/// A text file being written, line by line in file order: the padded header, each non-empty
/// section after an empty line (with a marker line before each sub-list), and the end marker,
/// all with CRLF line ends.
struct TextFile {
    out: Vec<u8>,
    /// The section of the last line written.
    section: Option<Section>,
    /// The group of the last line written in `section`.
    group: usize,
    /// The sub-lists the groups stand for.
    sub_lists: SubLists,
}

impl TextFile {
    /// Starts a file of about `lines` lines with its header.
    fn new(lines: usize, sub_lists: SubLists) -> Self {
        let mut out = Vec::with_capacity(HEADER_WIDTH + 256 + lines * (NAME_WIDTH + 32));
        let mut header = [b' '; HEADER_WIDTH];
        header[..HEADER.len()].copy_from_slice(HEADER.as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(EOL.as_bytes());
        TextFile {
            out,
            section: None,
            group: 0,
            sub_lists,
        }
    }

    /// Writes `name :value`, after the header of `section` when it starts there and after
    /// the marker of sub-list `group` when it starts there.
    #[inline(always)]
    fn line(&mut self, section: Section, group: usize, name: Name<'_>, value: &str) {
        if self.section != Some(section) {
            self.section = Some(section);
            self.group = 0;
            self.out.extend_from_slice(EOL.as_bytes());
            self.out.extend_from_slice(section.header().as_bytes());
            self.out.extend_from_slice(EOL.as_bytes());
        }
        if group != self.group
            && let Some(marker) = self.sub_lists.marker(group)
        {
            write_line(&mut self.out, Name::Padded(marker), "");
        }
        self.group = group;
        let start = self.out.len();
        write_line(&mut self.out, name, value);
        // The written name, up to its padding and the colon (checked without allocating,
        // so debug builds count the same allocations as release builds).
        debug_assert!(
            std::str::from_utf8(&self.out[start..])
                .is_ok_and(|line| is_valid_name(line.split(':').next().unwrap_or("").trim_end())),
            "generated names are valid"
        );
    }

    /// Writes the end marker and returns the file.
    fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(EOL.as_bytes());
        self.out.extend_from_slice(FOOTER.as_bytes());
        self.out.extend_from_slice(EOL.as_bytes());
        self.out
    }
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
/// line order.
fn file_order(lines: &[Line<'_>]) -> impl Iterator<Item = usize> {
    let mut keys: Vec<FileOrderKey> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| FileOrderKey::new(line.section, line.group, index))
        .collect();
    // Keys are unique (the index is part of them): no stability needed.
    keys.sort_unstable();
    keys.into_iter().map(FileOrderKey::index)
}

/// Spaces up to the name column, then the colon: the padding and the `:` of a name.
const COLUMN: [u8; NAME_WIDTH + 1] = *b"                        :";

/// Writes `name` padded to the name column, `:`, `value` and the line end. A generated name
/// (with a one-digit number) is copied already padded, in one go.
#[inline(always)]
fn write_line(out: &mut Vec<u8>, name: Name<'_>, value: &str) {
    match name {
        Name::Padded(padded) => out.extend_from_slice(&padded.column),
        Name::Numbered(numbered, n) if n < 10 => {
            let digit_at = out.len() + numbered.prefix.len();
            out.extend_from_slice(&numbered.column);
            out[digit_at] = b'0' + n as u8;
        }
        _ => {
            let chars = name.push_to(out);
            out.extend_from_slice(&COLUMN[chars.min(NAME_WIDTH)..]);
        }
    }
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(EOL.as_bytes());
}

#[cfg(test)]
pub(super) mod tests {
    //! Text-dialect helpers for the Fanvil tests: a parser that checks the frame.

    use super::*;

    /// The padded first line, with its CRLF: 64 bytes.
    pub(in super::super) const HEADER_LINE: &str = "<<VOIP CONFIG FILE>>Version:2.0000000000                      \r\n";

    /// The file `settings` make without overrides, written by the path without [`Line`]s and
    /// by the general path: the two must agree.
    pub(in super::super) fn both_paths(settings: &[Setting<'_>]) -> [Result<Vec<u8>, RenderError>; 2] {
        [write_settings(settings), write_lines(settings, &[])]
    }

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
