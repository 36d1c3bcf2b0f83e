//! `sippnp`: SIP Plug-and-Play provisioning from the command line, on top of the `sippnp`
//! library. See `sippnp --help`, and `examples/devices.toml` for the devices file.
//!
//! ```text
//! cargo run --release --example sippnp -- parse tests/fixtures/seeds/gxp2110.sip
//! cargo run --release --example sippnp -- answer --url 'http://pbx/prov/{mac}.xml' \
//!     --server 192.0.2.10:5060 tests/fixtures/seeds/gxp2110.sip
//! cargo run --release --example sippnp -- render --devices examples/devices.toml --mac 000b82273b89
//! cargo run --release --example sippnp -- render --devices examples/devices.toml --mac 000b82273b89 \
//!     --encrypt 'p1359-password' --out /srv/prov
//! cargo run --release --example sippnp -- decrypt --vendor grandstream --password 'p1359-password' \
//!     /srv/prov/cfg000b82273b89.xml
//! cargo run --release --example sippnp -- serve --listen 192.0.2.10:5070 --multicast --interface eth0 \
//!     --url 'http://192.0.2.10:8080/prov/{token}/' --http 192.0.2.10:8080 --devices examples/devices.toml
//! cargo run --example sippnp -- capabilities > docs/VENDORS.md
//! ```

#[path = "cli/args.rs"]
mod args;
#[path = "cli/capabilities.rs"]
mod capabilities;
#[path = "cli/devices.rs"]
mod devices;
#[path = "cli/http.rs"]
mod http;
#[path = "cli/serve.rs"]
mod serve;

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use sippnp::Error;
use sippnp::crypto::{self, Cipher, yealink};
use sippnp::device::{self, Device, Mac};
use sippnp::net::join_host_port;
use sippnp::render::RenderedFile;
use sippnp::responder::{Config, Outcome, Packet, Responder, Silence, UnknownPolicy, render_assignment, render_path};
use sippnp::route;
use sippnp::sip::Subscribe;
use sippnp::template::UrlTemplate;

use args::{Args, Parsed, Spec, printable};
use devices::{Action, Inventory, LoadError};

const USAGE: &str = "\
sippnp: SIP Plug-and-Play (ua-profile) provisioning from the command line

Usage:
  sippnp parse [FILE...]
  sippnp answer --url TEMPLATE --server HOST:PORT [--devices FILE] [--source IP:PORT]
                [--unknown answer|silent] FILE
  sippnp render --devices FILE (--mac MAC | --path PATH) [--out DIR] [--encrypt KEY [--cipher NAME]]
  sippnp decrypt --vendor NAME (--password P | --key-file FILE) FILE
  sippnp serve --listen IP:PORT --url TEMPLATE --devices FILE [--http IP:PORT]
               [--unknown answer|silent] [--server HOST:PORT]
               [--multicast [--interface NAME|ADDR]] [--count N] [--duration-ms N]
               [--t1-ms N] [--t2-ms N] [--timer-f-ms N] [--token-ttl-ms N]
  sippnp capabilities [--markdown]
  sippnp --help

