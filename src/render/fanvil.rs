//! Fanvil text provisioning (`<mac>.cfg`, the `<<VOIP CONFIG FILE>>` dialect), for accounts 1–6.
//!
//! Sources, cited by tag on every key below:
//! - **SEED**: the Fanvil C-series "Auto-Provision Specification" (seeds/004): §2.3 "Phone Flash"
//!   (server address, protocol TFTP/FTP/HTTP/HTTPS, file name), §3.2 MAC file name, §4.3 PnP,
//!   §5.1.2 protocol codes (1 FTP, 2 TFTP, 4 HTTP), and the `<AUTOUPDATE CONFIG MODULE>` syntax.
//! - **CF**: research `config-formats.md` §2.4 (Fanvil: text dialect, field map, globals, PnP off)
//!   and §6 (escaping, PnP stop keys, VERIFY-HW list).
//! - **WZ**: wazo-provd-plugins `wazo_fanvil` (cited in CF): `base.tpl` (the `VOIP_CONFIG_FILE` XML
//!   form, whose element names are the text names with `_` for spaces), `base-new.tpl` (sysConf),
//!   `common.py` (`_SIP_TRANSPORT`).
//! - **EXP**: phone exports of firmware that writes `Version:2.0000000000`, as quoted in public
//!   code (the "public code found by string search" of CF §2.4).
//!
//! Confidence tags as in CF: \[H\], \[M\], \[L\]; **VERIFY-HW** = needs a real phone.
//!
//! Syntax (CF §2.4 "Text", SEED §5): the first line is `<<VOIP CONFIG FILE>>Version:2.0000000000`,
//! padded with spaces to 62 characters so that the line with its CRLF is 64 bytes, as the phone's
//! own exports are (EXP; CF §6 item 4: VERIFY-HW). Then sections (`<SIP CONFIG MODULE>`), each
//! preceded by an empty line, holding `Name<spaces>:value` lines with the name padded to column 24
//! (EXP pads line keys to 24; a longer name is followed directly by `:`). The file ends with an
//! empty line and `<<END OF FILE>>`; every line ends in CRLF. Lines like `--SIP Line List--  :`
//! are the sub-list markers of the exports (EXP) and are written the same way.
//!
//! The format has no quoting or escaping: a value runs from the first `:` to the end of its line.
//! So a value with a line break or any other control character is refused
//! ([`RenderError::ControlCharacter`], naming the field, never echoing the value), and override
//! names are limited to ASCII letters, digits, space, `_`, `-` and `.` (no `:`). Everything else,
//! including `:` and non-ASCII text in values, is written verbatim as UTF-8.
//!
//! Sections, in order, each written only when it has lines:
//! - `<GLOBAL CONFIG MODULE>`: NTP and time zone (WZ `GLOBAL_CONFIG_MODULE` \[M\]; EXP of newer
//!   firmware lists them under `<PHONE FEATURE MODULE>` instead: VERIFY-HW).
//! - `<MMI CONFIG MODULE>`: the web admin account (WZ `MMI_Account_Entry`; EXP) \[M\].
//! - `<SIP CONFIG MODULE>`: accounts 1–6 (CF §2.4 field map, text column) \[H\].
//! - `<AUTOUPDATE CONFIG MODULE>`: provisioning server and PnP off (SEED §5, CF §2.4, EXP) \[M\].

use std::borrow::Cow;
use std::fmt::Write as _;

use super::accounts::used_accounts;
use super::field::Field;
use super::hostport::split_host_port;
use super::url::{scheme_code, strict_scheme};
use super::values::{breaks_line, check_override_key, check_value};
use super::{RenderError, RenderedFile};
use crate::assign::{Account, Assignment, Transport};
use crate::net::unbracket;

/// Accounts written at most. Fanvil files address lines as `SIP1`..`SIPn`; neither SEED nor CF
/// gives a limit for the text format and models differ, so this is the project's chosen cap
/// (VERIFY-HW per model).
const MAX_ACCOUNTS: usize = 6;

/// First line of every file (CF §2.4 "Text"; EXP) \[M\].
const HEADER: &str = "<<VOIP CONFIG FILE>>Version:2.0000000000";
/// The header line is padded with spaces to this many characters: 62 + CRLF = 64 bytes, as in
/// the phone's exports (EXP; CF §2.4 "one implementation asserts header length + CRLF = 64")
/// \[M\], VERIFY-HW (CF §6 item 4).
const HEADER_WIDTH: usize = 62;
/// Last line of every file (CF §2.4 "Text"; SEED-era and EXP files) \[H\].
const FOOTER: &str = "<<END OF FILE>>";
/// Names are padded with spaces to this column; the `:` follows (EXP pads line keys to 24).
const NAME_WIDTH: usize = 24;
/// Line end (CF §2.4 "CRLF line ends"; EXP).
const EOL: &str = "\r\n";

