//! The Fanvil `<sysConf>` XML dialect (X-series on firmware 2.x): nested modules with repeated
//! elements told apart by an `index` attribute.
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <sysConf>
//!   <Version>2.0000000000</Version>
//!   <sip>
//!     <line index="1">
//!       <PhoneNumber>101</PhoneNumber> …
//!     </line>
//!   </sip>
//!   <phone><date><SNTPServer>…</SNTPServer> …</date></phone>
//!   <ap><FlashServerIP>…</FlashServerIP> … <pnp><PNPEnable>0</PNPEnable></pnp></ap>
//! </sysConf>
//! ```
//!
//! Names (WZ `base-new.tpl` and `base-V-series.tpl`, FP `x4u`; \[H\] where both agree):
//! - `sip/line[N]/`: `PhoneNumber`, `DisplayName`, `RegisterAddr`, `RegisterPort`,
//!   `RegisterUser`, `RegisterPswd`, `RegisterTTL`, `BackupAddr`, `BackupPort`,
//!   `BackupTransport`, `EnableReg`, `ProxyAddr`, `ProxyPort`, `MediaCrypto` (FP), `DTMFMode`,
//!   `Subscribe` (FP), `Transport`, `MWINum`, `VoiceCodecMap` (FP) \[H\].
//! - `phone/MenuPassword`, `phone/display/DefaultLanguage`, `phone/date/`: `EnableSNTP`,
//!   `SNTPServer`, `SecondSNTPServer` (FP), `TimeZone`, `TimeZoneName`, `EnableDST` (2 = manual,
//!   WZ), `DSTFixedType` (2 = by week, WZ), `DSTMinOffset`, `DSTStartMon|Week|Wday|Hour`,
//!   `DSTEnd…` \[M\]. No DST minute keys.
//! - `dsskey/dssSide[1]/Fkey[N]/Type|Value|Title` (line keys, page 1) and
//!   `dsskey/dssSoft[N]/Type|Value|Title` (programmable keys) (WZ, FP) \[M\].
//! - `web/account[1]/Name|Password|Level` (admin, 10) and `web/account[2]/…` (guest, 5) (WZ).
//! - `log/OutputDevice` (`stdout,syslog` \[L\]), `log/SyslogServer`, `log/SyslogServerPort`,
//!   `log/Level` (WZ, FP) \[M\].
//! - `ap/DefaultUsername`, `ap/DefaultPassword` (FP), `ap/FlashServerIP`, `ap/FlashProtocol`,
//!   `ap/FlashMode`, `ap/FlashInterval`, `ap/pnp/PNPEnable` (WZ, FP) \[H\].
//! - the firmware URL as `AUTOUPDATE_CONFIG_MODULE/Auto_Image_URL`, the element WZ's sysConf
//!   template embeds for it (`base-new.tpl`) \[M\].
//! - `qos/EnableVLAN`, `qos/VLANID`, `qos/SignallingPriority`, `qos/VoicePriority` (WZ, FP).
//!
//! Overrides are paths in the same form, e.g. `phone/display/LCDTitle` or
//! `sip/line[1]/SIPPort` (see `fanvil_xml.rs`).

use super::super::RenderError;
use super::xml_tree::{Seg, Select, Tree};
use super::{DstPart, Global, Item, KeyGroup, KeyPart, LineItem, Origin, Setting, WebPart, WebUser, placed};

/// `<Version>` as FP `x4u` and WZ `base-V-series.tpl` write it \[M\].
const VERSION: &str = "2.0000000000";

/// Lays `settings` out as a sysConf document, applies `overrides` and writes it.
pub(super) fn write<'x>(
    settings: &'x [Setting<'x>],
    overrides: &'x [(String, String)],
) -> Result<Vec<u8>, RenderError> {
    let mut tree = Tree::new("sysConf", Select::IndexAttribute);
    tree.structure("Version", VERSION);
    for (path, setting) in placed(settings, path)? {
        tree.set(&path, setting.value.as_ref().into(), Origin::Setting(&setting.name));
    }
    tree.apply_overrides(overrides)?;
    tree.finish()
}

