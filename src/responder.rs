//! The PnP responder: one datagram and its source in, what to send (or why to stay silent)
//! out. It asks the host's [`Lookup`] what each device gets and renders config files for
//! the URLs it hands out. Sans-IO: no sockets, clocks or threads.

use std::borrow::Cow;
use std::net::SocketAddr;

use crate::assign::{Assignment, Decision, Lookup};
use crate::device::{self, Device, Mac, ip_text};
use crate::error::Error;
use crate::ids::IdGen;
use crate::net::join_host_port;
use crate::render::{self, RenderedFile};
use crate::route::{self, FileKind, Route, Target};
use crate::sip::Subscribe;
use crate::sip::notify::{NotifyParams, build_notify};
use crate::sip::response::{Dialog, OkParams, build_ok};
use crate::sip::search::find_byte;
use crate::sip::writer::Clean;
use crate::template::UrlTemplate;
use crate::text::Text;

/// What to do with devices the host does not know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnknownPolicy {
    /// Stay silent (the default: another server may own the phone).
    #[default]
    Silent,
    /// Answer with the URL template, like for an assigned device.
    Answer,
}

/// How the responder presents itself.
#[derive(Clone, Debug)]
pub struct Config {
    /// Our address for Via and Contact (host name or IP; IPv6 without brackets).
    pub server_host: String,
    pub server_port: u16,
    pub url: UrlTemplate,
    /// Sent as Server (200 OK) and User-Agent (NOTIFY) when set.
    pub user_agent: Option<String>,
    pub unknown: UnknownPolicy,
}

/// One message to send and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub bytes: Vec<u8>,
    /// Destination host (IP literal or a name the host must resolve), without brackets.
    pub host: Text,
    pub port: u16,
    /// `UDP`, `TCP`, …
    pub transport: Text,
}

/// Why the responder stays silent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Silence {
    /// The host's lookup said to ignore this device.
    Ignored,
    /// The device is unknown and the policy is [`UnknownPolicy::Silent`].
    UnknownDevice,
}

/// The responder's answer to one datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "kept inline on purpose: boxing the packets would put allocations back on the answer path"
)]
pub enum Outcome {
    Answer {
        device: Device,
        /// The URL in the NOTIFY body.
        url: String,
        /// The 200 OK, to the datagram's source.
        response: Packet,
        /// The NOTIFY, to the subscriber's Contact.
        notify: Packet,
    },
    Silent {
        device: Device,
        reason: Silence,
    },
}

/// The PnP responder.
pub struct Responder<L> {
    config: Config,
    ids: IdGen,
    lookup: L,
    /// `server_host:server_port` (IPv6 in brackets), for Via and Contact.
    local: String,
    /// `sip:` and `local`: our Contact URI.
    contact: String,
}

impl<L: Lookup> Responder<L> {
    /// A responder whose tags come from the OS's randomness.
    pub fn new(config: Config, lookup: L) -> Result<Responder<L>, Error> {
        Responder::with_ids(config, lookup, IdGen::random())
    }