/// NTP server (WZ `SNTP_Server` in `GLOBAL_CONFIG_MODULE`; CF §2.4 "NTP / TZ") \[M\].
const KEY_SNTP_SERVER: &str = "SNTP Server";
/// SNTP on, written with the server: a server alone is not used while SNTP is off
/// (WZ `Enable_SNTP` = 1 with a server; EXP) \[M\].
const KEY_ENABLE_SNTP: &str = "Enable SNTP";
/// Time zone, passed through verbatim: the caller supplies Fanvil's own code (CF §2.4: 15-minute
/// units, e.g. UTC+1 → 4) (WZ `Time_Zone` in `GLOBAL_CONFIG_MODULE`; EXP) \[M\].
const KEY_TIME_ZONE: &str = "Time Zone";

/// Sub-list marker of the web accounts (EXP).
const MARK_MMI_ACCOUNT: &str = "--MMI Account--";
/// Web account 1 is the administrator: name `admin`, level 10 (CF §2.4 "Admin"; WZ
/// `MMI_Account_Entry` ID `Account1`; EXP) \[M\].
const KEY_ADMIN_NAME: &str = "Account1 Name";
const KEY_ADMIN_PASSWORD: &str = "Account1 Password";
const KEY_ADMIN_LEVEL: &str = "Account1 Level";
const ADMIN_NAME: &str = "admin";
const ADMIN_LEVEL: &str = "10";

/// Sub-list marker of the SIP lines (EXP).
const MARK_SIP_LINES: &str = "--SIP Line List--";

/// The provisioning URL, whole (`scheme://host[:port]/path`): SEED §2.3 "Phone Flash" server
/// address; the text name from EXP (`Flash Server IP :http://…/provisioning`), sysConf
/// `FlashServerIP` takes the same full URL (WZ `base-new.tpl`; CF §2.4) \[M\]. The file name is
/// left to the phone, which then fetches the common file and `<mac>.cfg` (SEED §4.4).
const KEY_FLASH_SERVER: &str = "Flash Server IP";
/// Download protocol code for the URL's scheme, see [`URL_SCHEMES`] (SEED §5.1.2; EXP; WZ
/// `FlashProtocol` 4 with an `http://` URL) \[M\].
const KEY_FLASH_PROTOCOL: &str = "Flash Protocol";
/// `1` = fetch from the server after every boot; `0` (factory, EXP) disables Phone Flash, which
/// would leave the URL unused once PnP is off (SEED §2.3; WZ `FlashMode`/`Download_Mode` 1)
/// \[M\], VERIFY-HW.
const KEY_FLASH_MODE: &str = "Flash Mode";
const FLASH_MODE_AFTER_BOOT: &str = "1";
/// Sub-list marker of the PnP settings (EXP).
const MARK_PNP: &str = "--Sip Pnp List--";
/// SIP Plug-and-Play at boot, `0` = off (CF §2.4 "PnP off", §6 item 3 \[H\]; in the AUTOUPDATE
/// module per WZ `base.tpl` and EXP \[M\]).
const KEY_PNP: &str = "PNP Enable";

/// Schemes the phone fetches with (SEED §2.3: TFTP, FTP, HTTP, HTTPS; compared
/// case-insensitively) and their protocol codes: 1, 2 and 4 from SEED §5.1.2 \[M\]; 5 for HTTPS
/// from EXP only \[L\], VERIFY-HW.
const URL_SCHEMES: [(&str, &str); 4] = [("ftp", "1"), ("tftp", "2"), ("http", "4"), ("https", "5")];

/// Per-account names (`SIPn <suffix>`) in emit order (the exports' order), with the neutral field
/// name used in errors. All from the CF §2.4 field map, text column \[H\], except `Proxy Port`
/// (WZ `Proxy_Port`; EXP) \[M\]. There is no per-line label key in SEED, CF or EXP, so
/// [`Account::label`] is not written.
const ACCOUNT_KEYS: [(&str, &str); 10] = [
    // user id (the extension)
    ("Phone Number", "user id"),
    ("Display Name", "display name"),
    // registrar host, IPv6 without brackets
    ("Register Addr", "registrar"),
    ("Register Port", "registrar port"),
    // auth id, falling back to the user id
    ("Register User", "auth id"),
    ("Register Pswd", "password"),
    // registration on (0/1)
    ("Enable Reg", "enabled"),
    ("Proxy Addr", "outbound proxy"),
    ("Proxy Port", "outbound proxy"),
    // 0 UDP, 1 TCP, 3 TLS (WZ `_SIP_TRANSPORT`) [M], VERIFY-HW
    ("Transport", "transport"),
];

/// The sections this renderer writes, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Global,
    Mmi,
    Sip,
    AutoUpdate,
}

impl Section {
    const ALL: [Section; 4] = [Section::Global, Section::Mmi, Section::Sip, Section::AutoUpdate];

    fn header(self) -> &'static str {
        match self {
            Section::Global => "<GLOBAL CONFIG MODULE>",
            Section::Mmi => "<MMI CONFIG MODULE>",
            Section::Sip => "<SIP CONFIG MODULE>",
            Section::AutoUpdate => "<AUTOUPDATE CONFIG MODULE>",
        }
    }
}