/// The element path of a setting, or `None` when sysConf has no key for it.
fn path<'x>(setting: &Setting<'_>) -> Option<Vec<Seg<'x>>> {
    let n = setting.index;
    let leaf = |parents: &[Seg<'x>], name: &'static str| {
        let mut path = parents.to_vec();
        path.push(Seg::new(name));
        Some(path)
    };
    match setting.item {
        Item::Line(item) => {
            let name = match item {
                LineItem::PhoneNumber => "PhoneNumber",
                LineItem::DisplayName => "DisplayName",
                LineItem::RegisterAddr => "RegisterAddr",
                LineItem::RegisterPort => "RegisterPort",
                LineItem::RegisterUser => "RegisterUser",
                LineItem::RegisterPswd => "RegisterPswd",
                LineItem::RegisterTtl => "RegisterTTL",
                LineItem::BackupAddr => "BackupAddr",
                LineItem::BackupPort => "BackupPort",
                LineItem::BackupTransport => "BackupTransport",
                LineItem::EnableReg => "EnableReg",
                LineItem::ProxyAddr => "ProxyAddr",
                LineItem::ProxyPort => "ProxyPort",
                LineItem::MediaCrypto => "MediaCrypto",
                LineItem::DtmfMode => "DTMFMode",
                LineItem::Subscribe => "Subscribe",
                LineItem::Transport => "Transport",
                LineItem::MwiNum => "MWINum",
                LineItem::VoiceCodecs => "VoiceCodecMap",
            };
            leaf(&[Seg::new("sip"), Seg::at("line", n)], name)
        }
        Item::Key(group, part) => {
            let name = match part {
                KeyPart::Type => "Type",
                KeyPart::Value => "Value",
                KeyPart::Title => "Title",
            };
            match group {
                KeyGroup::Side => leaf(&[Seg::new("dsskey"), Seg::at("dssSide", 1), Seg::at("Fkey", n)], name),
                KeyGroup::Soft => leaf(&[Seg::new("dsskey"), Seg::at("dssSoft", n)], name),
            }
        }
        Item::Global(global) => {
            let date = [Seg::new("phone"), Seg::new("date")];
            let ap = [Seg::new("ap")];
            let qos = [Seg::new("qos")];
            let log = [Seg::new("log")];
            match global {
                Global::EnableSntp => leaf(&date, "EnableSNTP"),
                Global::SntpServer => leaf(&date, "SNTPServer"),
                Global::SecondSntpServer => leaf(&date, "SecondSNTPServer"),
                Global::TimeZone => leaf(&date, "TimeZone"),
                Global::TimeZoneName => leaf(&date, "TimeZoneName"),
                Global::DstEnable => leaf(&date, "EnableDST"),
                Global::DstRuleMode => leaf(&date, "DSTFixedType"),
                Global::DstMinOffset => leaf(&date, "DSTMinOffset"),
                Global::DstStart(part) => dst_name(part, true).and_then(|name| leaf(&date, name)),
                Global::DstEnd(part) => dst_name(part, false).and_then(|name| leaf(&date, name)),
                Global::Language => leaf(&[Seg::new("phone"), Seg::new("display")], "DefaultLanguage"),
                Global::MenuPassword => leaf(&[Seg::new("phone")], "MenuPassword"),
                Global::Web(user, part) => {
                    let name = match part {
                        WebPart::Name => "Name",
                        WebPart::Password => "Password",
                        WebPart::Level => "Level",
                    };
                    leaf(&[Seg::new("web"), Seg::at("account", WebUser::index(user))], name)
                }
                Global::SyslogEnable => leaf(&log, "OutputDevice"),
                Global::SyslogServer => leaf(&log, "SyslogServer"),
                Global::SyslogPort => leaf(&log, "SyslogServerPort"),
                Global::SyslogLevel => leaf(&log, "Level"),
                Global::ProvUser => leaf(&ap, "DefaultUsername"),
                Global::ProvPassword => leaf(&ap, "DefaultPassword"),
                Global::ProvServer => leaf(&ap, "FlashServerIP"),
                Global::ProvProtocol => leaf(&ap, "FlashProtocol"),
                Global::ProvMode => leaf(&ap, "FlashMode"),
                Global::ProvInterval => leaf(&ap, "FlashInterval"),
                Global::FirmwareUrl => leaf(&[Seg::new("AUTOUPDATE_CONFIG_MODULE")], "Auto_Image_URL"),
                Global::PnpEnable => leaf(&[Seg::new("ap"), Seg::new("pnp")], "PNPEnable"),
                Global::VlanEnable => leaf(&qos, "EnableVLAN"),
                Global::VlanId => leaf(&qos, "VLANID"),
                Global::SignallingPriority => leaf(&qos, "SignallingPriority"),
                Global::VoicePriority => leaf(&qos, "VoicePriority"),
            }
        }
    }
}

fn dst_name(part: DstPart, start: bool) -> Option<&'static str> {
    Some(match (part, start) {
        (DstPart::Mon, true) => "DSTStartMon",
        (DstPart::Week, true) => "DSTStartWeek",
        (DstPart::Wday, true) => "DSTStartWday",
        (DstPart::Hour, true) => "DSTStartHour",
        (DstPart::Mon, false) => "DSTEndMon",
        (DstPart::Week, false) => "DSTEndWeek",
        (DstPart::Wday, false) => "DSTEndWday",
        (DstPart::Hour, false) => "DSTEndHour",
        (DstPart::Min, _) => return None,
    })
}
