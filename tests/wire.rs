//! What we put on the wire: for every fixture, the 200 OK and the NOTIFY are read back by our
//! own scanner and header parsers and by rsip (an independent parser), and must say what
//! RFC 3261/3581/6665 require. Injection attempts are refused.

mod common;

use std::net::SocketAddr;

use rsip::prelude::*;
use sippnp::assign::NoLookup;
use sippnp::ids::IdGen;
use sippnp::responder::{Config, Outcome, Responder, UnknownPolicy};
use sippnp::sip::addr::NameAddr;
use sippnp::sip::scan::scan;
use sippnp::sip::via::{Rport, Via};
use sippnp::sip::{Subscribe, unfold};
use sippnp::template::UrlTemplate;

fn responder(url: &str) -> Responder<NoLookup> {
    let config = Config {
        server_host: "192.0.2.10".into(),
        server_port: 5060,
        url: UrlTemplate::new(url).unwrap(),
        user_agent: Some("sippnp-test".into()),
        unknown: UnknownPolicy::Answer,
    };
    Responder::with_ids(config, NoLookup, IdGen::with_secret(b"wire-test-secret")).unwrap()
}

/// Header values by (case-insensitive) name, unfolded.
fn headers(bytes: &[u8]) -> (String, Vec<(String, String)>, Vec<u8>) {
    let s = scan(bytes).expect("our scanner reads our own output");
    let start = String::from_utf8(s.start_line.to_vec()).unwrap();
    let hs = s
        .headers
        .iter()
        .map(|h| {
            (
                String::from_utf8(h.name.to_vec()).unwrap(),
                unfold(h.text().unwrap()).into_owned(),
            )
        })
        .collect();
    (start, hs, s.body.to_vec())
}

fn one<'a>(hs: &'a [(String, String)], name: &str) -> &'a str {
    let found: Vec<_> = hs.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).collect();
    assert_eq!(found.len(), 1, "exactly one {name}");
    &found[0].1
}

fn source_of(sub: &Subscribe<'_>) -> SocketAddr {
    let via = &sub.vias[0];
    let ip = via.host.parse().unwrap_or_else(|_| "198.51.100.7".parse().unwrap());
    // A different source port than the Via's, as snom's ephemeral ports produce.
    SocketAddr::new(ip, via.port.unwrap_or(5060).wrapping_add(1))
}

#[test]
fn every_answer_reads_back_correctly_with_our_parser() {
    let r = responder("https://pbx.example/prov/{vendor}/{mac}/");
    for (file, bytes, _) in common::fixtures() {
        let sub = Subscribe::parse(&bytes).unwrap();
        let source = source_of(&sub);
        let Outcome::Answer {
            url, response, notify, ..
        } = r.handle(&bytes, source).unwrap()
        else {
            panic!("{file}: silent")
        };

        // 200 OK, to the datagram's source.
        assert_eq!(
            (response.host.as_str(), response.port),
            (source.ip().to_string().as_str(), source.port())
        );
        let (start, hs, body) = headers(&response.bytes);
        assert_eq!(start, "SIP/2.0 200 OK", "{file}");
        assert!(body.is_empty());
        let vias: Vec<_> = hs.iter().filter(|(n, _)| n == "Via").collect();
        assert_eq!(vias.len(), sub.vias.len(), "{file}: every Via copied");
        let top = Via::parse(&vias[0].1).unwrap();
        assert_eq!(top.branch, sub.vias[0].branch, "{file}");
        // RFC 3261 §18.2.1: `received` when the sent-by host is not the source address;
        // RFC 3581: always (and `rport` filled) when the client asked for rport.
        let source_ip = source.ip().to_string();
        if sub.vias[0].rport != Rport::Absent || sub.vias[0].host != source_ip {
            assert_eq!(top.received, Some(source_ip.as_str()), "{file}");
        } else {
            assert_eq!(top.received, None, "{file}");
        }
        if sub.vias[0].rport != Rport::Absent {
            assert_eq!(top.rport, Rport::Filled(source.port()), "{file}");
        }
        let to = NameAddr::parse(one(&hs, "To")).unwrap();
        let to_tag = to.tag.expect("our tag on To");
        assert_eq!(one(&hs, "From"), unfold(sub.from.raw), "{file}");
        assert_eq!(one(&hs, "Call-ID"), unfold(sub.call_id), "{file}");
        assert_eq!(one(&hs, "CSeq"), format!("{} SUBSCRIBE", sub.cseq.seq), "{file}");
        assert_eq!(one(&hs, "Expires"), "0");
        assert_eq!(one(&hs, "Content-Length"), "0");
        assert_eq!(one(&hs, "Contact"), "<sip:192.0.2.10:5060>");

        // NOTIFY, in the dialog, to the Contact.
        let (start, hs, body) = headers(&notify.bytes);
        let contact = sub.contact.as_ref().unwrap().uri;
        assert_eq!(start, format!("NOTIFY {} SIP/2.0", contact.raw), "{file}");
        assert_eq!(notify.host, contact.host.unwrap(), "{file}");
        assert_eq!(notify.port, contact.port.unwrap_or(5060), "{file}");
        let via = Via::parse(one(&hs, "Via")).unwrap();
        assert!(via.branch.unwrap().starts_with("z9hG4bK") && via.rport == Rport::Requested);
        assert_eq!(via.host, "192.0.2.10");
        let from = NameAddr::parse(one(&hs, "From")).unwrap();
        assert_eq!(from.tag, Some(to_tag), "{file}: NOTIFY From carries the 200's To-tag");
        assert_eq!(from.uri.raw, sub.to.uri.raw);
        assert_eq!(
            one(&hs, "To"),
            unfold(sub.from.raw),
            "{file}: To is the subscriber's From with its tag"
        );
        assert_eq!(one(&hs, "Call-ID"), unfold(sub.call_id));
        assert_eq!(one(&hs, "CSeq"), "1 NOTIFY");
        assert_eq!(one(&hs, "Max-Forwards"), "70");
        assert_eq!(one(&hs, "Event"), "ua-profile");
        assert_eq!(one(&hs, "Subscription-State"), "terminated;reason=timeout");
        assert_eq!(one(&hs, "Content-Type"), "application/url");
        assert_eq!(one(&hs, "Content-Length"), body.len().to_string());
        assert_eq!(body, url.as_bytes(), "{file}");
    }
}