/// Renders `<mac>.cfg` for `a`.
///
/// Writes the NTP server and time zone, the admin password, accounts 1–6 in order, the
/// provisioning URL and, unless PnP is kept on, `PNP Enable :0`; only values that are present are
/// written (for each account present also `Enable Reg :1` and the transport). An entirely empty
/// account is skipped.
///
/// Overrides: an override whose name equals a written line's name replaces that line's value in
/// place. Any other override is appended, in the given order: a per-line name (`SIP<digits> …`)
/// at the end of `<SIP CONFIG MODULE>`, every other name at the end of the final section,
/// `<AUTOUPDATE CONFIG MODULE>`; either section is created if it would otherwise be absent. No
/// new section name is invented, since a phone that reads names per section would ignore a
/// section it does not know (VERIFY-HW whether section placement matters at all).
pub fn render(a: &Assignment) -> Result<RenderedFile, RenderError> {
    let mac = a.mac.ok_or(RenderError::MissingMac)?;
    let mut lines = globals(a);
    lines.extend(accounts(&a.accounts)?);
    lines.extend(autoupdate(a)?);
    apply_overrides(&mut lines, &a.overrides)?;
    Ok(RenderedFile {
        file_name: format!("{}.cfg", mac.to_lower_hex()),
        content_type: "text/plain",
        content: write(&lines)?,
    })
}

/// One `Name :value` line to write.
struct Line<'a> {
    section: Section,
    name: Cow<'a, str>,
    value: Cow<'a, str>,
    field: Field<'a>,
}

impl<'a> Line<'a> {
    /// A line with a fixed name whose errors name `field`.
    fn named(section: Section, name: &'static str, value: impl Into<Cow<'a, str>>, field: &'static str) -> Self {
        Line {
            section,
            name: Cow::Borrowed(name),
            value: value.into(),
            field: Field::Global(field),
        }
    }
}

/// The GLOBAL and MMI sections.
fn globals(a: &Assignment) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    if let Some(ntp) = a.ntp_server.as_deref() {
        lines.push(Line::named(Section::Global, KEY_SNTP_SERVER, ntp, "ntp server"));
        lines.push(Line::named(Section::Global, KEY_ENABLE_SNTP, "1", "ntp server"));
    }
    if let Some(timezone) = a.timezone.as_deref() {
        lines.push(Line::named(Section::Global, KEY_TIME_ZONE, timezone, "timezone"));
    }
    if let Some(password) = a.admin_password.as_deref() {
        lines.push(Line::named(Section::Mmi, MARK_MMI_ACCOUNT, "", "admin password"));
        lines.push(Line::named(Section::Mmi, KEY_ADMIN_NAME, ADMIN_NAME, "admin password"));
        lines.push(Line::named(
            Section::Mmi,
            KEY_ADMIN_PASSWORD,
            password,
            "admin password",
        ));
        lines.push(Line::named(
            Section::Mmi,
            KEY_ADMIN_LEVEL,
            ADMIN_LEVEL,
            "admin password",
        ));
    }
    lines
}

/// The SIP section: the line-list marker, then each non-empty account.
fn accounts(accounts: &[Account]) -> Result<Vec<Line<'_>>, RenderError> {
    let mut used = used_accounts(accounts, MAX_ACCOUNTS)?.peekable();
    let mut lines = Vec::new();
    if used.peek().is_some() {
        lines.push(Line::named(Section::Sip, MARK_SIP_LINES, "", "sip line list"));
    }
    for (index, acct) in used {
        // An empty proxy string is no proxy: a proxy without an address breaks calls.
        let proxy = acct
            .outbound_proxy
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(split_host_port);
        let values: [Option<Cow<'_, str>>; 10] = [
            acct.user_id.as_deref().map(Cow::from),
            acct.display_name.as_deref().map(Cow::from),
            acct.registrar_host.as_deref().map(|host| Cow::from(unbracket(host))),
            acct.registrar_port.map(|port| Cow::from(port.to_string())),
            acct.effective_auth_id().map(Cow::from),
            acct.password.as_deref().map(Cow::from),
            Some(Cow::from("1")),
            proxy.map(|(host, _)| Cow::from(host)),
            proxy.and_then(|(_, port)| port).map(|port| Cow::from(port.to_string())),
            Some(Cow::from(transport_code(acct.transport))),
        ];
        for ((suffix, field), value) in ACCOUNT_KEYS.into_iter().zip(values) {
            if let Some(value) = value {
                lines.push(Line {
                    section: Section::Sip,
                    name: Cow::Owned(format!("SIP{index} {suffix}")),
                    value,
                    field: Field::Account(index, field),
                });
            }
        }
    }
    Ok(lines)
}

/// `SIPn Transport` codes (WZ `common.py` `_SIP_TRANSPORT`: udp 0, tcp 1, tls 3; CF §2.4 field
/// map) \[M\], VERIFY-HW: one public generator writes 2 for TLS.
fn transport_code(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "0",
        Transport::Tcp => "1",
        Transport::Tls => "3",
    }
}

