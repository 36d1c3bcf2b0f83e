//! `sippnp serve`: the reference server around the library's sans-IO [`Engine`].
//!
//! One loop owns the engine. Reader threads feed it datagrams (the unicast socket, and with
//! `--multicast` a socket bound to 224.0.1.75:5060); the HTTP thread feeds it requests. The
//! loop waits at most until the engine's next timer, hands every input to the engine, sends
//! what `poll_transmit` gives, logs one line per `poll_event`, and runs `handle_timeout` when a
//! timer is due (NOTIFY retransmissions T1 → T2, Timer F, rate-limit buckets, token expiry are
//! the engine's business, not this file's).
//!
//! Log lines (stderr), one per engine event, never a packet or a secret (the token is shown
//! as `***`):
//!
//! ```text
//! discovered mac=000b82273b89 vendor=grandstream model=GXP2110 fw=1.0.1.108 ip=192.0.2.77:5080
//! answered mac=000b82273b89 url=http://192.0.2.10/prov/***/
//! notified mac=000b82273b89 attempt=1
//! acknowledged mac=000b82273b89 status=200
//! failed mac=000b82273b89 reason=timeout
//! http GET /prov/***/cfg000b82273b89.xml from 192.0.2.77 status=200
//! ```

use std::ffi::CStr;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4, ToSocketAddrs, UdpSocket};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use sippnp::Error;
use sippnp::device::{Device, Mac};
use sippnp::engine::{Engine, EngineConfig, Event, FailReason};
use sippnp::net::join_host_port;
use sippnp::responder::{Packet, Silence, device_for_path};
use sippnp::sip::MAX_DATAGRAM;
use socket2::{Domain, Protocol, Socket, Type};

use super::args::{Args, printable};
use super::devices::Inventory;
use super::http::{self, Reply, UrlLayout};
use super::{Failure, host_port, responder, socket_addr, unknown_policy, url_template};

/// The SIP PnP multicast group (RFC 6080 §4.1) and the port phones send to.
const PNP_GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 1, 75);
const PNP_PORT: u16 = 5060;

/// Everything the loop waits for.
enum Input {
    Datagram {
        data: Vec<u8>,
        source: SocketAddr,
    },
    Http(http::Request),
    /// A reader thread stopped on a socket error.
    Broken(String),
}

/// The command line of `serve`, checked.
struct Options {
    listen: SocketAddr,
    server: Option<(String, u16)>,
    http: Option<SocketAddr>,
    multicast: bool,
    interface: Option<String>,
    count: Option<u64>,
    duration: Option<Duration>,
    engine: EngineConfig,
}

pub fn run(args: Args) -> Result<u8, Failure> {
    let options = options(&args)?;
    let (count, duration) = (options.count, options.duration);
    let url = url_template(&args)?;
    let layout = UrlLayout::new(url.as_str()).map_err(|e| Failure::Usage(format!("--url: {e}")))?;
    let devices = args.required("--devices").map_err(Failure::Usage)?;
    let unknown = args
        .value("--unknown")
        .map(unknown_policy)
        .transpose()?
        .unwrap_or_default();
    if !args.positional.is_empty() {
        return Err(Failure::Usage("serve takes no FILE".into()));
    }
    let inventory = Inventory::load(Path::new(devices))?;

    let socket = bind_udp(options.listen)?;
    let local = socket
        .local_addr()
        .map_err(|e| Failure::System(format!("socket: {e}")))?;
    let group = if options.multicast {
        Some(join_group(options.interface.as_deref())?)
    } else {
        None
    };
    let (server_host, server_port) = options
        .server
        .clone()
        .unwrap_or_else(|| (local.ip().to_string(), local.port()));
    if server_host.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified()) {
        eprintln!("sippnp: warning: Via and Contact will say {server_host}; give --server HOST:PORT");
    }
    let responder = responder(server_host, server_port, url, unknown, inventory)?;
    let us = join_host_port(&responder.config().server_host, Some(responder.config().server_port));
    let engine = Engine::new(responder, options.engine);

    let (tx, rx) = mpsc::channel();
    read_datagrams(&socket, tx.clone())?;
    let mut joined = String::new();
    if let Some((group_socket, on)) = group {
        read_datagrams(&group_socket, tx.clone())?;
        joined = format!(", group {PNP_GROUP}:{PNP_PORT} on {on}");
    }
    eprintln!("sippnp: listening on udp {local} (Via/Contact {us}{joined})");
    if let Some(addr) = options.http {
        let bound = http::start(addr, tx.clone(), Input::Http).map_err(Failure::System)?;
        let token = if layout.has_token() { ", token required" } else { "" };
        eprintln!("sippnp: http on {bound}{token}");
    }
    drop(tx);

    let mut server = Server {
        engine,
        socket,
        layout,
        start: Instant::now(),
    };
    server.run(rx, count, duration)
}

