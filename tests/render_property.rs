//! Every renderer, fed random printable and special strings (`& < > " '`, quotes, `]]>`,
//! `%`, `=`, `#`, non-ASCII) in every field: the file keeps its structure (the same lines, or
//! XML that parses to the same elements, or a binary that still sums to zero), exactly as if
//! the values were plain words — or rendering fails with a clear error that does not echo the
//! value. Control characters always fail.

use quick_xml::Reader;
use quick_xml::events::Event;
use sippnp::assign::Assignment;
use sippnp::assign::fields::{self, Scope};
use sippnp::render::{self, RenderError, RenderedFile, grandstream_binary};

/// xorshift64*: fixed seed, so every run tests the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    /// 1–12 pieces of printable ASCII, XML specials and non-ASCII text.
    fn value(&mut self) -> String {
        const PIECES: &[&str] = &[
            "&",
            "<",
            ">",
            "\"",
            "'",
            "]]>",
            "&amp;",
            "%",
            "%0A",
            "=",
            ";",
            ",",
            "#",
            ":",
            "/",
            "\\",
            " ",
            "  ",
            "Zoë",
            "北京",
            "🙂",
            "x",
            "101",
            "P34",
            "{mac}",
            "$mac",
            "a=b",
            "</P34>",
            "<evil/>",
            "${x}",
            "key = value",
        ];
        let n = 1 + self.next() % 12;
        (0..n).map(|_| self.pick(PIECES)).collect()
    }
}

/// Valid values for the fields that are not free text (numbers, names, hosts, lists). Every
/// vendor renders them; the property is about what free text does to a file.
const SAMPLES: &[(Scope, &str, &str)] = &[
    (Scope::Device, "vendor", ""),
    (Scope::Device, "model", "D785"),
    (Scope::Device, "mac", "000b82273b89"),
    (Scope::Device, "provisioning_url", "https://pbx.example/p/"),
    (Scope::Device, "firmware_url", "https://pbx.example/fw/"),
    (Scope::Device, "ntp_servers", "ntp1.example,192.0.2.123"),
    (Scope::Device, "timezone", "Europe/Berlin"),
    (Scope::Device, "keep_pnp_enabled", "0"),
    (Scope::Device, "language", "en"),
    (Scope::Device, "resync_interval_min", "60"),
    (Scope::Device, "vlan_id", "100"),
    (Scope::Device, "vlan_priority", "5"),
    (Scope::Device, "syslog_host", "192.0.2.10"),
    (Scope::Device, "syslog_port", "514"),
    (Scope::Device, "syslog_level", "4"),
    (Scope::Account, "registrar_host", "pbx.example"),
    (Scope::Account, "registrar_port", "5061"),
    (Scope::Account, "transport", "tls"),
    (Scope::Account, "backup_registrar_host", "pbx2.example"),
    (Scope::Account, "backup_registrar_port", "5062"),
    (Scope::Account, "outbound_proxy", "proxy.example:5070"),
    (Scope::Account, "register_expires", "600"),
    (Scope::Account, "mwi", "1"),
    (Scope::Account, "codecs", "PCMU,PCMA,G722"),
    (Scope::Account, "dtmf", "rfc2833"),
    (Scope::Account, "srtp", "optional"),
    (Scope::Key, "bank", "programmable"),
    (Scope::Key, "position", ""),
    (Scope::Key, "kind", "blf"),
    (Scope::Key, "account", "1"),
];

/// A group of fields set together: one device or account field, or all key fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Field(Scope, &'static str),
    Keys,
}

/// Fields every vendor must carry: a config without them provisions nothing.
const IDENTITY: &[&str] = &["user_id", "auth_id", "password", "registrar_host", "display_name"];

fn groups() -> Vec<Group> {
    let mut all: Vec<Group> = fields::all()
        .iter()
        .filter(|f| f.scope() != Scope::Key && f.name != "mac" && f.name != "vendor")
        .map(|f| Group::Field(f.scope(), f.name))
        .collect();
    all.push(Group::Keys);
    all
}

/// An assignment with the fields of `groups` set (through the same field table the C ABI
/// uses), plus the MAC: free-text fields to random values, or (`plain`) to plain words; the
/// others to [`SAMPLES`]. `accounts` accounts and, with [`Group::Keys`], two keys.
fn assignment(rng: &mut Rng, plain: bool, accounts: usize, groups: &[Group]) -> Assignment {
    let mut a = Assignment::default();
    for field in fields::all() {
        let group = match field.scope() {
            Scope::Key => Group::Keys,
            scope => Group::Field(scope, field.name),
        };
        if field.name != "mac" && !groups.contains(&group) {
            continue;
        }
        let indices = match field.scope() {
            Scope::Device => 0..=0,
            Scope::Account => 1..=accounts,
            Scope::Key => 1..=2,
        };
        for index in indices {
            let value = match SAMPLES.iter().find(|(s, n, _)| *s == field.scope() && *n == field.name) {
                Some((_, _, sample)) => sample.to_string(),
                None if field.accepts != "text" => panic!("{field:?}: add a sample value"),
                None if plain => field.name.replace('_', ""),
                None => rng.value(),
            };
            field
                .set(&mut a, index, &value)
                .unwrap_or_else(|e| panic!("{field:?}: {e}"));
        }
    }
    a
}