    /// A responder with explicit id generation (deterministic tests, several processes
    /// answering alike).
    pub fn with_ids(config: Config, lookup: L, ids: IdGen) -> Result<Responder<L>, Error> {
        let host_ok = |h: &str| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic() && !b"<>;,\"".contains(&b));
        if !host_ok(&config.server_host) {
            return Err(Error::InvalidConfig("server host"));
        }
        if config
            .user_agent
            .as_deref()
            .is_some_and(|ua| ua.chars().any(char::is_control))
        {
            return Err(Error::InvalidConfig("user agent"));
        }
        let local = join_host_port(&config.server_host, Some(config.server_port));
        let contact = format!("sip:{local}");
        Ok(Responder {
            config,
            ids,
            lookup,
            local,
            contact,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn lookup(&self) -> &L {
        &self.lookup
    }

    /// Handles one datagram received from `source`.
    pub fn handle(&self, datagram: &[u8], source: SocketAddr) -> Result<Outcome, Error> {
        // Borrowed where it was parsed: moving the large `Subscribe` out first costs a copy.
        match Subscribe::parse(datagram) {
            Ok(ref sub) => self.answer(sub, source, |_| None),
            Err(e) => Err(e.into()),
        }
    }

    /// Answers an already parsed SUBSCRIBE from `source`. `token` gives the `{token}` of the
    /// URL for the identified device (`None` leaves the placeholder as it is); it runs only
    /// when the device is answered.
    pub fn answer(
        &self,
        sub: &Subscribe<'_>,
        source: SocketAddr,
        token: impl FnOnce(&Device) -> Option<String>,
    ) -> Result<Outcome, Error> {
        let device = device::identify(sub, Some(source));
        let (vendor, model) = match self.lookup.lookup(&device)? {
            Decision::Assign(a) => (a.vendor, a.model),
            Decision::Ignore => {
                return Ok(Outcome::Silent {
                    device,
                    reason: Silence::Ignored,
                });
            }
            Decision::Unknown => match self.config.unknown {
                UnknownPolicy::Silent => {
                    return Ok(Outcome::Silent {
                        device,
                        reason: Silence::UnknownDevice,
                    });
                }
                UnknownPolicy::Answer => (None, None),
            },
        };
        let token = token(&device);
        let url = (self.config.url).expand_with_token(&device, vendor.as_deref(), model.as_deref(), token.as_deref());
        let (response, notify) = self.build_answer(sub, &device, source, &url)?;
        Ok(Outcome::Answer {
            device,
            url,
            response,
            notify,
        })
    }

    fn build_answer(
        &self,
        sub: &Subscribe<'_>,
        device: &Device,
        source: SocketAddr,
        url: &str,
    ) -> Result<(Packet, Packet), Error> {
        let from_tag = sub.from.tag.unwrap_or("");
        // The device holds the Call-ID unfolded already: not searched for line breaks again.
        let ids = self.ids.dialog_ids(&device.call_id, from_tag, sub.cseq.seq);
        // Our tag goes only on a To without one (a To tag is the dialog's local tag already).
        let local_tag = ids.tag.as_clean();
        // Validated when the responder was made: written without another check.
        let local = Clean::known(&self.local);
        let contact = Clean::known(&self.contact);
        let user_agent = self.config.user_agent.as_deref().map(Clean::known);
        let dialog = Dialog::of(sub);

        let ok = build_ok(
            sub,
            &OkParams {
                dialog: &dialog,
                source,
                to_tag: local_tag,
                contact,
                server: user_agent,
            },
        )?;
        let response = Packet {
            bytes: ok,
            host: ip_text(source.ip()),
            port: source.port(),
            transport: device.transport.clone(),
        };

        let (target, transport) = notify_target(sub, device);
        let notify_bytes = build_notify(
            sub,
            &NotifyParams {
                dialog: &dialog,
                target: &target,
                transport: &transport,
                local,
                branch: ids.branch.as_clean(),
                local_tag,
                cseq: 1,
                user_agent,
                url,
            },
        )?;
        let notify = Packet {
            bytes: notify_bytes,
            host: device.contact_host.clone().unwrap_or_else(|| ip_text(source.ip())),
            port: device.contact_port,
            transport,
        };
        Ok((response, notify))
    }

    /// Renders the config file of the device with `mac`, as the host's lookup assigns it.
    pub fn render(&self, mac: Mac) -> Result<RenderedFile, Error> {
        self.render_for(Device::from_mac(mac))
    }

    /// Renders the file a phone requested by `path` (the HTTP path or TFTP file name): the
    /// file name tells the vendor and the device, model or common file ([`route::route`]); the
    /// host's lookup says what the device gets. For a model or common file the lookup sees a
    /// device without MAC (vendor, and the model the name gives) and should answer with the
    /// settings those phones share, without accounts.
    pub fn render_path(&self, path: &str) -> Result<RenderedFile, Error> {
        render_path(&self.lookup, path)
    }

    fn render_for(&self, device: Device) -> Result<RenderedFile, Error> {
        render_assignment(self.assigned(&device)?, &device)
    }

    /// The host's assignment for `device`, or [`Error::NotAssigned`].
    fn assigned(&self, device: &Device) -> Result<Assignment, Error> {
        assigned(&self.lookup, device)
    }
}

/// [`Responder::render_path`] without a responder: renders the file requested by `path` with
/// what `lookup` assigns (a CLI or an HTTP server that answers no SUBSCRIBEs needs no more).
pub fn render_path(lookup: &impl Lookup, path: &str) -> Result<RenderedFile, Error> {
    let route = route::route(path).ok_or(Error::UnknownPath)?;
    let device = device_for_route(&route);
    let mut assignment = assigned(lookup, &device)?;
    assignment.mac = assignment.mac.or(device.mac);
    let file = match (&route.target, route.kind) {
        (Target::Device(_), FileKind::Config) => return render_assignment(assignment, &device),
        (Target::Device(_), FileKind::LegacyBinary) => render::grandstream_binary::render(&assignment),
        (Target::Device(_), FileKind::Boot) => render::render_boot(route.vendor, &assignment),
        (Target::Model(_) | Target::Common, FileKind::Config) => {
            render::render_shared(route.vendor, route::file_name(path), &assignment)
        }
        _ => return Err(Error::UnsupportedFile),
    };
    Ok(file?)
}

/// What `lookup` assigns `device`, or [`Error::NotAssigned`].
fn assigned(lookup: &impl Lookup, device: &Device) -> Result<Assignment, Error> {
    match lookup.lookup(device)? {
        Decision::Assign(assignment) => Ok(assignment),
        Decision::Unknown | Decision::Ignore => Err(Error::NotAssigned),
    }
}

/// The device a requested file name names, with the vendor the name implies, and which of
/// its files is asked for. Model and common files are [`Error::UnsupportedFile`] here (they
/// name no device); names that are not provisioning files are [`Error::UnknownPath`].
pub fn device_for_path(path: &str) -> Result<(Device, FileKind), Error> {
    let route = route::route(path).ok_or(Error::UnknownPath)?;
    if !matches!(route.target, Target::Device(_)) {
        return Err(Error::UnsupportedFile);
    }
    Ok((device_for_route(&route), route.kind))
}

/// The device a routed file name stands for: the vendor the name implies, and the MAC of a
/// device file or the model of a model file.
pub fn device_for_route(route: &Route) -> Device {
    let mut device = match &route.target {
        Target::Device(mac) => Device::from_mac(*mac),
        Target::Model(model) => Device {
            model: Some(Text::from(model.as_str())),
            ..Device::default()
        },
        Target::Common => Device::default(),
    };
    device.vendor = Some(Text::from(route.vendor));
    device
}

/// Renders `assignment` for `device`, filling in the MAC and vendor the device is known by
/// when the assignment leaves them out.
pub fn render_assignment(mut assignment: Assignment, device: &Device) -> Result<RenderedFile, Error> {
    assignment.mac = assignment.mac.or(device.mac);
    let vendor = assignment
        .vendor
        .clone()
        .or_else(|| device.vendor.as_deref().map(str::to_owned));
    let vendor = vendor.ok_or(Error::Render(render::RenderError::MissingVendor))?;
    Ok(render::render(&vendor, &assignment)?)
}

/// `ip` as text in one allocation (`to_string` grows its string while formatting).
/// Request-URI and transport for the NOTIFY: the subscriber's Contact, or its source address
/// when the Contact is missing or has no host.
fn notify_target<'a>(sub: &Subscribe<'a>, device: &Device) -> (Cow<'a, str>, Text) {
    let contact_uri = sub.contact.as_ref().map(|c| c.uri).filter(|u| u.host.is_some());
    let transport = contact_uri
        // Most Contacts have no parameters: no search for one then.
        .filter(|u| !u.params.is_empty())
        .and_then(|u| u.param("transport"))
        .and_then(|p| p.value)
        // Only a transport name (`udp`, `tcp`, `tls`, `sctp`, `ws`, …) goes into the Via.
        .filter(|t| !t.is_empty() && t.len() <= 8 && t.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map_or_else(|| device.transport.clone(), Text::upper_case);
    let target = match contact_uri {
        Some(uri) if !uri.scheme.is_empty() => Cow::Borrowed(without_headers(uri.raw)),
        Some(uri) => Cow::Owned(format!("sip:{}", without_headers(uri.raw))),
        None => {
            let host = device.contact_host.as_deref().unwrap_or("invalid");
            let user = sub
                .contact
                .as_ref()
                .and_then(|c| c.uri.user)
                .map(|u| format!("{u}@"))
                .unwrap_or_default();
            Cow::Owned(format!("sip:{user}{}", join_host_port(host, Some(device.contact_port))))
        }
    };
    (target, transport)
}

/// A URI without its `?headers` part.
fn without_headers(uri: &str) -> &str {
    find_byte(uri.as_bytes(), b'?').map_or(uri, |at| &uri[..at])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::NoLookup;
    use crate::sip::unfold;

    const GXP2110: &str = include_str!("../tests/fixtures/seeds/gxp2110.sip");

    fn responder() -> Responder<NoLookup> {
        let config = Config {
            server_host: "192.0.2.10".into(),
            server_port: 5060,
            url: UrlTemplate::new("http://192.0.2.10/{mac}/{token}").expect("template"),
            user_agent: None,
            unknown: UnknownPolicy::Answer,
        };
        Responder::with_ids(
            config,
            NoLookup,
            IdGen::with_secret(b"responder-test-secret-32-bytes!!"),
        )
        .expect("config")
    }

    fn notify_via(contact: &str) -> (String, String) {
        let datagram = GXP2110.replace("Contact: <sip:172.18.32.197:5060>", contact);
        let source = "172.18.32.197:5060".parse().expect("addr");
        match responder().handle(datagram.as_bytes(), source).expect("answers") {
            Outcome::Answer { notify, .. } => {
                let text = String::from_utf8(notify.bytes).expect("utf-8");
                let via = text.lines().find(|l| l.starts_with("Via:")).expect("via").to_owned();
                (via, notify.transport.to_string())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_a_transport_name_from_the_contact_reaches_the_via() {
        let (via, transport) = notify_via("Contact: <sip:172.18.32.197:5060;transport=tcp>");
        assert!(via.starts_with("Via: SIP/2.0/TCP "), "{via}");
        assert_eq!(transport, "TCP");
        let (via, transport) = notify_via("Contact: <sip:172.18.32.197:5060;transport=\"x;y\">");
        assert!(via.starts_with("Via: SIP/2.0/UDP "), "{via}");
        assert_eq!(transport, "UDP");
    }

    #[test]
    fn a_folded_call_id_keys_the_ids_unfolded() {
        let folded = GXP2110.replace("Call-ID: 1278367207-5060-1@", "Call-ID: 1278367207-5060-1\r\n\t @");
        let source = "172.18.32.197:5060".parse().expect("addr");
        let Outcome::Answer { response, .. } = responder().handle(folded.as_bytes(), source).expect("ok") else {
            panic!("silent");
        };
        let sub = Subscribe::parse(folded.as_bytes()).expect("parses");
        let ids = IdGen::with_secret(b"responder-test-secret-32-bytes!!");
        let tag = ids.tag(&unfold(sub.call_id), sub.from.tag.expect("from tag"));
        let text = String::from_utf8(response.bytes).expect("utf-8");
        assert!(text.contains(&format!(";tag={tag}\r\n")), "{tag}");
        assert!(text.contains("\r\nCall-ID: 1278367207-5060-1 @BHC.BI.DC.BJH\r\n"));
    }

    #[test]
    fn the_token_goes_into_the_url_and_the_body() {
        let sub = Subscribe::parse(GXP2110.as_bytes()).expect("parses");
        let source = "172.18.32.197:5060".parse().expect("addr");
        let Outcome::Answer { url, notify, .. } = responder().answer(&sub, source, |_| Some("T0k".into())).expect("ok")
        else {
            panic!("silent");
        };
        assert_eq!(url, "http://192.0.2.10/000b82273b89/T0k");
        assert!(notify.bytes.ends_with(url.as_bytes()));
        let Outcome::Answer { url, .. } = responder().handle(GXP2110.as_bytes(), source).expect("ok") else {
            panic!("silent");
        };
        assert_eq!(
            url, "http://192.0.2.10/000b82273b89/{token}",
            "no token: placeholder kept"
        );
    }
}