fn options(args: &Args) -> Result<Options, Failure> {
    let listen = socket_addr(args.required("--listen").map_err(Failure::Usage)?, "--listen")?;
    let server = args.value("--server").map(|s| host_port(s, "--server")).transpose()?;
    let http = args.value("--http").map(|s| socket_addr(s, "--http")).transpose()?;
    let multicast = args.switch("--multicast");
    let interface = args.value("--interface").map(str::to_owned);
    if interface.is_some() && !multicast {
        return Err(Failure::Usage("--interface needs --multicast".into()));
    }
    if multicast && !listen.is_ipv4() {
        return Err(Failure::Usage("--multicast needs an IPv4 --listen address".into()));
    }
    let mut engine = EngineConfig::default();
    if let Some(ms) = number(args, "--t1-ms")? {
        engine.t1_ms = ms;
    }
    if let Some(ms) = number(args, "--t2-ms")? {
        engine.t2_ms = ms;
    }
    if let Some(ms) = number(args, "--timer-f-ms")? {
        engine.timer_f_ms = ms;
    }
    if let Some(ms) = number(args, "--token-ttl-ms")? {
        engine.token_ttl_ms = ms;
    }
    if engine.t2_ms < engine.t1_ms {
        return Err(Failure::Usage("--t2-ms must not be below --t1-ms".into()));
    }
    Ok(Options {
        listen,
        server,
        http,
        multicast,
        interface,
        count: number(args, "--count")?,
        duration: number(args, "--duration-ms")?.map(Duration::from_millis),
        engine,
    })
}

/// The positive number given as `option`, if any.
fn number(args: &Args, option: &str) -> Result<Option<u64>, Failure> {
    args.value(option)
        .map(|n| {
            n.parse::<u64>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| Failure::Usage(format!("{option}: \"{}\" is not a positive number", printable(n))))
        })
        .transpose()
}

// ---- sockets ------------------------------------------------------------------------------

/// A UDP socket bound to `addr` with SO_REUSEADDR and SO_REUSEPORT, so that it can share a
/// port with a PBX that sets them too.
fn bind_udp(addr: SocketAddr) -> Result<UdpSocket, Failure> {
    let failed = |e: io::Error| Failure::System(format!("cannot listen on udp {addr}: {e}"));
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP)).map_err(failed)?;
    socket.set_reuse_address(true).map_err(failed)?;
    socket.set_reuse_port(true).map_err(failed)?;
    socket.bind(&addr.into()).map_err(failed)?;
    Ok(socket.into())
}

/// A socket bound to 224.0.1.75:5060 that joined the group on `interface` (a name or an IPv4
/// address; the kernel's choice without one), and a description of that interface. Bound to the
/// group address, it receives the phones' multicast SUBSCRIBEs and nothing else; the unicast
/// socket sends the answers and receives the phones' answers to our NOTIFYs.
fn join_group(interface: Option<&str>) -> Result<(UdpSocket, String), Failure> {
    let on = match interface {
        None => Ipv4Addr::UNSPECIFIED,
        Some(text) => match text.parse::<Ipv4Addr>() {
            Ok(addr) => addr,
            Err(_) => interface_address(text)?,
        },
    };
    let socket = bind_udp(SocketAddrV4::new(PNP_GROUP, PNP_PORT).into())?;
    socket
        .join_multicast_v4(&PNP_GROUP, &on)
        .map_err(|e| Failure::System(format!("cannot join {PNP_GROUP} on {on}: {e}")))?;
    let described = match interface {
        Some(name) if name.parse::<Ipv4Addr>().is_err() => format!("{} ({on})", printable(name)),
        _ if on.is_unspecified() => "the default interface".to_owned(),
        _ => on.to_string(),
    };
    Ok((socket, described))
}