/// The groups `vendor` can express: each tried alone (with an identity to go with it, plain
/// values); a group the vendor refuses as [`RenderError::UnsupportedValue`] or
/// [`RenderError::KeyOutOfRange`] is left out of the property run for that vendor. Identity
/// fields may never be left out.
fn expressible(vendor: &str, render: Renderer) -> Vec<Group> {
    let identity: Vec<Group> = IDENTITY.iter().map(|n| Group::Field(Scope::Account, n)).collect();
    let mut kept = Vec::new();
    for group in groups() {
        let mut with = identity.clone();
        with.push(group);
        match render(vendor, &assignment(&mut Rng(7), true, 1, &with)) {
            Ok(_) => kept.push(group),
            Err(RenderError::UnsupportedValue { .. } | RenderError::KeyOutOfRange { .. }) => {
                assert!(!identity.contains(&group), "{vendor}: cannot carry {group:?}");
                eprintln!("{vendor}: leaves out {group:?} (the format cannot express it)");
            }
            Err(e) => panic!("{vendor}: {group:?} with plain values: {e}"),
        }
    }
    assert!(
        kept.len() * 2 > groups().len(),
        "{vendor} expresses fewer than half the fields: {kept:?}"
    );
    kept
}

/// The file's structure, independent of the values: XML element paths, line count, or the
/// binary's pair count (after checking its checksum).
fn structure(file: &RenderedFile) -> Vec<String> {
    if file.content.starts_with(b"<?xml") {
        let mut reader = Reader::from_reader(file.content.as_slice());
        let (mut path, mut shape, mut buf) = (Vec::new(), Vec::new(), Vec::new());
        loop {
            match reader
                .read_event_into(&mut buf)
                .unwrap_or_else(|e| panic!("{}: broken XML: {e}", file.file_name))
            {
                Event::Start(e) => {
                    path.push(e.name().as_ref().to_owned());
                    shape.push(path.join("/"));
                }
                Event::End(_) => {
                    path.pop();
                }
                Event::Empty(e) => shape.push(format!("{}/{}", path.join("/"), e.name().as_ref().to_owned())),
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        shape
    } else if file.content.get(12..16) == Some(b"\r\n\r\n") {
        let sum = file
            .content
            .chunks_exact(2)
            .fold(0u16, |s, w| s.wrapping_add(u16::from_be_bytes([w[0], w[1]])));
        assert_eq!(sum, 0, "{}: checksum", file.file_name);
        let pairs = file.content[16..].split(|&b| b == b'&').count();
        vec![format!("{pairs} pairs")]
    } else {
        let text = String::from_utf8(file.content.clone()).expect("text configs are UTF-8");
        text.split('\n')
            .map(|line| {
                line.split_once(['=', ':'])
                    .map_or(line, |(key, _)| key)
                    .trim()
                    .to_owned()
            })
            .collect()
    }
}

/// A renderer: vendor id and assignment in, file out.
type Renderer = fn(&str, &Assignment) -> Result<RenderedFile, RenderError>;

fn renderers() -> Vec<(String, Renderer)> {
    let mut all: Vec<(String, Renderer)> = render::supported_vendors()
        .iter()
        .map(|v| (v.to_string(), render::render as Renderer))
        .collect();
    all.push(("grandstream-binary".into(), |_, a| grandstream_binary::render(a)));
    all
}

#[test]
fn random_values_never_change_the_structure() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut rendered, mut refused) = (0, 0);
    for (vendor, render) in renderers() {
        let groups = expressible(&vendor, render);
        for round in 0..300 {
            let accounts = 1 + round % 2;
            let random = assignment(&mut rng, false, accounts, &groups);
            let plain = assignment(&mut rng, true, accounts, &groups);
            let expected = render(&vendor, &plain).unwrap_or_else(|e| panic!("{vendor}: plain values: {e}"));
            match render(&vendor, &random) {
                Ok(file) => {
                    rendered += 1;
                    assert_eq!(structure(&file), structure(&expected), "{vendor}: {random:?}");
                }
                Err(e) => {
                    refused += 1;
                    let message = e.to_string();
                    // A password of a few characters (" ", "x") can occur in any message by chance.
                    let password = random.accounts[0].password.as_deref().unwrap_or_default();
                    assert!(password.len() < 6 || !message.contains(password), "{vendor}: {message}");
                    assert!(
                        matches!(e, RenderError::ControlCharacter { .. } | RenderError::InvalidUrl(_)),
                        "{vendor}: unexpected {e:?}"
                    );
                }
            }
        }
    }
    eprintln!("{rendered} rendered, {refused} refused");
    assert!(rendered > refused, "most random printable values must render");
}

#[test]
fn control_characters_always_fail_and_are_never_echoed() {
    for (vendor, render) in renderers() {
        let groups = expressible(&vendor, render);
        for bad in ["pw\r\nX = 1", "pw\nX", "pw\0", "pw\u{7}", "pw\u{1b}[2J"] {
            let mut a = assignment(&mut Rng(1), true, 1, &groups);
            a.accounts[0].password = Some(format!("s3cret-{bad}"));
            let err = render(&vendor, &a).expect_err(&format!("{vendor}: {bad:?}"));
            assert!(matches!(err, RenderError::ControlCharacter { .. }), "{vendor}: {err:?}");
            assert!(!err.to_string().contains("s3cret"), "{vendor}: {err}");
        }
    }
}