Commands:
  parse    Parse SUBSCRIBE datagrams (one per FILE; stdin when no FILE or FILE is -)
           and print one JSON object per message: file, mac, mac_source, vendor,
           model, firmware, profile_type, user_agent, contact, transport, call_id.
  answer   Handle the datagram in FILE as if received from --source (default: the
           top Via's sent-by, else 127.0.0.1:5060) and print the 200 OK and the
           NOTIFY it would send, each after a line `# 200 OK -> udp HOST:PORT` /
           `# NOTIFY -> udp HOST:PORT`, or a line `# silent: REASON`.
  render   Print the config file of device MAC from the devices file; its file
           name goes to stderr as `# NAME`. With --out DIR, write it to
           DIR/NAME instead and print `# DIR/NAME`. With --encrypt KEY (needs
           --out), write it encrypted with --cipher (default: the vendor's
           scheme), for yealink with its key file NAME_Security.enc beside it.
  decrypt  Decrypt FILE (- for stdin), a config encrypted with cipher NAME, and
           print the plaintext (yealink: with its space padding).
  serve    The reference server: answer SUBSCRIBEs on a UDP socket (200 OK to
           the sender, to each retransmission too; one NOTIFY to the phone's
           Contact, retransmitted until the phone answers or Timer F), and with
           --http serve the rendered configs. One line per event on stderr
           (discovered, answered, notified, acknowledged, failed, silenced,
           rate-limited, skipped, http), never a packet or a secret.
  capabilities
           Print the vendors x models x files x features table compiled into
           the library, as Markdown (--markdown, the default and only format):
           the generator of docs/VENDORS.md.

Options:
  --url TEMPLATE       Provisioning URL for the NOTIFY body. Expands {mac}, {MAC},
                       {vendor}, {model}, {firmware} and {ip}; serve also
                       {token}, bound to the phone's MAC and address, as a
                       whole path segment (http://h/prov/{token}/) or a query
                       value (?token={token}); --http then answers 403 without it.
  --server HOST:PORT   Our address in Via and Contact (IPv6 as [ADDR]:PORT).
                       serve: defaults to the --listen address.
  --devices FILE       Devices file (TOML, see examples/devices.toml).
  --source IP:PORT     Where the datagram came from (answer).
  --unknown POLICY     Devices not in the devices file: `answer` with the URL or
                       stay `silent`. Default: silent with --devices, else answer.
  --listen IP:PORT     UDP address to receive on and send from (port 0: any free
                       port). Bound with SO_REUSEADDR and SO_REUSEPORT.
  --http IP:PORT       serve: answer HTTP GETs for config files on IP:PORT (the
                       file name picks vendor and device; 404 for anything else).
  --count N            serve: stop after N datagrams.
  --duration-ms N      serve: stop after N milliseconds.
  --t1-ms N, --t2-ms N, --timer-f-ms N
                       serve: NOTIFY retransmission timers (RFC 3261: 500, 4000,
                       32000), shorter in tests.
  --token-ttl-ms N     serve: how long a {token} stays valid.
  --out DIR            render: write the file(s) into DIR (created if missing).
  --encrypt KEY        render: encrypt with KEY: the Grandstream XML config
                       password (P1359), a 16-character Yealink key ('' draws a
                       random one into the key file) or the 16/24/32-character
                       Panasonic CFG_FILE_KEY.
  --cipher NAME        grandstream (openssl enc -aes-256-cbc -md md5),
                       grandstream-sha256 (-md sha256), yealink, panasonic, or
                       fanvil (not public: always an error).
  --vendor NAME        decrypt: the cipher, as for --cipher (also accepted).
  --password P         decrypt: the key or password FILE was encrypted with.
  --key-file FILE      decrypt: yealink: read the key from NAME_Security.enc.
  --multicast          serve: also receive on 224.0.1.75:5060, the SIP PnP group
                       (SO_REUSEADDR/SO_REUSEPORT, so a PBX that sets them too
                       can keep port 5060). Answers leave from --listen, which
                       Via and Contact name (phones answer our NOTIFYs there):
                       listen on a concrete address, not 0.0.0.0.
  --interface NAME|ADDR
                       serve --multicast: join the group on this interface
                       (default: the kernel's choice).
  --markdown           capabilities: print Markdown (the default).
  -h, --help           Show this text.

Exit status: 0 on success, 2 for a bad command line or bad input (datagram,
devices file, unknown MAC, invalid or wrong key), 1 when reading or writing a
file or using the socket fails. Messages never show keys or passwords.
";

const PARSE: Spec = Spec {
    valued: &[],
    switches: &[],
};
const ANSWER: Spec = Spec {
    valued: &["--url", "--server", "--devices", "--source", "--unknown"],
    switches: &[],
};
const RENDER: Spec = Spec {
    valued: &["--devices", "--mac", "--path", "--encrypt", "--cipher", "--out"],
    switches: &[],
};
const DECRYPT: Spec = Spec {
    valued: &["--vendor", "--cipher", "--password", "--key-file"],
    switches: &[],
};
const SERVE: Spec = Spec {
    valued: &[
        "--listen",
        "--url",
        "--devices",
        "--count",
        "--unknown",
        "--server",
        "--http",
        "--interface",
        "--duration-ms",
        "--t1-ms",
        "--t2-ms",
        "--timer-f-ms",
        "--token-ttl-ms",
    ],
    switches: &["--multicast"],
};
const CAPABILITIES: Spec = Spec {
    valued: &[],
    switches: &["--markdown"],
};

/// Why the tool stops.
enum Failure {
    /// Bad command line (exit 2, with a hint to `--help`).
    Usage(String),
    /// Bad input: datagram, devices file, unknown MAC (exit 2).
    Input(String),
    /// Reading a file, writing the output or using the socket failed (exit 1).
    System(String),
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Failure {
        match e {
            LoadError::Io(m) => Failure::System(m),
            LoadError::Invalid(m) => Failure::Input(m),
        }
    }
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1)) {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Usage(message)) => {
            eprintln!("sippnp: {message}");
            eprintln!("Try 'sippnp --help' for usage.");
            ExitCode::from(2)
        }
        Err(Failure::Input(message)) => {
            eprintln!("sippnp: {message}");
            ExitCode::from(2)
        }
        Err(Failure::System(message)) => {
            eprintln!("sippnp: {message}");
            ExitCode::from(1)
        }
    }
}

