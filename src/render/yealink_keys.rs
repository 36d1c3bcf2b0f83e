//! Yealink key names by firmware generation (config-formats §2.2 "Dialect by firmware").
//!
//! Three generations differ in the keys sippnp writes; everything else (`account.N.*` basics,
//! `local_time.*`, `lang.*`, `voice_mail.number.N`, DSS keys) is the same in all of them:
//!
//! | | V73 | V80 | V81+ |
//! |---|---|---|---|
//! | transport | `account.N.transport` | `account.N.sip_server.M.transport_type` | same as V80 |
//! | outbound proxy | `account.N.outbound_host` / `outbound_port` | same as V73 | `account.N.outbound_proxy.1.address` / `.port` |
//! | provisioning, firmware, passwords, VLAN | `auto_provision.*`, `firmware.url`, `security.*`, `network.*` | same as V73 | the same with a `static.` prefix |
//! | syslog | `syslog.mode = 1`, `syslog.server` | same as V73 | `static.syslog.enable`, `.server`, `.server_port`, `.level` |
//! | codecs | numbered slots `account.N.codec.S.enable/payload_type/priority/rtpmap` | same as V73 | named `account.N.codec.<name>.enable/priority` |
//!
//! Sources: wazo-provd-plugins `wazo_yealink/v73`, `v80`, `v81`, `v86` `templates/base.tpl` (transport,
//! prefixes, syslog, VLAN); older outbound-proxy keys `outbound_host` / `outbound_port` in the
//! SAIL and FreePBX-era Yealink templates; numbered codec slots in Yealink's T2/T4 admin guide
//! ("only applicable to the IP phones running firmware version 81 or prior") and SAIL's V7x
//! template; named codec keys in FusionPBX `yealink/t46u/{$mac}.cfg` (V84+ template).
//!
//! **Which generation.** The Device's firmware version is not in the assignment, so the
//! generation comes from the capability table: a model whose family's dialect is
//! [`capabilities::YEALINK_DIALECT_V73`] (T20P / T22P / T26P / T28P, whose last firmware is
//! x.73) gets V73 keys; every other model, and a model the table does not know, gets V81+
//! keys (every other family's current firmware is V81 or later). V80 keys are implemented
//! for a phone still running V80 firmware, but no family selects them until the firmware
//! version reaches the assignment. The named codec keys are those of V82+ firmware; a phone
//! on V81 exactly ignores them and keeps its codec list (wazo and FusionPBX write them for
//! V81 too).

use crate::assign::Codec;
use crate::capabilities;

use super::RenderError;
use super::family::exact_family;

/// A generation of Yealink key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    /// T2xP firmware x.73.
    V73,
    /// Firmware x.80 (T2x/T4xG before V81).
    #[cfg_attr(
        not(test),
        allow(
            dead_code,
            reason = "no family ends at V80; chosen once the firmware version is known"
        )
    )]
    V80,
    /// Firmware x.81 and later: every current family.
    V81,
}

/// The device-wide settings whose key names differ between generations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Global {
    ProvisioningUrl,
    ProvisioningUser,
    ProvisioningPassword,
    RepeatEnable,
    RepeatMinutes,
    FirmwareUrl,
    /// `user:password` pairs (admin and user), the key repeated.
    UserPassword,
    VlanEnable,
    VlanId,
    VlanPriority,
    SyslogEnable,
    SyslogServer,
    SyslogPort,
    SyslogLevel,
    Pnp,
    /// `0`: the AES keys are the plaintext settings below, not key files.
    AesKeyInFile,
    /// The 16-character key of the common file and of the MAC file.
    AesKeyCommon,
    AesKeyMac,
}

/// How an account's SIP transport is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TransportKey {
    /// `account.N.transport`, once per account.
    PerAccount,
    /// `account.N.sip_server.M.transport_type`, per server.
    PerServer,
}

/// Codec slots the numbered scheme has on the phones with the most (T4xG/T4xS guides: 11).
const CODEC_SLOTS: usize = 11;