/// The AUTOUPDATE section: provisioning server (checked scheme) and PnP off unless kept on.
fn autoupdate(a: &Assignment) -> Result<Vec<Line<'_>>, RenderError> {
    let mut lines = Vec::new();
    if let Some(url) = a.provisioning_url.as_deref() {
        let protocol = protocol_code(url)?;
        lines.push(Line::named(
            Section::AutoUpdate,
            KEY_FLASH_SERVER,
            url,
            "provisioning url",
        ));
        lines.push(Line::named(
            Section::AutoUpdate,
            KEY_FLASH_PROTOCOL,
            protocol,
            "provisioning url",
        ));
        lines.push(Line::named(
            Section::AutoUpdate,
            KEY_FLASH_MODE,
            FLASH_MODE_AFTER_BOOT,
            "provisioning url",
        ));
    }
    if !a.keep_pnp_enabled {
        lines.push(Line::named(Section::AutoUpdate, MARK_PNP, "", "pnp"));
        lines.push(Line::named(Section::AutoUpdate, KEY_PNP, "0", "pnp"));
    }
    Ok(lines)
}

/// The protocol code for a URL whose scheme (the text before `://`) is one of [`URL_SCHEMES`].
/// Otherwise the error echoes the scheme (capped), or nothing when there is no syntactically
/// valid scheme, so no part of the path or of any credentials in it is echoed.
fn protocol_code(url: &str) -> Result<&'static str, RenderError> {
    let (scheme, _) = strict_scheme(url)?;
    scheme_code(scheme, &URL_SCHEMES)
}

/// Checks each override name, then replaces the value of a line with the same name in place,
/// else appends it to [`override_section`]. A name with a control character is
/// [`RenderError::ControlCharacter`] for `override N key` (N = 1-based position); any other name
/// that [`is_valid_name`] refuses is [`RenderError::InvalidKey`].
fn apply_overrides<'a>(lines: &mut Vec<Line<'a>>, overrides: &'a [(String, String)]) -> Result<(), RenderError> {
    for (i, (key, value)) in overrides.iter().enumerate() {
        check_override_key(i, key, breaks_line, is_valid_name)?;
        match lines.iter_mut().find(|line| line.name == key.as_str()) {
            Some(slot) => {
                slot.value = Cow::Borrowed(value);
                slot.field = Field::Override(key);
            }
            None => lines.push(Line {
                section: override_section(key),
                name: Cow::Borrowed(key),
                value: Cow::Borrowed(value),
                field: Field::Override(key),
            }),
        }
    }
    Ok(())
}

/// Where an appended override goes: `SIP<digits> …` (a per-line name, which every export keeps
/// in the SIP module) to `<SIP CONFIG MODULE>`, anything else to the final section.
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