type Command = fn(Args) -> Result<u8, Failure>;

fn run(mut argv: impl Iterator<Item = String>) -> Result<u8, Failure> {
    let Some(command) = argv.next() else {
        eprint!("{USAGE}");
        return Ok(2);
    };
    let (spec, command): (&Spec, Command) = match command.as_str() {
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            return Ok(0);
        }
        "parse" => (&PARSE, parse),
        "answer" => (&ANSWER, answer),
        "render" => (&RENDER, render),
        "decrypt" => (&DECRYPT, decrypt),
        "serve" => (&SERVE, serve::run),
        "capabilities" => (&CAPABILITIES, capabilities::run),
        other if other.starts_with('-') => {
            return Err(Failure::Usage(format!("unknown option {}", printable(other))));
        }
        other => return Err(Failure::Usage(format!("unknown command {}", printable(other)))),
    };
    match args::parse(spec, argv).map_err(Failure::Usage)? {
        Parsed::Help => {
            print!("{USAGE}");
            Ok(0)
        }
        Parsed::Args(args) => command(args),
    }
}

// ---- parse ------------------------------------------------------------------------------

/// One line of `parse` output.
#[derive(Serialize)]
struct ParsedMessage<'a> {
    file: &'a str,
    mac: Option<String>,
    mac_source: Option<&'static str>,
    vendor: Option<&'a str>,
    model: Option<&'a str>,
    firmware: Option<&'a str>,
    profile_type: Option<&'a str>,
    user_agent: Option<&'a str>,
    contact: Option<String>,
    transport: &'a str,
    call_id: &'a str,
}