/// Named codec keys (V82+): the neutral codec and the Yealink names it enables, in order.
/// iLBC and G.723 each have two Yealink entries (30/20 ms iLBC, 6.3/5.3 kbit/s G.723.1).
const NAMED_CODECS: [(Codec, &[&str]); 8] = [
    (Codec::Pcmu, &["pcmu"]),
    (Codec::Pcma, &["pcma"]),
    (Codec::G722, &["g722"]),
    (Codec::G729, &["g729"]),
    (Codec::G726_32, &["g726_32"]),
    (Codec::Ilbc, &["ilbc_13_33kbps", "ilbc_15_2kbps"]),
    (Codec::Opus, &["opus"]),
    (Codec::G723, &["g723_63", "g723_53"]),
];

/// Numbered codec slots (V73, V80): the payload name and its static RTP payload type. Codecs
/// with a dynamic payload type (iLBC, G.726, Opus) are not written: their rtpmap differs per
/// model and firmware.
const NUMBERED_CODECS: [(Codec, &str, u8); 5] = [
    (Codec::Pcmu, "PCMU", 0),
    (Codec::Pcma, "PCMA", 8),
    (Codec::G722, "G722", 9),
    (Codec::G729, "G729", 18),
    (Codec::G723, "G723_63", 4),
];

impl Dialect {
    /// The generation for `model`, from its family's dialect in the capability table.
    pub(super) fn for_model(model: Option<&str>) -> Dialect {
        match exact_family("yealink", model) {
            Some(found) => Dialect::for_family_dialect(found.family.dialect),
            _ => Dialect::V81,
        }
    }

    /// The generation for a common file: the model's when it is given, else the one of the
    /// family whose model has `file_name` as its common file.
    pub(super) fn for_common_file(model: Option<&str>, file_name: &str) -> Dialect {
        if model.is_some_and(|m| !m.trim().is_empty()) {
            return Dialect::for_model(model);
        }
        capabilities::FAMILIES
            .iter()
            .filter(|f| f.vendor == "yealink")
            .find(|f| f.models.iter().any(|m| m.common_file == Some(file_name)))
            .map_or(Dialect::V81, |f| Dialect::for_family_dialect(f.dialect))
    }

    fn for_family_dialect(dialect: &str) -> Dialect {
        if dialect == capabilities::YEALINK_DIALECT_V73 {
            Dialect::V73
        } else {
            Dialect::V81
        }
    }

