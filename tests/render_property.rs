//! Every renderer, fed random printable and special strings (`& < > " '`, quotes, `]]>`,
//! `%`, `=`, `#`, non-ASCII) in every field: the file keeps its structure (the same lines, or
//! XML that parses to the same elements, or a binary that still sums to zero), exactly as if
//! the values were plain words — or rendering fails with a clear error that does not echo the
//! value. Control characters always fail.

use quick_xml::Reader;
use quick_xml::events::Event;
use sippnp::assign::{Account, Assignment, Transport};
use sippnp::device::Mac;
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

/// An assignment with every field set: to random values, or (`plain`) to plain words, with
/// the same fields present either way.
fn assignment(rng: &mut Rng, plain: bool, accounts: usize) -> Assignment {
    let mut text = |word: &str| if plain { word.to_owned() } else { rng.value() };
    let mut a = Assignment {
        mac: Mac::parse("000b82273b89"),
        model: Some("D785".into()),
        ntp_server: Some(text("ntp")),
        timezone: Some(text("tz")),
        admin_password: Some(text("admin")),
        provisioning_url: Some(format!(
            "https://pbx.example/{}",
            if plain { "p".to_owned() } else { text("p") }
        )),
        ..Assignment::default()
    };
    for i in 1..=accounts {
        *a.account_mut(i) = Account {
            label: Some(text("label")),
            display_name: Some(text("name")),
            user_id: Some(text("user")),
            auth_id: Some(text("auth")),
            password: Some(text("password")),
            registrar_host: Some("pbx.example".into()),
            registrar_port: Some(5060),
            transport: Transport::Tls,
            outbound_proxy: Some("proxy.example:5070".into()),
        };
    }
    a
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
        for round in 0..300 {
            let accounts = 1 + round % 2;
            let random = assignment(&mut rng, false, accounts);
            let plain = assignment(&mut rng, true, accounts);
            let expected = render(&vendor, &plain).unwrap_or_else(|e| panic!("{vendor}: plain values: {e}"));
            match render(&vendor, &random) {
                Ok(file) => {
                    rendered += 1;
                    assert_eq!(structure(&file), structure(&expected), "{vendor}: {random:?}");
                }
                Err(e) => {
                    refused += 1;
                    let message = e.to_string();
                    let password = random.accounts[0].password.as_deref().unwrap_or_default();
                    assert!(!message.contains(password), "{vendor}: {message}");
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
        for bad in ["pw\r\nX = 1", "pw\nX", "pw\0", "pw\u{7}", "pw\u{1b}[2J"] {
            let mut a = assignment(&mut Rng(1), true, 1);
            a.accounts[0].password = Some(format!("s3cret-{bad}"));
            let err = render(&vendor, &a).expect_err(&format!("{vendor}: {bad:?}"));
            assert!(matches!(err, RenderError::ControlCharacter { .. }), "{vendor}: {err:?}");
            assert!(!err.to_string().contains("s3cret"), "{vendor}: {err}");
        }
    }
}