fn parse(args: Args) -> Result<u8, Failure> {
    let files = if args.positional.is_empty() {
        vec!["-".to_owned()]
    } else {
        args.positional
    };
    let mut out = io::stdout().lock();
    let mut status = 0;
    for file in &files {
        let data = match read_input(file) {
            Ok(data) => data,
            Err(failure) => {
                status = status.max(report(failure));
                continue;
            }
        };
        let sub = match Subscribe::parse(&data) {
            Ok(sub) => sub,
            Err(e) => {
                status = status.max(report(Failure::Input(format!("{}: {e}", printable(file)))));
                continue;
            }
        };
        let device = device::identify(&sub, None);
        let line = ParsedMessage {
            file,
            mac: device.mac.map(|m| m.to_lower_hex()),
            mac_source: device.mac_source.map(|s| s.as_str()),
            vendor: device.vendor.as_deref(),
            model: device.model.as_deref(),
            firmware: device.firmware.as_deref(),
            profile_type: device.profile_type.as_deref(),
            user_agent: device.user_agent.as_deref(),
            contact: device.contact(),
            transport: &device.transport,
            call_id: &device.call_id,
        };
        let json = serde_json::to_string(&line).map_err(|e| Failure::System(format!("json: {e}")))?;
        writeln!(out, "{json}").map_err(stdout_failed)?;
    }
    Ok(status)
}

/// Prints `failure` as a one-line message (for commands that go on) and returns its status.
fn report(failure: Failure) -> u8 {
    match failure {
        Failure::Usage(m) | Failure::Input(m) => {
            eprintln!("sippnp: {m}");
            2
        }
        Failure::System(m) => {
            eprintln!("sippnp: {m}");
            1
        }
    }
}

// ---- answer -----------------------------------------------------------------------------

fn answer(args: Args) -> Result<u8, Failure> {
    let url = url_template(&args)?;
    let (server_host, server_port) = host_port(args.required("--server").map_err(Failure::Usage)?, "--server")?;
    let devices = args.value("--devices");
    let unknown = match args.value("--unknown") {
        Some(policy) => unknown_policy(policy)?,
        None if devices.is_some() => UnknownPolicy::Silent,
        None => UnknownPolicy::Answer,
    };
    let source = args.value("--source").map(|s| socket_addr(s, "--source")).transpose()?;
    let [file] = args.positional.as_slice() else {
        return Err(Failure::Usage("answer takes exactly one FILE (- for stdin)".into()));
    };
    let inventory = match devices {
        Some(path) => Inventory::load(Path::new(path))?,
        None => Inventory::default(),
    };

    let data = read_input(file)?;
    let bad_input = |e: &dyn std::fmt::Display| Failure::Input(format!("{}: {e}", printable(file)));
    let source = match source {
        Some(source) => source,
        None => Subscribe::parse(&data)
            .map(|sub| via_source(&sub))
            .map_err(|e| bad_input(&e))?,
    };
    let responder = responder(server_host, server_port, url, unknown, inventory)?;
    let mut out = io::stdout().lock();
    match responder.handle(&data, source).map_err(|e| bad_input(&e))? {
        Outcome::Answer { response, notify, .. } => {
            write_packet(&mut out, "200 OK", &response).map_err(stdout_failed)?;
            write_packet(&mut out, "NOTIFY", &notify).map_err(stdout_failed)?;
        }
        Outcome::Silent { device, reason } => {
            writeln!(out, "# silent: {}", silence(reason, &device)).map_err(stdout_failed)?;
        }
    }
    out.flush().map_err(stdout_failed)?;
    Ok(0)
}

/// Where a datagram read from a file came from: the top Via's sent-by when it is an IP
/// address, else 127.0.0.1:5060.
fn via_source(sub: &Subscribe<'_>) -> SocketAddr {
    let via = &sub.vias[0];
    match via.host.parse::<IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, via.port.unwrap_or(5060)),
        Err(_) => SocketAddr::from((Ipv4Addr::LOCALHOST, 5060)),
    }
}