/// The first IPv4 address of the network interface called `name` (getifaddrs).
fn interface_address(name: &str) -> Result<Ipv4Addr, Failure> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head that we free with freeifaddrs below.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return Err(Failure::System(format!("getifaddrs: {}", io::Error::last_os_error())));
    }
    let mut found = None;
    let mut entry = list;
    while !entry.is_null() {
        // SAFETY: entries of the list getifaddrs returned, valid until freeifaddrs.
        let ifa = unsafe { &*entry };
        entry = ifa.ifa_next;
        if ifa.ifa_name.is_null() || ifa.ifa_addr.is_null() {
            continue;
        }
        // SAFETY: a NUL-terminated name owned by the list.
        let this = unsafe { CStr::from_ptr(ifa.ifa_name) };
        // SAFETY: ifa_addr points to a sockaddr whose family says its real type.
        if this.to_bytes() == name.as_bytes() && i32::from(unsafe { (*ifa.ifa_addr).sa_family }) == libc::AF_INET {
            // SAFETY: an AF_INET address is a sockaddr_in.
            let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
            found = Some(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)));
            break;
        }
    }
    // SAFETY: the list from getifaddrs above, freed once.
    unsafe { libc::freeifaddrs(list) };
    found.ok_or_else(|| {
        Failure::Usage(format!(
            "--interface: no interface \"{}\" with an IPv4 address",
            printable(name)
        ))
    })
}

/// Starts a thread that forwards every datagram `socket` receives to the loop.
fn read_datagrams(socket: &UdpSocket, tx: Sender<Input>) -> Result<(), Failure> {
    let socket = socket
        .try_clone()
        .map_err(|e| Failure::System(format!("socket: {e}")))?;
    thread::Builder::new()
        .name("udp".into())
        .spawn(move || {
            let mut buf = vec![0u8; MAX_DATAGRAM + 1];
            loop {
                let input = match socket.recv_from(&mut buf) {
                    Ok((len, source)) => Input::Datagram {
                        data: buf[..len].to_vec(),
                        source,
                    },
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    // An ICMP error for an earlier send (reported by some systems): not fatal.
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
                        ) =>
                    {
                        continue;
                    }
                    Err(e) => Input::Broken(format!("receive: {e}")),
                };
                let broken = matches!(input, Input::Broken(_));
                if tx.send(input).is_err() || broken {
                    return;
                }
            }
        })
        .map_err(|e| Failure::System(format!("cannot start the receive thread: {e}")))?;
    Ok(())
}

// ---- the loop -----------------------------------------------------------------------------

struct Server {
    engine: Engine<Inventory>,
    /// The unicast socket: everything is sent from it.
    socket: UdpSocket,
    layout: UrlLayout,
    start: Instant,
}

impl Server {
    /// The engine's clock: milliseconds since the server started.
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn run(&mut self, inputs: Receiver<Input>, count: Option<u64>, duration: Option<Duration>) -> Result<u8, Failure> {
        let deadline = duration.map(|d| self.start + d);
        let mut received: u64 = 0;
        while count.is_none_or(|n| received < n) {
            let until_end = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if until_end == Some(Duration::ZERO) {
                break;
            }
            let now = self.now_ms();
            let next_timer = self.engine.next_timeout();
            if next_timer.is_some_and(|due| due <= now) {
                self.engine.handle_timeout(now);
                self.flush(None);
                continue;
            }
            // Wait for input until the engine's next timer or the end of --duration-ms.
            let until_timer = next_timer.map(|due| Duration::from_millis(due - now));
            let wait = match (until_timer, until_end) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let input = match wait {
                Some(wait) => match inputs.recv_timeout(wait) {
                    Ok(input) => input,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => break,
                },
                None => match inputs.recv() {
                    Ok(input) => input,
                    Err(_) => break,
                },
            };
            match input {
                Input::Datagram { data, source } => {
                    received += 1;
                    let now = self.now_ms();
                    if let Err(e) = self.engine.handle_datagram(&data, source, now) {
                        eprintln!("skipped from={source} error={}", quoted(&e.to_string()));
                    }
                    self.flush(Some(source));
                }
                Input::Http(request) => {
                    let reply = self.http(&request);
                    eprintln!(
                        "http {} from {} status={}",
                        http::describe(&request.method, &self.layout.mask(&request.url)),
                        request.client,
                        reply.status
                    );
                    let _ = request.reply.send(reply);
                }
                Input::Broken(message) => return Err(Failure::System(message)),
            }
        }
        Ok(0)
    }

    /// Sends what the engine wants sent and logs its events. `source` is the datagram just
    /// handled, for the events it caused.
    fn flush(&mut self, source: Option<SocketAddr>) {
        while let Some(packet) = self.engine.poll_transmit() {
            if let Err(e) = send(&self.socket, &packet) {
                eprintln!(
                    "send-failed to={} error={}",
                    join_host_port(&packet.host, Some(packet.port)),
                    quoted(&e)
                );
            }
        }
        while let Some(event) = self.engine.poll_event() {
            eprintln!("{}", self.event_line(&event, source));
        }
    }

