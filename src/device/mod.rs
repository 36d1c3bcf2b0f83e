//! Device identity: who sent a SUBSCRIBE (MAC, vendor, model, firmware) and where it
//! listens, gathered from every place phones put it.

mod mac;
pub mod oui;
pub mod user_agent;

use std::net::{IpAddr, SocketAddr};

pub use mac::Mac;

use crate::sip::{Subscribe, unfold};
use crate::text::Text;

/// Where the MAC was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacSource {
    RequestUri,
    To,
    From,
    UserAgent,
    /// Given by the host (rendering for a known MAC).
    Host,
}

impl MacSource {
    pub fn as_str(self) -> &'static str {
        match self {
            MacSource::RequestUri => "request-uri",
            MacSource::To => "to",
            MacSource::From => "from",
            MacSource::UserAgent => "user-agent",
            MacSource::Host => "host",
        }
    }
}

/// What is known about one phone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device {
    pub mac: Option<Mac>,
    pub mac_source: Option<MacSource>,
    /// Canonical lower-case vendor id (`grandstream`, `snom`, …).
    pub vendor: Option<Text>,
    pub model: Option<Text>,
    pub firmware: Option<Text>,
    /// Event `profile-type` (`device`, `application`, …).
    pub profile_type: Option<Text>,
    pub user_agent: Option<Text>,
    /// Where the phone takes requests (its Contact), without IPv6 brackets.
    pub contact_host: Option<Text>,
    /// Contact port; 5060 (5061 for sips) when the Contact names none.
    pub contact_port: u16,
    /// Transport of the topmost Via, as written (`UDP`, …).
    pub transport: Text,
    pub call_id: Text,
    /// The phone's address: the datagram's source, else the Contact host if it is an IP.
    pub ip: Option<IpAddr>,
}

impl Device {
    /// A device known only by its MAC (the host asks for its config).
    pub fn from_mac(mac: Mac) -> Device {
        Device {
            mac: Some(mac),
            mac_source: Some(MacSource::Host),
            vendor: oui::vendor_for(mac.oui()).map(Text::from),
            contact_port: 5060,
            ..Device::default()
        }
    }

    /// The Contact as `host:port` (IPv6 in brackets), or `None` without a host.
    pub fn contact(&self) -> Option<String> {
        let host = self.contact_host.as_deref()?;
        Some(crate::net::join_host_port(host, Some(self.contact_port)))
    }
}

/// Gathers the identity of the phone that sent `sub` (from `source`, if known).
pub fn identify(sub: &Subscribe<'_>, source: Option<SocketAddr>) -> Device {
    let user_agent = sub.user_agent.map(unfold);
    let (mac, mac_source) = find_mac(sub, user_agent.as_deref());
    let [profile_type, event_vendor, event_model, event_version] = sub.event.identity();
    // The User-Agent is read for model and firmware only when the Event lacks them.
    let ua_parts = match (&event_model, &event_version) {
        (Some(_), Some(_)) => (None, None),
        _ => user_agent
            .as_deref()
            .map(user_agent::model_and_firmware)
            .unwrap_or_default(),
    };
    let model = event_model.map(Text::from).or_else(|| ua_parts.0.map(Text::from));
    let firmware = event_version.map(Text::from).or_else(|| ua_parts.1.map(Text::from));
    let vendor = find_vendor(sub, mac, user_agent.as_deref(), event_vendor);

    let contact_uri = sub.contact.as_ref().map(|c| c.uri);
    let via = &sub.vias[0];
    let contact_host = contact_uri
        .and_then(|u| u.host)
        .map(Text::from)
        .or_else(|| source.map(|s| ip_text(s.ip())))
        .or_else(|| Some(Text::from(via.host)));
    let default_port = if contact_uri.is_some_and(|u| u.scheme.eq_ignore_ascii_case("sips")) {
        5061
    } else {
        5060
    };
    // Port 0 is no port: it counts as absent (the NOTIFY must never go to port 0).
    let given = |port: Option<u16>| port.filter(|&p| p != 0).unwrap_or(default_port);
    let contact_port = match contact_uri {
        Some(u) if u.host.is_some() => given(u.port),
        _ => source.map_or(given(via.port), |s| s.port()),
    };
    let ip = source
        .map(|s| s.ip())
        .or_else(|| contact_host.as_deref().and_then(|h| h.parse().ok()));

    Device {
        mac,
        mac_source: mac.and(mac_source),
        vendor,
        model,
        firmware,
        profile_type: profile_type.map(Text::from),
        user_agent: user_agent.map(Text::from),
        contact_host,
        contact_port,
        transport: Text::upper_case(via.transport),
        call_id: Text::from(unfold(sub.call_id)),
        ip,
    }
}

/// `ip` as its `Display` writes it.
pub fn ip_text(ip: IpAddr) -> Text {
    let mut bytes = [0u8; 64];
    let text = crate::sip::writer::ip_bytes(ip, &mut bytes);
    Text::from(std::str::from_utf8(text).expect("an address prints as ASCII"))
}

fn find_mac(sub: &Subscribe<'_>, user_agent: Option<&str>) -> (Option<Mac>, Option<MacSource>) {
    let from_uri_users = [
        (sub.request_uri.user, MacSource::RequestUri),
        (sub.to.uri.user, MacSource::To),
        (sub.from.uri.user, MacSource::From),
    ];
    for (user, source) in from_uri_users {
        if let Some(mac) = user.and_then(Mac::from_uri_user) {
            return (Some(mac), Some(source));
        }
    }
    match user_agent.and_then(Mac::from_free_text) {
        Some(mac) => (Some(mac), Some(MacSource::UserAgent)),
        None => (None, None),
    }
}

/// OUI first, then the User-Agent, then the Event `vendor` (unless it is a placeholder such
/// as `OEM`), then snom's lower-case `%3a` escape, which only snom-derived firmware writes.
/// A vendor name sippnp does not know is reported lower-cased as sent.
fn find_vendor(
    sub: &Subscribe<'_>,
    mac: Option<Mac>,
    user_agent: Option<&str>,
    event_vendor: Option<std::borrow::Cow<'_, str>>,
) -> Option<Text> {
    let known = mac
        .and_then(|m| oui::vendor_for(m.oui()))
        .or_else(|| user_agent.and_then(user_agent::vendor));
    if let Some(v) = known {
        return Some(Text::from(v));
    }
    if let Some(named) = event_vendor.filter(|v| !v.eq_ignore_ascii_case("oem")) {
        return Some(user_agent::vendor(&named).map_or_else(|| Text::from(named.to_ascii_lowercase()), Text::from));
    }
    let uri_user = sub.request_uri.user.unwrap_or("");
    uri_user.contains("%3a").then(|| Text::from("snom"))
}