fn write_packet(out: &mut impl Write, what: &str, packet: &Packet) -> io::Result<()> {
    writeln!(out, "# {what} -> {}", destination(packet))?;
    out.write_all(&packet.bytes)?;
    if !packet.bytes.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `udp HOST:PORT`.
fn destination(packet: &Packet) -> String {
    format!(
        "{} {}",
        packet.transport.to_ascii_lowercase(),
        join_host_port(&packet.host, Some(packet.port))
    )
}

fn silence(reason: Silence, device: &Device) -> String {
    match reason {
        Silence::Ignored => format!("{} is ignored (action = \"ignore\")", describe(device)),
        Silence::UnknownDevice => format!("{} is unknown (--unknown silent)", describe(device)),
    }
}

// ---- render -----------------------------------------------------------------------------

/// The device `render` is asked for: `--mac MAC`, or `--path PATH` (a file name a phone
/// requests, which also tells the vendor).
/// The config `render` prints: the device's by `--mac`, or the file a phone requests by
/// `--path` (device, model or common file), with its vendor and how messages name it.
fn rendered_file(
    args: &Args,
    inventory: &Inventory,
    name: &str,
) -> Result<(RenderedFile, Option<String>, String), Failure> {
    match (args.value("--mac"), args.value("--path")) {
        (Some(text), None) => {
            let mac = Mac::parse(text.trim())
                .ok_or_else(|| Failure::Usage(format!("--mac: \"{}\" is not a MAC address", printable(text))))?;
            let device = Device::from_mac(mac);
            let assignment = match inventory.get(mac) {
                Some((Action::Assign, assignment)) => assignment.clone(),
                Some((Action::Ignore, _)) => {
                    return Err(Failure::Input(format!(
                        "{name}: device {mac} has action = \"ignore\": no config to render"
                    )));
                }
                None => return Err(Failure::Input(format!("{name}: no device {mac}"))),
            };
            let vendor = assignment
                .vendor
                .clone()
                .or_else(|| device.vendor.as_deref().map(str::to_owned));
            let file = render_assignment(assignment, &device)
                .map_err(|e| Failure::Input(format!("{name}: device {mac}: {e}")))?;
            Ok((file, vendor, format!("device {mac}")))
        }
        (None, Some(path)) => {
            let shown = printable(path);
            let file = render_path(inventory, path).map_err(|e| {
                Failure::Input(match e {
                    Error::UnknownPath => format!("--path: \"{shown}\" is not a provisioning file name"),
                    Error::UnsupportedFile => {
                        format!("--path: \"{shown}\" is a provisioning file sippnp does not render")
                    }
                    Error::NotAssigned => format!(
                        "{name}: nothing assigned for \"{shown}\" (no such [[device]] or [[shared]], or action = \"ignore\")"
                    ),
                    e => format!("{name}: \"{shown}\": {e}"),
                })
            })?;
            let vendor = route::route(path).map(|r| r.vendor.to_owned());
            Ok((file, vendor, format!("\"{shown}\"")))
        }
        _ => Err(Failure::Usage(
            "render takes exactly one of --mac MAC and --path PATH".into(),
        )),
    }
}

fn render(args: Args) -> Result<u8, Failure> {
    let path = args.required("--devices").map_err(Failure::Usage)?;
    let key = args.value("--encrypt");
    let cipher = args
        .value("--cipher")
        .map(|n| cipher_named(n, "--cipher"))
        .transpose()?;
    let out_dir = args.value("--out").map(Path::new);
    if !args.positional.is_empty() {
        return Err(Failure::Usage("render takes no FILE (use --devices)".into()));
    }
    if cipher.is_some() && key.is_none() {
        return Err(Failure::Usage("--cipher needs --encrypt KEY".into()));
    }
    if key.is_some() && out_dir.is_none() {
        return Err(Failure::Usage(
            "--encrypt needs --out DIR (encrypted files are binary)".into(),
        ));
    }
    let inventory = Inventory::load(Path::new(path))?;
    let name = printable(path);
    let (file, vendor, what) = rendered_file(&args, &inventory, &name)?;
    let Some(dir) = out_dir else {
        eprintln!("# {}", file.file_name);
        let mut out = io::stdout().lock();
        out.write_all(&file.content).map_err(stdout_failed)?;
        out.flush().map_err(stdout_failed)?;
        return Ok(0);
    };
    let files = match key {
        None => vec![file],
        Some(key) => {
            let cipher = match cipher.or_else(|| vendor.as_deref().and_then(Cipher::for_vendor)) {
                Some(cipher) => cipher,
                None => {
                    return Err(Failure::Input(format!(
                        "{name}: {what}: vendor {} has no config encryption; choose one with --cipher",
                        printable(vendor.as_deref().unwrap_or("?"))
                    )));
                }
            };
            // The error names what is wrong with the key, never the key.
            let encrypted =
                crypto::encrypt_file(&file, cipher, key).map_err(|e| Failure::Input(format!("{name}: {what}: {e}")))?;
            std::iter::once(encrypted.file).chain(encrypted.key_file).collect()
        }
    };
    write_files(dir, &files)?;
    Ok(0)
}

/// Writes each file to `dir`/its name (creating `dir`) and prints `# PATH` for each on stderr.
fn write_files(dir: &Path, files: &[RenderedFile]) -> Result<(), Failure> {
    let shown = printable(&dir.to_string_lossy());
    let targets = files
        .iter()
        .map(|file| {
            // Names come from the library (`cfg<mac>.xml`); never let one leave `dir`.
            let base = Path::new(&file.file_name)
                .file_name()
                .filter(|b| *b == file.file_name.as_str());
            base.map(|b| dir.join(b)).ok_or_else(|| {
                Failure::Input(format!(
                    "refusing to write file name \"{}\"",
                    printable(&file.file_name)
                ))
            })
        })
        .collect::<Result<Vec<PathBuf>, Failure>>()?;
    std::fs::create_dir_all(dir).map_err(|e| Failure::System(format!("{shown}: {e}")))?;
    for (file, target) in files.iter().zip(&targets) {
        std::fs::write(target, &file.content)
            .map_err(|e| Failure::System(format!("{}: {e}", printable(&target.to_string_lossy()))))?;
        // The whole path (not capped like messages): scripts read these lines.
        eprintln!("# {}", target.display());
    }
    Ok(())
}

// ---- decrypt ----------------------------------------------------------------------------

fn decrypt(args: Args) -> Result<u8, Failure> {
    let cipher = match (args.value("--vendor"), args.value("--cipher")) {
        (Some(name), None) => cipher_named(name, "--vendor")?,
        (None, Some(name)) => cipher_named(name, "--cipher")?,
        (Some(_), Some(_)) => return Err(Failure::Usage("give --vendor or --cipher, not both".into())),
        (None, None) => return Err(Failure::Usage("missing option --vendor".into())),
    };
    let [file] = args.positional.as_slice() else {
        return Err(Failure::Usage("decrypt takes exactly one FILE (- for stdin)".into()));
    };
    let key = match (args.value("--password"), args.value("--key-file")) {
        (Some(password), None) => password.to_owned(),
        (None, Some(key_file)) if cipher == Cipher::Yealink => {
            let data = read_input(key_file)?;
            yealink::key_from_key_file(&data)
                .map_err(|e| Failure::Input(format!("{}: {e}", printable(key_file))))?
                .as_str()
                .to_owned()
        }
        (None, Some(_)) => return Err(Failure::Usage("--key-file is for --vendor yealink only".into())),
        (Some(_), Some(_)) => return Err(Failure::Usage("give --password or --key-file, not both".into())),
        (None, None) => return Err(Failure::Usage("missing option --password".into())),
    };
    let data = read_input(file)?;
    // The error says what is wrong (wrong key, not this format), never the key.
    let plain =
        crypto::decrypt(cipher, &key, &data).map_err(|e| Failure::Input(format!("{}: {e}", printable(file))))?;
    let mut out = io::stdout().lock();
    out.write_all(&plain).map_err(stdout_failed)?;
    out.flush().map_err(stdout_failed)?;
    Ok(0)
}

/// The cipher called `name` (`grandstream`, `grandstream-sha256`, `yealink`, `panasonic`,
/// `fanvil`), for `option`.
fn cipher_named(name: &str, option: &str) -> Result<Cipher, Failure> {
    Cipher::parse(name).ok_or_else(|| {
        Failure::Usage(format!(
            "{option}: unknown cipher \"{}\" (expected grandstream, grandstream-sha256, yealink, panasonic or fanvil)",
            printable(name)
        ))
    })
}

// ---- shared helpers ---------------------------------------------------------------------

/// `MAC vendor model` of a device, for one-line messages (values from the packet escaped).
fn describe(device: &Device) -> String {
    let mac = device.mac.map_or_else(|| "no-mac".to_owned(), |m| m.to_lower_hex());
    let text = |v: &Option<sippnp::text::Text>| v.as_deref().map_or_else(|| "?".to_owned(), printable);
    format!("{mac} {} {}", text(&device.vendor), text(&device.model))
}

/// The library's responder as the CLI configures it (our product name as User-Agent).
fn responder(
    server_host: String,
    server_port: u16,
    url: UrlTemplate,
    unknown: UnknownPolicy,
    inventory: Inventory,
) -> Result<Responder<Inventory>, Failure> {
    let config = Config {
        server_host,
        server_port,
        url,
        user_agent: Some(user_agent()),
        unknown,
    };
    Responder::new(config, inventory).map_err(|e| Failure::Usage(format!("--server: {e}")))
}

fn user_agent() -> String {
    format!("sippnp/{}", env!("CARGO_PKG_VERSION"))
}

fn url_template(args: &Args) -> Result<UrlTemplate, Failure> {
    let text = args.required("--url").map_err(Failure::Usage)?;
    UrlTemplate::new(text).map_err(|e| Failure::Usage(format!("--url: {e}")))
}

fn unknown_policy(text: &str) -> Result<UnknownPolicy, Failure> {
    match text {
        "answer" => Ok(UnknownPolicy::Answer),
        "silent" => Ok(UnknownPolicy::Silent),
        other => Err(Failure::Usage(format!(
            "--unknown: expected answer or silent, got \"{}\"",
            printable(other)
        ))),
    }
}

fn socket_addr(text: &str, option: &str) -> Result<SocketAddr, Failure> {
    text.parse().map_err(|_| {
        Failure::Usage(format!(
            "{option}: expected IP:PORT (IPv6 as [ADDR]:PORT), got \"{}\"",
            printable(text)
        ))
    })
}

/// `HOST:PORT`, `[IPv6]:PORT`, or a host alone (port 5060). The host comes back without
/// brackets.
fn host_port(text: &str, option: &str) -> Result<(String, u16), Failure> {
    let bad = || {
        Failure::Usage(format!(
            "{option}: expected HOST:PORT (IPv6 as [ADDR]:PORT), got \"{}\"",
            printable(text)
        ))
    };
    let (host, port) = match text.strip_prefix('[') {
        Some(rest) => {
            let (host, after) = rest.split_once(']').ok_or_else(bad)?;
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or_else(bad)?)),
            }
        }
        // A bare IPv6 literal has two colons or more.
        None if text.matches(':').count() > 1 => (text, None),
        None => match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        },
    };
    let port = match port {
        Some(port) => port.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(bad)?,
        None => 5060,
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_owned(), port))
}

/// The bytes of FILE, or of stdin for `-`.
fn read_input(file: &str) -> Result<Vec<u8>, Failure> {
    let mut data = Vec::new();
    let read = if file == "-" {
        io::stdin().lock().read_to_end(&mut data).map(drop)
    } else {
        std::fs::read(file).map(|bytes| data = bytes)
    };
    read.map_err(|e| Failure::System(format!("{}: {e}", printable(file))))?;
    Ok(data)
}

fn stdout_failed(e: io::Error) -> Failure {
    Failure::System(format!("stdout: {e}"))
}
