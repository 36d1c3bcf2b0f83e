//! Device identity: who sent a SUBSCRIBE (MAC, vendor, model, firmware) and where it
//! listens, gathered from every place phones put it.

mod mac;
pub mod oui;
pub mod user_agent;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

pub use mac::Mac;

use crate::sip::params::leading_decimal;
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
    let contact_uri = sub.contact.as_ref().map(|c| c.uri);
    let contact_uri_host = contact_uri.and_then(|u| u.host);
    let via = &sub.vias[0];
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

    // Each text is made where the `Device` holds it: a `Text` is too big to move around freely.
    Device {
        mac,
        mac_source: mac.and(mac_source),
        vendor: find_vendor(sub, mac, user_agent.as_deref(), event_vendor),
        model: event_model.as_deref().or(ua_parts.0).map(Text::from),
        firmware: event_version.as_deref().or(ua_parts.1).map(Text::from),
        profile_type: profile_type.as_deref().map(Text::from),
        user_agent: user_agent.as_deref().map(Text::from),
        // The Contact's host, else the datagram's source, else the Via's sent-by.
        contact_host: Some(match (contact_uri_host, source) {
            (Some(host), _) => Text::from(host),
            (None, Some(source)) => ip_text(source.ip()),
            (None, None) => Text::from(via.host),
        }),
        contact_port,
        transport: Text::upper_case(via.transport),
        call_id: Text::from(unfold(sub.call_id)),
        // Without a source, the contact host above if it is an address.
        ip: match source {
            Some(source) => Some(source.ip()),
            None => parse_ip(contact_uri_host.unwrap_or(via.host)),
        },
    }
}

/// `text.parse::<IpAddr>().ok()`, with the usual dotted quad read directly.
fn parse_ip(text: &str) -> Option<IpAddr> {
    match dotted_quad(text) {
        Some(v4) => Some(IpAddr::V4(v4)),
        None => text.parse().ok(),
    }
}

/// `text` when it is four decimal octets of one to three digits, each at most 255 and
/// without a leading zero: a subset of what `Ipv4Addr::from_str` takes, read the same way.
/// `None` does not mean `text` is no address, only that it is not in that simple form.
fn dotted_quad(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut rest = text.as_bytes();
    for (i, octet) in octets.iter_mut().enumerate() {
        if i > 0 {
            rest = rest.strip_prefix(b".")?;
        }
        let (value, digits) = leading_decimal(rest);
        if !(1..=3).contains(&digits) || (digits > 1 && rest[0] == b'0') {
            return None;
        }
        *octet = u8::try_from(value).ok()?;
        rest = &rest[digits..];
    }
    rest.is_empty().then_some(Ipv4Addr::from(octets))
}

/// `ip` as its `Display` writes it.
pub fn ip_text(ip: IpAddr) -> Text {
    let mut bytes = [0u8; 64];
    let text = crate::sip::writer::ip_bytes(ip, &mut bytes);
    // Checked a word at a time: `str::from_utf8` cost as much as the rest of this function.
    Text::from(crate::swar::ascii_str(text).expect("an address prints as ASCII"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_text_is_display() {
        let mut ips: Vec<IpAddr> = [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.0.1",
            "172.18.32.197",
            "::",
            "::1",
            "fe80::1",
            "::ffff:1.2.3.4",
            "2001:db8::8:800:200c:417a",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        ]
        .map(|t| t.parse().unwrap())
        .to_vec();
        ips.extend((0..=255u8).map(|b| IpAddr::from([b, b / 2, 255 - b, 9])));
        for ip in ips {
            assert_eq!(ip_text(ip).as_str(), ip.to_string());
        }
    }

    #[test]
    fn dotted_quads_read_as_the_standard_parser_reads_them() {
        let mut texts: Vec<String> = [
            "172.18.32.197",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.",
            "1.2.3.4.5",
            ".1.2.3",
            "01.2.3.4",
            "1.02.3.4",
            "1.2.3.00",
            "1.2.3.0",
            "1..2.3",
            "1.2.3.4 ",
            " 1.2.3.4",
            "1.2.3.+4",
            "1.2.3.1000",
            "0001.2.3.4",
            "::1",
            "fe80::1",
            "::ffff:1.2.3.4",
            "",
            "a.b.c.d",
            "1.2.3.4a",
            "999.1.1.1",
            "1.2.3.255",
        ]
        .map(String::from)
        .to_vec();
        for a in [
            "0", "1", "9", "10", "99", "100", "199", "200", "249", "250", "255", "256", "300", "00", "010",
        ] {
            texts.push(format!("{a}.{a}.{a}.{a}"));
            texts.push(format!("10.{a}.0.1"));
        }
        for text in &texts {
            let standard = text.parse::<IpAddr>().ok();
            assert_eq!(parse_ip(text), standard, "{text:?}");
            if let Some(v4) = dotted_quad(text) {
                assert_eq!(Some(IpAddr::V4(v4)), standard, "{text:?}");
            }
        }
        assert!(dotted_quad("172.18.32.197").is_some());
    }
}