#[test]
fn rsip_accepts_every_answer() {
    let r = responder("http://pbx.example/prov/cfg{mac}.xml");
    for (file, bytes, _) in common::fixtures() {
        let sub = Subscribe::parse(&bytes).unwrap();
        let Outcome::Answer {
            url, response, notify, ..
        } = r.handle(&bytes, source_of(&sub)).unwrap()
        else {
            panic!("{file}: silent")
        };
        let ok = rsip::SipMessage::try_from(response.bytes.as_slice()).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        let rsip::SipMessage::Response(ok) = ok else {
            panic!("{file}: not a response")
        };
        assert_eq!(ok.status_code, rsip::StatusCode::OK);
        assert_eq!(ok.call_id_header().unwrap().value(), unfold(sub.call_id));
        assert_eq!(ok.cseq_header().unwrap().typed().unwrap().seq, sub.cseq.seq);
        let to_tag = ok
            .to_header()
            .unwrap()
            .tag()
            .unwrap()
            .expect("To-tag")
            .value()
            .to_owned();
        // rsip's typed Via cannot read IPv6 hosts (deps-eval §1.4): compare where it can.
        if !sub.vias[0].host.contains(':') {
            let via = ok
                .via_header()
                .unwrap()
                .typed()
                .unwrap_or_else(|e| panic!("{file}: {e:?}"));
            assert_eq!(
                via.branch().map(|b| b.value().to_owned()),
                sub.vias[0].branch.map(str::to_owned),
                "{file}"
            );
        }

        if notify.host.contains(':') {
            // rsip cannot parse IPv6 URIs at all (deps-eval §1.4); our own parser checks these.
            continue;
        }
        let n = rsip::SipMessage::try_from(notify.bytes.as_slice()).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        let rsip::SipMessage::Request(n) = n else {
            panic!("{file}: not a request")
        };
        assert_eq!(n.method, rsip::Method::Notify);
        assert_eq!(n.body, url.as_bytes());
        let length = n.headers.iter().find_map(|h| match h {
            rsip::Header::ContentLength(l) => Some(l.length().unwrap()),
            _ => None,
        });
        assert_eq!(length, Some(url.len() as u32), "{file}");
        assert_eq!(n.from_header().unwrap().tag().unwrap().unwrap().value(), to_tag);
        assert_eq!(
            n.to_header().unwrap().tag().unwrap().map(|t| t.value().to_owned()),
            sub.from.tag.map(str::to_owned),
            "{file}"
        );
        assert_eq!(n.call_id_header().unwrap().value(), unfold(sub.call_id));
    }
}