    /// The key of `global`, or `None` when the generation has no such setting.
    pub(super) fn global(self, global: Global) -> Option<&'static str> {
        use Global::*;
        let prefixed = self == Dialect::V81;
        let key = match (global, prefixed) {
            (ProvisioningUrl, true) => "static.auto_provision.server.url",
            (ProvisioningUrl, false) => "auto_provision.server.url",
            (ProvisioningUser, true) => "static.auto_provision.server.username",
            (ProvisioningUser, false) => "auto_provision.server.username",
            (ProvisioningPassword, true) => "static.auto_provision.server.password",
            (ProvisioningPassword, false) => "auto_provision.server.password",
            (RepeatEnable, true) => "static.auto_provision.repeat.enable",
            (RepeatEnable, false) => "auto_provision.repeat.enable",
            (RepeatMinutes, true) => "static.auto_provision.repeat.minutes",
            (RepeatMinutes, false) => "auto_provision.repeat.minutes",
            (FirmwareUrl, true) => "static.firmware.url",
            (FirmwareUrl, false) => "firmware.url",
            (UserPassword, true) => "static.security.user_password",
            (UserPassword, false) => "security.user_password",
            (VlanEnable, true) => "static.network.vlan.internet_port_enable",
            (VlanEnable, false) => "network.vlan.internet_port_enable",
            (VlanId, true) => "static.network.vlan.internet_port_vid",
            (VlanId, false) => "network.vlan.internet_port_vid",
            (VlanPriority, true) => "static.network.vlan.internet_port_priority",
            (VlanPriority, false) => "network.vlan.internet_port_priority",
            (SyslogEnable, true) => "static.syslog.enable",
            (SyslogEnable, false) => "syslog.mode",
            (SyslogServer, true) => "static.syslog.server",
            (SyslogServer, false) => "syslog.server",
            (SyslogPort, true) => "static.syslog.server_port",
            (SyslogLevel, true) => "static.syslog.level",
            (SyslogPort | SyslogLevel, false) => return None,
            (AesKeyInFile, true) => "static.auto_provision.aes_key_in_file",
            (AesKeyInFile, false) => "auto_provision.aes_key_in_file",
            (AesKeyCommon, true) => "static.auto_provision.aes_key_16.com",
            (AesKeyCommon, false) => "auto_provision.aes_key_16.com",
            (AesKeyMac, true) => "static.auto_provision.aes_key_16.mac",
            (AesKeyMac, false) => "auto_provision.aes_key_16.mac",
            (Pnp, true) => "static.auto_provision.pnp_enable",
            (Pnp, false) => "auto_provision.pnp_enable",
        };
        Some(key)
    }

    /// How the transport is written.
    pub(super) fn transport_key(self) -> TransportKey {
        match self {
            Dialect::V73 => TransportKey::PerAccount,
            Dialect::V80 | Dialect::V81 => TransportKey::PerServer,
        }
    }

    /// The outbound proxy's address and port suffixes (after `account.N.`).
    pub(super) fn outbound_proxy_keys(self) -> (&'static str, &'static str) {
        match self {
            Dialect::V73 | Dialect::V80 => ("outbound_host", "outbound_port"),
            Dialect::V81 => ("outbound_proxy.1.address", "outbound_proxy.1.port"),
        }
    }

    /// The codec lines of account `index` for `codecs` (in order of preference), as
    /// (suffix after `account.N.`, value). An empty list writes nothing (the phone's own list
    /// stays). Otherwise the list is complete: every other codec the model knows is disabled.
    /// A codec the generation cannot write is [`RenderError::UnsupportedValue`].
    pub(super) fn codec_lines(self, index: usize, codecs: &[Codec]) -> Result<Vec<(String, String)>, RenderError> {
        let mut lines = Vec::new();
        if codecs.is_empty() {
            return Ok(lines);
        }
        match self {
            Dialect::V81 => {
                let mut priority = 1;
                for codec in codecs {
                    for name in named(*codec) {
                        lines.push((format!("codec.{name}.enable"), "1".to_owned()));
                        lines.push((format!("codec.{name}.priority"), priority.to_string()));
                        priority += 1;
                    }
                }
                for (codec, names) in NAMED_CODECS {
                    if !codecs.contains(&codec) {
                        lines.extend(
                            names
                                .iter()
                                .map(|name| (format!("codec.{name}.enable"), "0".to_owned())),
                        );
                    }
                }
            }
            Dialect::V73 | Dialect::V80 => {
                for (i, codec) in codecs.iter().enumerate() {
                    let slot = i + 1;
                    let Some((_, payload, rtpmap)) = NUMBERED_CODECS.iter().find(|(c, _, _)| c == codec) else {
                        return Err(unsupported_codec(index, *codec));
                    };
                    lines.push((format!("codec.{slot}.enable"), "1".to_owned()));
                    lines.push((format!("codec.{slot}.payload_type"), (*payload).to_owned()));
                    lines.push((format!("codec.{slot}.priority"), slot.to_string()));
                    lines.push((format!("codec.{slot}.rtpmap"), rtpmap.to_string()));
                }
                for slot in codecs.len() + 1..=CODEC_SLOTS {
                    lines.push((format!("codec.{slot}.enable"), "0".to_owned()));
                }
            }
        }
        Ok(lines)
    }
}

fn named(codec: Codec) -> &'static [&'static str] {
    NAMED_CODECS
        .iter()
        .find(|(c, _)| *c == codec)
        .map_or(&[], |(_, names)| names)
}

