//! The HTTP side of `sippnp serve`: a `tiny_http` server on its own thread that hands each
//! request to the serve loop (which owns the engine) and writes back what the loop decided,
//! and [`UrlLayout`], which tells from the `--url` template where a request carries its token.
//!
//! A request path is ours when its directories match the template's: literal segments
//! exactly, `{token}` capturing the token, any other placeholder (`{mac}`, …) matching one
//! segment. The last segment is the file name the phone asks for (`cfg000b82273b89.xml`), which
//! `Responder::render_path` routes to a vendor and a device. The token may also ride in the
//! query (`?token={token}`).

use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use super::args::printable;

/// A request handed to the serve loop.
pub struct Request {
    pub method: String,
    /// Path and query as sent (`/prov/TOKEN/cfg000b82273b89.xml`).
    pub url: String,
    pub client: IpAddr,
    pub reply: Sender<Reply>,
}

/// What the serve loop answers.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    /// A short plain-text answer (`404 not found`).
    pub fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{status} {text}\n").into_bytes(),
        }
    }
}

/// How long the HTTP thread waits for the serve loop before answering 503.
const LOOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds `addr` and starts the thread that forwards every request through `wrap` to the serve
/// loop. Returns the bound address (port 0 picks a free one).
pub fn start<T: Send + 'static>(
    addr: SocketAddr,
    to_loop: Sender<T>,
    wrap: fn(Request) -> T,
) -> Result<SocketAddr, String> {
    let server = tiny_http::Server::http(addr).map_err(|e| format!("cannot listen on http {addr}: {e}"))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| format!("http {addr}: not an IP listener"))?;
    thread::Builder::new()
        .name("http".into())
        .spawn(move || {
            for request in server.incoming_requests() {
                let Some(client) = request.remote_addr().map(|a| a.ip()) else {
                    let _ = request.respond(response(Reply::text(400, "bad request")));
                    continue;
                };
                let (reply, answer) = mpsc::channel();
                let forwarded = Request {
                    method: request.method().as_str().to_owned(),
                    url: request.url().to_owned(),
                    client,
                    reply,
                };
                if to_loop.send(wrap(forwarded)).is_err() {
                    // The serve loop has ended: the process is about to exit.
                    let _ = request.respond(response(Reply::text(503, "shutting down")));
                    return;
                }
                let reply = answer
                    .recv_timeout(LOOP_TIMEOUT)
                    .unwrap_or_else(|_| Reply::text(503, "busy"));
                // A client that went away is not our problem.
                let _ = request.respond(response(reply));
            }
        })
        .map_err(|e| format!("cannot start the http thread: {e}"))?;
    Ok(bound)
}

fn response(reply: Reply) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    if let Ok(header) = tiny_http::Header::from_bytes(&b"Content-Type"[..], reply.content_type.as_bytes()) {
        response.add_header(header);
    }
    response
}

/// One directory segment of the template's path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// Must be equal.
    Literal(String),
    /// The token.
    Token,
    /// A placeholder the request fills in (`{mac}`, `{vendor}`, …): any one segment.
    Any,
}

/// Where a URL made from the template carries its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlLayout {
    /// The template's directories (every path segment but the last).
    dirs: Vec<Segment>,
    /// The query key whose value is `{token}`.
    query_key: Option<String>,
}

/// A request the layout recognises.
#[derive(Debug, PartialEq, Eq)]
pub struct Matched<'a> {
    /// The file name asked for (the last path segment).
    pub file: &'a str,
    /// The token, when the template has one and the request carries it.
    pub token: Option<&'a str>,
}

const TOKEN: &str = "{token}";

impl UrlLayout {
    /// The layout of URL template `template`. `{token}` must be a whole directory segment
    /// (`…/{token}/…`) or a whole query value (`?token={token}`), and appear once.
    pub fn new(template: &str) -> Result<UrlLayout, String> {
        let (path, query) = split_url(template);
        let mut segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let file = segments.pop().unwrap_or("");
        let dirs: Vec<Segment> = segments
            .iter()
            .map(|s| match *s {
                TOKEN => Segment::Token,
                s if s.contains('{') => Segment::Any,
                s => Segment::Literal(s.to_owned()),
            })
            .collect();
        let query_key = query.and_then(|q| {
            q.split('&').find_map(|pair| {
                pair.split_once('=')
                    .filter(|(_, v)| *v == TOKEN)
                    .map(|(k, _)| k.to_owned())
            })
        });
        let placed = dirs.iter().filter(|d| **d == Segment::Token).count() + usize::from(query_key.is_some());
        if template.matches(TOKEN).count() != placed || placed > 1 || file.contains(TOKEN) {
            return Err(
                "{token} must appear once, as a whole path segment (http://host/prov/{token}/) or a query value (?token={token})"
                    .into(),
            );
        }
        Ok(UrlLayout { dirs, query_key })
    }

    /// Whether URLs carry a token that requests must present.
    pub fn has_token(&self) -> bool {
        self.query_key.is_some() || self.dirs.contains(&Segment::Token)
    }