/// rsip as an oracle on the well-formed fixtures (it rejects LF-only, folded, `Name :`,
/// leading CRLF and IPv6, which our parser accepts on purpose).
#[test]
fn our_parser_agrees_with_rsip_on_well_formed_messages() {
    let mut compared = 0;
    for (file, bytes, _) in common::fixtures() {
        let Ok(rsip::SipMessage::Request(req)) = rsip::SipMessage::try_from(bytes.as_slice()) else {
            continue;
        };
        let Ok(oracle_via) = req.via_header().and_then(|v| v.typed()) else {
            continue;
        };
        let ours = Subscribe::parse(&bytes).unwrap();
        // rsip silently drops Via parameters after `; ` (deps-eval §1.3); not an oracle there.
        if ours.vias[0].raw.contains("; ") {
            continue;
        }
        compared += 1;
        // rsip splits userinfo at the first `:` into user and password; we keep it whole,
        // since `MAC:00:15:65:…` is one MAC, not a user `MAC` with a password.
        let userinfo = req.uri.auth.as_ref().map(|a| match &a.password {
            Some(p) => format!("{}:{p}", a.user),
            None => a.user.clone(),
        });
        assert_eq!(userinfo, ours.request_uri.user.map(str::to_owned), "{file}");
        assert_eq!(oracle_via.uri.host().to_string(), ours.vias[0].host, "{file}");
        assert_eq!(oracle_via.uri.port().map(|p| *p.value()), ours.vias[0].port, "{file}");
        assert_eq!(
            oracle_via.branch().map(|b| b.value().to_owned()),
            ours.vias[0].branch.map(str::to_owned),
            "{file}"
        );
        assert_eq!(
            req.from_header().unwrap().tag().unwrap().map(|t| t.value().to_owned()),
            ours.from.tag.map(str::to_owned),
            "{file}"
        );
        assert_eq!(req.call_id_header().unwrap().value(), ours.call_id, "{file}");
        assert_eq!(req.cseq_header().unwrap().typed().unwrap().seq, ours.cseq.seq, "{file}");
        let contact = req.contact_header().unwrap().typed().unwrap();
        assert_eq!(
            contact.uri.host().to_string(),
            ours.contact.unwrap().uri.host.unwrap(),
            "{file}"
        );
        assert_eq!(
            req.expires_header().map(|e| e.seconds().unwrap()),
            ours.expires,
            "{file}"
        );
        assert_eq!(
            req.user_agent_header().map(|u| u.value().to_owned()),
            ours.user_agent.map(str::to_owned),
            "{file}"
        );
    }
    assert!(compared >= 8, "only {compared} fixtures compared with rsip");
}

#[test]
fn injection_attempts_are_refused() {
    let seed = String::from_utf8(std::fs::read(common::fixtures_dir().join("seeds/gxp2110.sip")).unwrap()).unwrap();
    let source: SocketAddr = "172.18.32.197:5060".parse().unwrap();

    // CR, LF or NUL in the URL template: refused when the template is made.
    for bad in [
        "http://x/\r\nX-Evil: 1",
        "http://x/\nX-Evil: 1",
        "http://x/\0",
        "http://x/ y",
    ] {
        assert!(UrlTemplate::new(bad).is_err(), "{bad:?}");
    }

    // Values from the phone reach the NOTIFY body only percent-encoded.
    let odd_model = seed.replace("model=\"GXP2110\"", "model=\"a b<c>;\\\"d\"");
    let Outcome::Answer { notify, url, .. } = responder("http://x/{model}")
        .handle(odd_model.as_bytes(), source)
        .unwrap()
    else {
        panic!("silent")
    };
    assert_eq!(url, "http://x/a%20b%3Cc%3E%3B%22d");
    assert!(notify.bytes.ends_with(url.as_bytes()));

    // NUL inside a tag, a Call-ID or a Via: the SUBSCRIBE is refused, nothing is echoed.
    for (from, to) in [
        ("tag=1692014507", "tag=1692\x0014507"),
        ("Call-ID: 1278367207", "Call-ID: 12783\x0067207"),
        ("branch=z9hG4bK458721093", "branch=z9hG4bK45\x008721093"),
    ] {
        let evil = seed.replace(from, to);
        let err = responder("http://x/").handle(evil.as_bytes(), source).unwrap_err();
        assert!(err.to_string().contains("NUL byte"), "{from}: {err}");
    }

    // A bare CR inside a value is not a line end; copying it would break our framing, so the
    // writer refuses to answer rather than emit it.
    let evil = seed.replace("tag=1692014507", "tag=1692014507\rX-Evil: 1");
    let err = responder("http://x/").handle(evil.as_bytes(), source).unwrap_err();
    assert_eq!(err.to_string(), "refused to write From: it contains CR, LF or NUL");
}