    fn event_line(&self, event: &Event, source: Option<SocketAddr>) -> String {
        match event {
            Event::Discovered { device } => {
                let ip = source.map_or_else(
                    || device.ip.map_or_else(|| "?".to_owned(), |ip| ip.to_string()),
                    |s| s.to_string(),
                );
                format!(
                    "discovered mac={} vendor={} model={} fw={} ip={ip}",
                    mac_of(device),
                    field(&device.vendor),
                    field(&device.model),
                    field(&device.firmware),
                )
            }
            Event::Answered { device, url } => {
                format!("answered mac={} url={}", mac_of(device), quoted(&self.layout.mask(url)))
            }
            Event::Notified { mac, attempt } => format!("notified mac={} attempt={attempt}", mac_text(*mac)),
            Event::Acknowledged { mac, status } => format!("acknowledged mac={} status={status}", mac_text(*mac)),
            Event::Failed { mac, reason } => {
                let reason = match reason {
                    FailReason::Timeout => "timeout".to_owned(),
                    FailReason::Rejected(status) => format!("rejected status={status}"),
                    FailReason::Evicted => "evicted".to_owned(),
                };
                format!("failed mac={} reason={reason}", mac_text(*mac))
            }
            Event::Silenced { device, reason } => {
                let reason = match reason {
                    Silence::Ignored => "ignored",
                    Silence::UnknownDevice => "unknown",
                };
                format!("silenced mac={} reason={reason}", mac_of(device))
            }
            Event::RateLimited { source } => format!("rate-limited source={source}"),
        }
    }

    /// Answers one HTTP request: the rendered config, 404 for what is not ours, 403 for a
    /// missing, wrong or expired token or one issued to another address or device.
    fn http(&self, request: &http::Request) -> Reply {
        if request.method != "GET" && request.method != "HEAD" {
            return Reply::text(405, "method not allowed");
        }
        let Some(matched) = self.layout.matches(&request.url) else {
            return Reply::text(404, "not found");
        };
        let Ok((device, _)) = device_for_path(matched.file) else {
            return Reply::text(404, "not found");
        };
        if self.layout.has_token() {
            let Some(token) = matched.token else {
                return Reply::text(403, "forbidden");
            };
            match self.engine.verify_token(token, request.client, self.now_ms()) {
                Ok(mac) if Some(mac) == device.mac => {}
                _ => return Reply::text(403, "forbidden"),
            }
        }
        match self.engine.responder().render_path(matched.file) {
            Ok(file) => Reply {
                status: 200,
                content_type: file.content_type,
                body: file.content,
            },
            Err(Error::NotAssigned | Error::UnknownPath | Error::UnsupportedFile) => Reply::text(404, "not found"),
            Err(e) => {
                eprintln!("render-failed mac={} error={}", mac_of(&device), quoted(&e.to_string()));
                Reply::text(500, "cannot render this config")
            }
        }
    }
}

/// Sends `packet` from `socket`.
fn send(socket: &UdpSocket, packet: &Packet) -> Result<(), String> {
    if !packet.transport.eq_ignore_ascii_case("udp") {
        return Err(format!("{} is not supported", printable(&packet.transport)));
    }
    let family_v4 = socket.local_addr().map(|a| a.is_ipv4()).unwrap_or(true);
    let addrs: Vec<SocketAddr> = (packet.host.as_str(), packet.port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .collect();
    let target = addrs
        .iter()
        .find(|a| a.is_ipv4() == family_v4)
        .or(addrs.first())
        .ok_or("no address")?;
    socket
        .send_to(&packet.bytes, target)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn mac_of(device: &Device) -> String {
    mac_text(device.mac)
}

fn mac_text(mac: Option<Mac>) -> String {
    mac.as_ref().map_or_else(|| "none".to_owned(), Mac::to_lower_hex)
}

/// A value from a packet, escaped, `?` when missing.
fn field(value: &Option<sippnp::text::Text>) -> String {
    value.as_deref().map_or_else(|| "?".to_owned(), quoted)
}

/// `text` escaped and capped; in double quotes when it has spaces or quotes, so that every
/// `key=value` of a line stays one word.
fn quoted(text: &str) -> String {
    let shown = printable(text);
    if shown.is_empty() || shown.contains([' ', '"']) {
        format!("\"{}\"", shown.replace('"', "\\\""))
    } else {
        shown
    }
}
