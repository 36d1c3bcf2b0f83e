//! A minimal HTTP/1.0 GET client for the serve tests, which can bind its source address (the
//! whole 127.0.0.0/8 is loopback on Linux, so 127.0.0.2 is "another machine" to the server).

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

/// An HTTP response: status, Content-Type (if any) and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// `GET target` (`/path?query`) from `server`, sent from `from` when given.
pub fn get(server: SocketAddr, target: &str, from: Option<IpAddr>) -> Response {
    let socket = Socket::new(Domain::for_address(server), Type::STREAM, Some(Protocol::TCP)).expect("socket");
    if let Some(ip) = from {
        socket
            .bind(&SocketAddr::new(ip, 0).into())
            .unwrap_or_else(|e| panic!("bind {ip}: {e}"));
    }
    socket
        .connect_timeout(&server.into(), Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("connect {server}: {e}"));
    let mut stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(
        stream,
        "GET {target} HTTP/1.0\r\nHost: {server}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    let content_type = head.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-type")
            .then(|| value.trim().to_owned())
    });
    Response {
        status,
        content_type,
        body: raw[split + 4..].to_vec(),
    }
}

/// The `/path?query` part of an absolute `http://host:port/path?query` URL.
pub fn target_of(url: &str) -> &str {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    rest.find('/').map_or("/", |at| &rest[at..])
}