fn unsupported_codec(index: usize, codec: Codec) -> RenderError {
    RenderError::UnsupportedValue {
        field: format!("account {index} codec {}", codec.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_by_model_family() {
        for model in ["T20P", "SIP-T28P", "t26p", "T22P"] {
            assert_eq!(Dialect::for_model(Some(model)), Dialect::V73, "{model}");
        }
        for model in [
            Some("T46U"),
            Some("T19P_E2"),
            Some("T46G"),
            Some("W52P"),
            Some("T99X"),
            None,
        ] {
            assert_eq!(Dialect::for_model(model), Dialect::V81, "{model:?}");
        }
        assert_eq!(Dialect::for_common_file(None, "y000000000007.cfg"), Dialect::V73);
        assert_eq!(Dialect::for_common_file(None, "y000000000108.cfg"), Dialect::V81);
        assert_eq!(Dialect::for_common_file(None, "y000000000999.cfg"), Dialect::V81);
        assert_eq!(
            Dialect::for_common_file(Some("T46U"), "y000000000007.cfg"),
            Dialect::V81
        );
        assert_eq!(Dialect::for_common_file(Some(" "), "y000000000007.cfg"), Dialect::V73);
    }

    #[test]
    fn key_names_per_generation() {
        assert_eq!(
            Dialect::V81.global(Global::ProvisioningUrl),
            Some("static.auto_provision.server.url")
        );
        assert_eq!(
            Dialect::V80.global(Global::ProvisioningUrl),
            Some("auto_provision.server.url")
        );
        assert_eq!(Dialect::V73.global(Global::Pnp), Some("auto_provision.pnp_enable"));
        assert_eq!(
            Dialect::V81.global(Global::Pnp),
            Some("static.auto_provision.pnp_enable")
        );
        assert_eq!(Dialect::V73.global(Global::FirmwareUrl), Some("firmware.url"));
        assert_eq!(Dialect::V81.global(Global::SyslogEnable), Some("static.syslog.enable"));
        assert_eq!(Dialect::V80.global(Global::SyslogEnable), Some("syslog.mode"));
        assert_eq!(Dialect::V80.global(Global::SyslogLevel), None);
        assert_eq!(Dialect::V73.transport_key(), TransportKey::PerAccount);
        assert_eq!(Dialect::V80.transport_key(), TransportKey::PerServer);
        assert_eq!(Dialect::V80.outbound_proxy_keys(), ("outbound_host", "outbound_port"));
        assert_eq!(
            Dialect::V81.outbound_proxy_keys(),
            ("outbound_proxy.1.address", "outbound_proxy.1.port")
        );
    }

    fn lines(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect()
    }

    #[test]
    fn named_codecs_in_order_and_the_rest_off() {
        let got = Dialect::V81
            .codec_lines(1, &[Codec::G722, Codec::Ilbc, Codec::Pcma])
            .expect("writes");
        assert_eq!(
            got,
            lines(&[
                ("codec.g722.enable", "1"),
                ("codec.g722.priority", "1"),
                ("codec.ilbc_13_33kbps.enable", "1"),
                ("codec.ilbc_13_33kbps.priority", "2"),
                ("codec.ilbc_15_2kbps.enable", "1"),
                ("codec.ilbc_15_2kbps.priority", "3"),
                ("codec.pcma.enable", "1"),
                ("codec.pcma.priority", "4"),
                ("codec.pcmu.enable", "0"),
                ("codec.g729.enable", "0"),
                ("codec.g726_32.enable", "0"),
                ("codec.opus.enable", "0"),
                ("codec.g723_63.enable", "0"),
                ("codec.g723_53.enable", "0"),
            ])
        );
        assert_eq!(Dialect::V81.codec_lines(1, &[]).expect("nothing"), Vec::new());
    }

    #[test]
    fn numbered_codec_slots() {
        let got = Dialect::V73
            .codec_lines(2, &[Codec::G729, Codec::Pcmu])
            .expect("writes");
        let mut want = lines(&[
            ("codec.1.enable", "1"),
            ("codec.1.payload_type", "G729"),
            ("codec.1.priority", "1"),
            ("codec.1.rtpmap", "18"),
            ("codec.2.enable", "1"),
            ("codec.2.payload_type", "PCMU"),
            ("codec.2.priority", "2"),
            ("codec.2.rtpmap", "0"),
        ]);
        want.extend((3..=CODEC_SLOTS).map(|s| (format!("codec.{s}.enable"), "0".to_owned())));
        assert_eq!(got, want);
        assert_eq!(
            Dialect::V80.codec_lines(2, &[Codec::Pcmu, Codec::Opus]),
            Err(RenderError::UnsupportedValue {
                field: "account 2 codec opus".into()
            })
        );
    }
}