/// Refuses values that would break a line (checked in line order), then writes the padded header,
/// each non-empty section after an empty line, and the end marker, all with CRLF line ends.
fn write(lines: &[Line<'_>]) -> Result<Vec<u8>, RenderError> {
    for line in lines {
        check_value(&line.value, &line.field, breaks_line)?;
    }
    let mut out = String::with_capacity(HEADER_WIDTH + 64 + lines.len() * (NAME_WIDTH + 24));
    write!(out, "{HEADER:<HEADER_WIDTH$}{EOL}").expect("writing to a String cannot fail");
    for section in Section::ALL {
        let mut members = lines.iter().filter(|line| line.section == section).peekable();
        if members.peek().is_none() {
            continue;
        }
        out.push_str(EOL);
        out.push_str(section.header());
        out.push_str(EOL);
        for line in members {
            debug_assert!(is_valid_name(&line.name), "generated names are valid");
            write!(out, "{:<NAME_WIDTH$}:", line.name).expect("writing to a String cannot fail");
            out.push_str(&line.value);
            out.push_str(EOL);
        }
    }
    out.push_str(EOL);
    out.push_str(FOOTER);
    out.push_str(EOL);
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{self, control_error, pairs as owned};
    use super::*;
    use crate::device::Mac;

    const MAC: Mac = Mac([0x0c, 0x38, 0x3e, 0x12, 0xab, 0xcd]);

    /// The padded first line, with its CRLF: 64 bytes.
    const HEADER_LINE: &str = "<<VOIP CONFIG FILE>>Version:2.0000000000                      \r\n";

    fn two_accounts() -> Assignment {
        let mut a = test_support::two_accounts(MAC, "[2001:db8::1]", "https://prov.example:8443/fanvil/", "4");
        a.account_mut(2).outbound_proxy = Some("[2001:db8::2]:5071".into());
        a
    }

    /// A parsed file: `(section header, name, value)` per `Name :value` line, in order.
    type Parsed = Vec<(String, String, String)>;

    fn config(a: &Assignment) -> Parsed {
        parse(&render(a).expect("renders").content)
    }

    /// Parses a rendered file back, checking the frame on the way: CRLF-only line ends, the padded
    /// 64-byte header, an empty line before each section header and before the end marker, the
    /// `:` at column 24 for every name shorter than that, and valid names.
    fn parse(content: &[u8]) -> Parsed {
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

    /// `(name, value)` pairs of a parsed file, without sections.
    fn pairs(parsed: &Parsed) -> Vec<(String, String)> {
        parsed.iter().map(|(_, n, v)| (n.clone(), v.clone())).collect()
    }

    fn value<'p>(parsed: &'p Parsed, name: &str) -> Option<&'p str> {
        parsed.iter().find(|(_, n, _)| n == name).map(|(_, _, v)| v.as_str())
    }

    #[test]
    fn golden_two_account_render() {
        let file = render(&two_accounts()).expect("renders");
        assert_eq!(file.file_name, "0c383e12abcd.cfg");
        assert_eq!(file.content_type, "text/plain");
        let expected = concat!(
            "<<VOIP CONFIG FILE>>Version:2.0000000000                      \r\n",
            "\r\n",
            "<GLOBAL CONFIG MODULE>\r\n",
            "SNTP Server             :pool.ntp.org\r\n",
            "Enable SNTP             :1\r\n",
            "Time Zone               :4\r\n",
            "\r\n",
            "<MMI CONFIG MODULE>\r\n",
            "--MMI Account--         :\r\n",
            "Account1 Name           :admin\r\n",
            "Account1 Password       :admin!\r\n",
            "Account1 Level          :10\r\n",
            "\r\n",
            "<SIP CONFIG MODULE>\r\n",
            "--SIP Line List--       :\r\n",
            "SIP1 Phone Number       :101\r\n",
            "SIP1 Display Name       :Front Desk\r\n",
            "SIP1 Register Addr      :pbx.example\r\n",
            "SIP1 Register Port      :5062\r\n",
            "SIP1 Register User      :auth101\r\n",
            "SIP1 Register Pswd      :s3cret\r\n",
            "SIP1 Enable Reg         :1\r\n",
            "SIP1 Proxy Addr         :proxy.example\r\n",
            "SIP1 Proxy Port         :5070\r\n",
            "SIP1 Transport          :0\r\n",
            "SIP2 Phone Number       :102\r\n",
            "SIP2 Register Addr      :2001:db8::1\r\n",
            "SIP2 Register User      :102\r\n",
            "SIP2 Register Pswd      :pw102\r\n",
            "SIP2 Enable Reg         :1\r\n",
            "SIP2 Proxy Addr         :2001:db8::2\r\n",
            "SIP2 Proxy Port         :5071\r\n",
            "SIP2 Transport          :3\r\n",
            "\r\n",
            "<AUTOUPDATE CONFIG MODULE>\r\n",
            "Flash Server IP         :https://prov.example:8443/fanvil/\r\n",
            "Flash Protocol          :5\r\n",
            "Flash Mode              :1\r\n",
            "--Sip Pnp List--        :\r\n",
            "PNP Enable              :0\r\n",
            "\r\n",
            "<<END OF FILE>>\r\n",
        );
        assert_eq!(String::from_utf8(file.content.clone()).expect("utf-8"), expected);
        assert_eq!(file.content, expected.as_bytes());
        assert_eq!(HEADER_LINE.len(), 64);
        // The golden file passes the frame checks of the parser used by the other tests.
        assert_eq!(parse(expected.as_bytes()).len(), 31);
    }

    #[test]
    fn accounts_1_and_6_parse_back() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for (index, transport) in [(1, Transport::Tcp), (6, Transport::Tls)] {
            let acct = a.account_mut(index);
            acct.label = Some(format!("L{index}"));
            acct.display_name = Some(format!("D: {index}"));
            acct.user_id = Some(format!("1{index:02}"));
            acct.auth_id = Some(format!("a{index}"));
            acct.password = Some(format!("p:{index}"));
            acct.registrar_host = Some("pbx.example".into());
            acct.registrar_port = Some(5060);
            acct.transport = transport;
            acct.outbound_proxy = Some(format!("obp{index}.example:50{index:02}"));
        }
        let got = config(&a);
        assert!(got.iter().all(|(section, _, _)| section == "<SIP CONFIG MODULE>"));
        // Accounts 2-5 are empty gaps: skipped, not enabled.
        assert!(
            !got.iter()
                .any(|(_, n, _)| (2..6).any(|i| n.starts_with(&format!("SIP{i} "))))
        );
        let expect = |n: usize, transport: &str| -> Vec<(String, String)> {
            [
                ("Phone Number", format!("1{n:02}")),
                ("Display Name", format!("D: {n}")),
                ("Register Addr", "pbx.example".to_owned()),
                ("Register Port", "5060".to_owned()),
                ("Register User", format!("a{n}")),
                ("Register Pswd", format!("p:{n}")),
                ("Enable Reg", "1".to_owned()),
                ("Proxy Addr", format!("obp{n}.example")),
                ("Proxy Port", format!("50{n:02}")),
                ("Transport", transport.to_owned()),
            ]
            .into_iter()
            .map(|(suffix, value)| (format!("SIP{n} {suffix}"), value))
            .collect()
        };
        let mut expected = owned(&[(MARK_SIP_LINES, "")]);
        expected.extend(expect(1, "1"));
        expected.extend(expect(6, "3"));
        assert_eq!(pairs(&got), expected);
        for (name, want) in &expected {
            assert_eq!(got.iter().filter(|(_, n, _)| n == name).count(), 1, "{name}");
            assert_eq!(value(&got, name), Some(want.as_str()), "{name}");
        }
        // The label has no Fanvil key and is not written.
        assert!(!got.iter().any(|(_, _, v)| v.starts_with('L')));
    }

    #[test]
    fn account_limit() {
        let mut a = two_accounts();
        a.account_mut(7).user_id = Some("107".into());
        assert_eq!(render(&a), Err(RenderError::TooManyAccounts { max: 6, got: 7 }));
        let mut a = two_accounts();
        a.account_mut(6).user_id = Some("106".into());
        assert_eq!(value(&config(&a), "SIP6 Phone Number"), Some("106"));
        // Trailing empty accounts are nothing to render.
        let mut a = two_accounts();
        a.account_mut(20);
        assert_eq!(render(&a).expect("renders"), render(&two_accounts()).expect("renders"));
    }

    #[test]
    fn control_characters_name_the_field_not_the_value() {
        let secret = "hunter2";
        for c in [
            '\r', '\n', '\0', '\u{7}', '\t', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}',
        ] {
            let value = format!("{secret}{c}more");

            let mut a = two_accounts();
            a.accounts[1].password = Some(value.clone());
            let err = render(&a).expect_err("control character");
            assert_eq!(Err(err.clone()), control_error("account 2 password"), "{c:?}");
            let message = err.to_string();
            assert!(message.contains("account 2 password"), "{message}");
            assert!(!message.contains(secret) && !message.contains("more"), "{message}");

            let mut a = two_accounts();
            a.accounts[0].display_name = Some(value.clone());
            assert_eq!(render(&a), control_error("account 1 display name"), "{c:?}");

            let mut a = two_accounts();
            a.set_override("LCD Title", &value);
            let err = render(&a).expect_err("control character");
            assert_eq!(Err(err.clone()), control_error("override LCD Title"), "{c:?}");
            assert!(!err.to_string().contains(secret));

            // An override replacing a generated line is named as the override.
            let mut a = two_accounts();
            a.set_override("SIP1 Register Pswd", &value);
            assert_eq!(render(&a), control_error("override SIP1 Register Pswd"), "{c:?}");

            // A control character in an override name.
            let mut a = two_accounts();
            a.set_override("LCD Title", "Desk");
            a.set_override(&format!("a{c}b"), "v");
            assert_eq!(render(&a), control_error("override 2 key"), "{c:?}");
        }
        for (field, set) in [
            (
                "admin password",
                (|a: &mut Assignment| a.admin_password = Some("x\ny".into())) as fn(&mut _),
            ),
            ("timezone", |a| a.timezone = Some("4\n".into())),
            ("ntp server", |a| a.ntp_server = Some("ntp\r".into())),
            ("provisioning url", |a| a.provisioning_url = Some("http://x/\n".into())),
            ("account 1 user id", |a| a.accounts[0].user_id = Some("1\n".into())),
            ("account 1 auth id", |a| a.accounts[0].auth_id = Some("1\n".into())),
            ("account 1 registrar", |a| {
                a.accounts[0].registrar_host = Some("h\n".into())
            }),
            ("account 1 outbound proxy", |a| {
                a.accounts[0].outbound_proxy = Some("h\n:1".into())
            }),
        ] {
            let mut a = two_accounts();
            set(&mut a);
            assert_eq!(render(&a), control_error(field), "{field}");
        }
        // The label is not written, so it cannot break the file.
        let mut a = two_accounts();
        a.accounts[0].label = Some("x\ny".into());
        assert_eq!(render(&a), render(&two_accounts()));
    }

    #[test]
    fn bad_override_names_are_refused() {
        for key in [
            "",
            " ",
            "a:b",
            "SIP1 Register Addr:",
            "<SIP CONFIG MODULE>",
            "<<END OF FILE>>",
            " leading",
            "trailing ",
            "a=b",
            "ä",
            "a/b",
            "#x",
        ] {
            let mut a = two_accounts();
            a.set_override(key, "v");
            assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
        }
        let mut a = two_accounts();
        a.set_override(&format!("{}:", "k".repeat(40)), "v");
        assert_eq!(render(&a), Err(RenderError::InvalidKey("k".repeat(32))));
        // Every allowed character, and a name longer than the padding column.
        let mut a = two_accounts();
        let long = "Block RTP When Alerting_x-1.0";
        a.set_override(long, "v:w");
        a.set_override("SIP  Port", "5060");
        let got = config(&a);
        assert_eq!(value(&got, long), Some("v:w"));
        assert_eq!(value(&got, "SIP  Port"), Some("5060"));
        let text = String::from_utf8(render(&a).expect("renders").content).expect("utf-8");
        assert!(text.contains(&format!("\r\n{long}:v:w\r\n")), "{text}");
    }

    #[test]
    fn overrides_replace_in_place_and_append() {
        let mut a = two_accounts();
        a.set_override("LCD Title", "Desk 1");
        a.set_override("Account1 Password", "new");
        a.set_override("SIP2 Register Pswd", "new102");
        a.set_override("PNP Enable", "1");
        a.set_override("SIP1 MWI Num", "*97");
        a.set_override("Flash File Name", "$mac.cfg");
        let base = config(&two_accounts());
        let got = config(&a);
        assert_eq!(got.len(), base.len() + 3);
        // In place: same position, same section, new value, one line per name.
        for (name, new) in [
            ("Account1 Password", "new"),
            ("SIP2 Register Pswd", "new102"),
            ("PNP Enable", "1"),
        ] {
            let at = base.iter().position(|(_, n, _)| n == name).expect("generated");
            let before = &base[at];
            let after_at = got.iter().position(|(_, n, _)| n == name).expect("present");
            assert_eq!(got[after_at], (before.0.clone(), name.to_owned(), new.to_owned()));
            assert_eq!(got.iter().filter(|(_, n, _)| n == name).count(), 1, "{name}");
        }
        // Appended: a per-line name at the end of the SIP section, others at the end of the file.
        let sip_end = got
            .iter()
            .rposition(|(s, _, _)| s == "<SIP CONFIG MODULE>")
            .expect("sip section");
        assert_eq!(got[sip_end].1, "SIP1 MWI Num");
        assert_eq!(got[sip_end].2, "*97");
        assert_eq!(got[sip_end - 1].1, "SIP2 Transport");
        let tail: Vec<_> = got[got.len() - 2..].to_vec();
        assert_eq!(
            tail,
            [
                ("<AUTOUPDATE CONFIG MODULE>", "LCD Title", "Desk 1"),
                ("<AUTOUPDATE CONFIG MODULE>", "Flash File Name", "$mac.cfg"),
            ]
            .map(|(s, n, v)| (s.to_owned(), n.to_owned(), v.to_owned()))
        );
        // Everything else is unchanged and in the same order.
        let changed = [
            "Account1 Password",
            "SIP2 Register Pswd",
            "PNP Enable",
            "SIP1 MWI Num",
            "LCD Title",
            "Flash File Name",
        ];
        let same = |list: &Parsed| -> Parsed {
            list.iter()
                .filter(|(_, n, _)| !changed.contains(&n.as_str()))
                .cloned()
                .collect()
        };
        assert_eq!(same(&got), same(&base));

        // Duplicate override names (the field is public): the last one wins, in place.
        let mut a = two_accounts();
        a.overrides = vec![
            ("X Y".into(), "1".into()),
            ("Time Zone".into(), "8".into()),
            ("X Y".into(), "2".into()),
        ];
        let got = config(&a);
        assert_eq!(
            got[2],
            ("<GLOBAL CONFIG MODULE>".into(), "Time Zone".into(), "8".into())
        );
        assert_eq!(got.last().map(|(_, n, v)| (n.as_str(), v.as_str())), Some(("X Y", "2")));
        assert_eq!(got.len(), base.len() + 1);

        // Sections that would otherwise be absent are created for appended overrides.
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        a.set_override("SIP12 Phone Number", "x");
        a.set_override("Enable VLAN", "1");
        a.set_override("SIP Trace Level", "0");
        assert_eq!(
            config(&a),
            [
                ("<SIP CONFIG MODULE>", "SIP12 Phone Number", "x"),
                ("<AUTOUPDATE CONFIG MODULE>", "Enable VLAN", "1"),
                ("<AUTOUPDATE CONFIG MODULE>", "SIP Trace Level", "0"),
            ]
            .map(|(s, n, v)| (s.to_owned(), n.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn pnp_is_switched_off_unless_kept() {
        let mut a = Assignment {
            mac: Some(MAC),
            ..Assignment::default()
        };
        let got = config(&a);
        assert_eq!(pairs(&got), owned(&[(MARK_PNP, ""), ("PNP Enable", "0")]));
        assert!(got.iter().all(|(s, _, _)| s == "<AUTOUPDATE CONFIG MODULE>"));
        a.keep_pnp_enabled = true;
        assert_eq!(config(&a), Parsed::new());
        let empty = format!("{HEADER_LINE}\r\n<<END OF FILE>>\r\n");
        assert_eq!(render(&a).expect("renders").content, empty.as_bytes());
        let mut a = two_accounts();
        a.keep_pnp_enabled = true;
        assert!(
            !config(&a)
                .iter()
                .any(|(_, n, _)| n.to_ascii_lowercase().contains("pnp"))
        );
    }

    #[test]
    fn special_values_pass_through_verbatim() {
        let mut a = two_accounts();
        let password = "100% : #not a comment & <x> \"q\" 'a' %NULL% $mac";
        let display = "  Zoë & 北京 😀 ";
        a.accounts[0].password = Some(password.into());
        a.accounts[0].display_name = Some(display.into());
        a.accounts[1].display_name = Some(String::new());
        a.set_override("Default Language", "fr:ca");
        let file = render(&a).expect("renders");
        let text = String::from_utf8(file.content.clone()).expect("utf-8");
        assert!(
            text.contains(&format!("\r\nSIP1 Register Pswd      :{password}\r\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("\r\nSIP1 Display Name       :{display}\r\n")),
            "{text}"
        );
        assert!(text.contains("\r\nSIP2 Display Name       :\r\n"), "{text}");
        let got = parse(&file.content);
        assert_eq!(value(&got, "SIP1 Register Pswd"), Some(password));
        assert_eq!(value(&got, "SIP1 Display Name"), Some(display));
        assert_eq!(
            got.last().map(|(_, n, v)| (n.as_str(), v.as_str())),
            Some(("Default Language", "fr:ca"))
        );
    }

    #[test]
    fn provisioning_url_schemes() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        for (url, code) in [
            ("http://10.0.0.1/prov", "4"),
            ("HTTPS://user:pw@pbx.example:8443/a/b/", "5"),
            ("tftp://10.0.0.1", "2"),
            ("ftp://pbx/x?u=http://y", "1"),
            ("https://[2001:db8::1]/p%20q/", "5"),
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(
                pairs(&config(&a)),
                owned(&[
                    (KEY_FLASH_SERVER, url),
                    (KEY_FLASH_PROTOCOL, code),
                    (KEY_FLASH_MODE, "1")
                ]),
                "{url}"
            );
        }
        for (url, echo) in [
            ("sips://x", "sips"),
            ("file:///etc/passwd", "file"),
            ("ldap://pbx", "ldap"),
            ("httpx://pbx", "httpx"),
            ("://pbx", ""),
            ("pbx.example/prov", ""),
            ("pbx/x?u=http://y", ""),
            ("user:secret@pbx/prov", ""),
            ("1http://x", ""),
            ("", ""),
        ] {
            a.provisioning_url = Some(url.into());
            assert_eq!(render(&a), Err(RenderError::InvalidUrl(echo.into())), "{url}");
        }
        a.provisioning_url = Some(format!("{}://pbx", "x".repeat(50)));
        assert_eq!(render(&a), Err(RenderError::InvalidUrl("x".repeat(32))));
    }

    #[test]
    fn outbound_proxy_forms() {
        for (proxy, expected) in [
            ("obp.example", vec![("Addr", "obp.example")]),
            ("obp.example:5070", vec![("Addr", "obp.example"), ("Port", "5070")]),
            ("10.0.0.9:0", vec![("Addr", "10.0.0.9"), ("Port", "0")]),
            ("[2001:db8::2]:5071", vec![("Addr", "2001:db8::2"), ("Port", "5071")]),
            ("[2001:db8::2]", vec![("Addr", "2001:db8::2")]),
            ("2001:db8::2", vec![("Addr", "2001:db8::2")]),
            ("obp.example:", vec![("Addr", "obp.example:")]),
            ("obp.example:+5", vec![("Addr", "obp.example:+5")]),
            ("obp.example:70000", vec![("Addr", "obp.example:70000")]),
            ("[2001:db8::2]x", vec![("Addr", "[2001:db8::2]x")]),
            ("[2001:db8::2", vec![("Addr", "[2001:db8::2")]),
        ] {
            let mut a = Assignment {
                mac: Some(MAC),
                keep_pnp_enabled: true,
                ..Assignment::default()
            };
            a.account_mut(1).outbound_proxy = Some(proxy.into());
            let mut want = owned(&[(MARK_SIP_LINES, ""), ("SIP1 Enable Reg", "1")]);
            for (suffix, value) in expected {
                want.push((format!("SIP1 Proxy {suffix}"), value.to_owned()));
            }
            want.push(("SIP1 Transport".into(), "0".into()));
            assert_eq!(pairs(&config(&a)), want, "{proxy}");
        }
        // An empty proxy is no proxy.
        let mut a = two_accounts();
        a.accounts[0].outbound_proxy = Some(String::new());
        assert!(!config(&a).iter().any(|(_, n, _)| n.starts_with("SIP1 Proxy")));
    }

    #[test]
    fn gap_account_is_skipped_and_auth_id_falls_back() {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        a.account_mut(3).user_id = Some("103".into());
        a.account_mut(3).transport = Transport::Tcp;
        assert_eq!(
            pairs(&config(&a)),
            owned(&[
                (MARK_SIP_LINES, ""),
                ("SIP3 Phone Number", "103"),
                ("SIP3 Register User", "103"),
                ("SIP3 Enable Reg", "1"),
                ("SIP3 Transport", "1"),
            ])
        );
    }

    #[test]
    fn missing_mac() {
        let a = Assignment {
            mac: None,
            ..two_accounts()
        };
        assert_eq!(render(&a), Err(RenderError::MissingMac));
    }

    #[test]
    fn dispatch_and_determinism() {
        let a = two_accounts();
        assert_eq!(super::super::render("fanvil", &a), render(&a));
        assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
    }
}