    /// Matches request target `url` (`/path?query`): `None` when it is not a path of ours.
    pub fn matches<'a>(&self, url: &'a str) -> Option<Matched<'a>> {
        let (path, query) = split_target(url);
        let mut segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let file = segments.pop().unwrap_or("");
        if segments.len() != self.dirs.len() || file.is_empty() {
            return None;
        }
        let mut token = None;
        for (want, got) in self.dirs.iter().zip(&segments) {
            match want {
                Segment::Literal(text) if text != got => return None,
                Segment::Token => token = Some(*got),
                _ if got.is_empty() => return None,
                _ => {}
            }
        }
        if let Some(key) = &self.query_key {
            token = query.and_then(|q| {
                q.split('&')
                    .find_map(|pair| pair.split_once('=').filter(|(k, _)| k == key).map(|(_, v)| v))
            });
        }
        Some(Matched {
            file,
            token: token.filter(|t| !t.is_empty()),
        })
    }

    /// `url` (a whole URL made from the template, or a request target) with the token replaced
    /// by `***`, for logs.
    pub fn mask(&self, url: &str) -> String {
        if !self.has_token() {
            return url.to_owned();
        }
        let (prefix, target) = match url.find("://") {
            Some(at) => {
                let rest = &url[at + 3..];
                let end = at + 3 + rest.find(['/', '?', '#']).unwrap_or(rest.len());
                url.split_at(end)
            }
            None => ("", url),
        };
        let (path, query) = split_target(target);
        let mut out = prefix.to_owned();
        let lead = path.len() - path.trim_start_matches('/').len();
        out.push_str(&path[..lead]);
        let segments: Vec<&str> = path[lead..].split('/').collect();
        let last = segments.len().saturating_sub(1);
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            let is_token = i < last && self.dirs.get(i) == Some(&Segment::Token);
            out.push_str(if is_token { "***" } else { segment });
        }
        if let Some(query) = query {
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if self.query_key.as_deref() == Some(k) => format!("{k}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
        }
        out
    }
}

/// Path and query of a whole URL (`scheme://authority/path?query#fragment`).
fn split_url(url: &str) -> (&str, Option<&str>) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let target = rest.find(['/', '?', '#']).map_or("", |at| &rest[at..]);
    split_target(target)
}

/// Path and query of a request target (`/path?query#fragment`).
fn split_target(target: &str) -> (&str, Option<&str>) {
    let target = target.split('#').next().unwrap_or(target);
    match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    }
}

/// `METHOD target`, escaped and capped, for the log.
pub fn describe(method: &str, target: &str) -> String {
    format!("{} {}", printable(method), printable(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_as_a_directory() {
        let layout = UrlLayout::new("http://127.0.0.1:8080/prov/{token}/").unwrap();
        assert!(layout.has_token());
        assert_eq!(
            layout.matches("/prov/abc123/cfg000b82273b89.xml"),
            Some(Matched {
                file: "cfg000b82273b89.xml",
                token: Some("abc123")
            })
        );
        assert_eq!(layout.matches("/prov/cfg000b82273b89.xml"), None);
        assert_eq!(layout.matches("/other/abc/cfg000b82273b89.xml"), None);
        assert_eq!(layout.matches("/prov/abc/"), None);
        assert_eq!(layout.matches("/prov//cfg000b82273b89.xml").unwrap().token, None);
        assert_eq!(
            layout.mask("http://127.0.0.1:8080/prov/abc123/"),
            "http://127.0.0.1:8080/prov/***/"
        );
        assert_eq!(layout.mask("/prov/abc123/cfg1.xml"), "/prov/***/cfg1.xml");
    }

    #[test]
    fn token_in_the_query_and_other_placeholders() {
        let layout = UrlLayout::new("http://pbx/p/{mac}/snom{model}-{MAC}.htm?x=1&token={token}").unwrap();
        let m = layout
            .matches("/p/000413aabbcc/snom370-000413AABBCC.htm?x=1&token=t0k")
            .unwrap();
        assert_eq!(m.file, "snom370-000413AABBCC.htm");
        assert_eq!(m.token, Some("t0k"));
        assert_eq!(layout.matches("/p/000413aabbcc/x.htm").unwrap().token, None);
        assert_eq!(
            layout.mask("http://pbx/p/0004/snom370-0004.htm?x=1&token=t0k"),
            "http://pbx/p/0004/snom370-0004.htm?x=1&token=***"
        );
    }

    #[test]
    fn without_a_token() {
        let layout = UrlLayout::new("http://pbx/prov/{mac}/").unwrap();
        assert!(!layout.has_token());
        assert_eq!(layout.matches("/prov/x/cfg1.xml").unwrap().token, None);
        assert_eq!(layout.mask("http://pbx/prov/x/"), "http://pbx/prov/x/");
        let root = UrlLayout::new("http://pbx").unwrap();
        assert_eq!(
            root.matches("/cfg000b82273b89.xml").unwrap().file,
            "cfg000b82273b89.xml"
        );
        assert_eq!(root.matches("/a/cfg000b82273b89.xml"), None);
    }

    #[test]
    fn misplaced_tokens_are_refused() {
        for template in [
            "http://pbx/prov/t{token}/",
            "http://pbx/prov/{token}",
            "http://pbx/{token}/{token}/",
            "http://pbx/?a={token}x",
            "http://{token}.pbx/",
            "http://pbx/{token}/?token={token}",
        ] {
            assert!(UrlLayout::new(template).is_err(), "{template}");
        }
    }
}
