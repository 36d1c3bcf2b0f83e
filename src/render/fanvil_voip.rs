//! The Fanvil `<VOIP_CONFIG_FILE>` XML dialect: the text format's modules as elements, with
//! `_` for spaces and repeated entries told apart by an `<ID>` child (`SIP1`, `Fkey3`,
//! `Account1`).
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <VOIP_CONFIG_FILE>
//!   <version>2.0002</version>
//!   <SIP_CONFIG_MODULE>
//!     <SIP_Line_List>
//!       <SIP_Line_List_Entry>
//!         <ID>SIP1</ID>
//!         <Phone_Number>101</Phone_Number> …
//! ```
//!
//! Two variants (see [`VoipVariant`]): the older X models and the C-series as WZ `base.tpl` and
//! FP `x3sp` write it (`<version>2.0002</version>`, keys in `PHONE_CONFIG_MODULE`), and the
//! V-series on firmware 2.12+ as FP's 3CX-generated V63 reference writes it
//! (`<Version>2.0003</Version>`, keys in `DSSKEY_CONFIG_MODULE/Sidekey_Config1`, DST as
//! `Enable_DST 1` + `DST_Type 1`).
//!
//! Names (WZ `base.tpl`, FP `x3sp` and `v63`; \[H\] where they agree, else \[M\]):
//! - `SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry[SIPn]/`: `Phone_Number`,
//!   `Display_Name`, `Register_Addr`, `Register_Port`, `Register_User`, `Register_Pswd`,
//!   `Register_TTL`, `Backup_Addr`, `Backup_Port`, `Backup_Transpo` (WZ's 19-character name;
//!   older variant only), `Enable_Reg`, `Proxy_Addr`, `Proxy_Port`, `Media_Crypto`,
//!   `DTMF_Mode`, `Subscribe`, `Transport`, `MWI_Num`, `VoiceCodecMap`.
//! - `GLOBAL_CONFIG_MODULE/`: `Enable_SNTP`, `SNTP_Server`, `Second_SNTP_Server`, `Time_Zone`,
//!   `Time_Zone_Name`, `Enable_DST`, `DST_Fixed_Type` (older; FP `x3sp`) or `DST_Type`
//!   (V-series), `DST_Min_Offset`, `DST_Start_Mon|Week|Wday|Hour|Min`, `DST_End_…`,
//!   `Language`.
//! - `PHONE_CONFIG_MODULE/Menu_Password`;
//!   `MMI_CONFIG_MODULE/MMI_Account/MMI_Account_Entry[AccountN]/Name|Password|Level`.
//! - keys: `PHONE_CONFIG_MODULE/Function_Key/Function_Key_Entry[FkeyN]/Type|Value|Title` and
//!   `PHONE_CONFIG_MODULE/Soft_Dss_Key/Soft_Dss_Key_Entry[SoftFkeyN]/…` (older), or
//!   `DSSKEY_CONFIG_MODULE/Sidekey_Config1/Sidekey_Config1_Entry[FkeyN]/…` (V-series, which
//!   has no documented soft keys: [`RenderError::UnsupportedValue`]).
//! - `AAA_CONFIG_MODULE/Enable_Syslog|Syslog_address|Syslog_port` (WZ, FP); the log level
//!   (WZ writes its own level names into `MGR_Trace_Level`, scale unknown) is
//!   [`RenderError::UnsupportedValue`].
//! - `AUTOUPDATE_CONFIG_MODULE/`: `Download_Username`, `Download_Password`,
//!   `Download_Server_IP`, `Download_Protocol`, `Download_Mode`, `Download_Interval`,
//!   `Auto_Image_URL`, `PNP_Enable` (WZ, FP) \[H\].
//! - `QOS_CONFIG_MODULE/Enable_VLAN|VLAN_ID|Signalling_Priority|Voice_Priority` (WZ, FP).
//!
//! Overrides are paths in the same form, e.g. `PHONE_CONFIG_MODULE/LCD_Title` or
//! `SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry[SIP1]/DTMF_Info_Mode`.

use super::super::RenderError;
use super::xml_tree::{Seg, Select, Tree};
use super::{
    DstPart, Global, Item, KeyGroup, KeyPart, LineItem, Origin, Setting, VoipVariant, WebPart, WebUser, placed,
};

/// Lays `settings` out as a `VOIP_CONFIG_FILE` document of `variant`, applies `overrides` and
/// writes it.
pub(super) fn write<'x>(
    variant: VoipVariant,
    settings: &'x [Setting<'x>],
    overrides: &'x [(String, String)],
) -> Result<Vec<u8>, RenderError> {
    let mut tree = Tree::new("VOIP_CONFIG_FILE", Select::IdChild);
    match variant {
        VoipVariant::VSeries => tree.structure("Version", "2.0003"),
        VoipVariant::OlderX | VoipVariant::CSeries => tree.structure("version", "2.0002"),
    }
    for (path, setting) in placed(settings, |s| path(variant, s))? {
        tree.set(&path, setting.value.as_ref().into(), Origin::Setting(&setting.name));
    }
    tree.apply_overrides(overrides)?;
    tree.finish()
}

/// The element path of a setting in `variant`, or `None` when it has no key for it.
fn path<'x>(variant: VoipVariant, setting: &Setting<'_>) -> Option<Vec<Seg<'x>>> {
    let v_series = variant == VoipVariant::VSeries;
    let n = setting.index;
    let leaf = |parents: &[Seg<'x>], name: &'static str| {
        let mut path = parents.to_vec();
        path.push(Seg::new(name));
        Some(path)
    };
    match setting.item {
        Item::Line(item) => {
            let name = match item {
                LineItem::PhoneNumber => "Phone_Number",
                LineItem::DisplayName => "Display_Name",
                LineItem::RegisterAddr => "Register_Addr",
                LineItem::RegisterPort => "Register_Port",
                LineItem::RegisterUser => "Register_User",
                LineItem::RegisterPswd => "Register_Pswd",
                LineItem::RegisterTtl => "Register_TTL",
                LineItem::BackupAddr => "Backup_Addr",
                LineItem::BackupPort => "Backup_Port",
                LineItem::BackupTransport if v_series => return None,
                LineItem::BackupTransport => "Backup_Transpo",
                LineItem::EnableReg => "Enable_Reg",
                LineItem::ProxyAddr => "Proxy_Addr",
                LineItem::ProxyPort => "Proxy_Port",
                LineItem::MediaCrypto => "Media_Crypto",
                LineItem::DtmfMode => "DTMF_Mode",
                LineItem::Subscribe => "Subscribe",
                LineItem::Transport => "Transport",
                LineItem::MwiNum => "MWI_Num",
                LineItem::VoiceCodecs => "VoiceCodecMap",
            };
            leaf(
                &[
                    Seg::new("SIP_CONFIG_MODULE"),
                    Seg::new("SIP_Line_List"),
                    Seg::at("SIP_Line_List_Entry", format_args!("SIP{n}")),
                ],
                name,
            )
        }
        Item::Key(group, part) => {
            let name = match part {
                KeyPart::Type => "Type",
                KeyPart::Value => "Value",
                KeyPart::Title => "Title",
            };
            let parents = match (group, v_series) {
                (KeyGroup::Side, true) => [
                    Seg::new("DSSKEY_CONFIG_MODULE"),
                    Seg::new("Sidekey_Config1"),
                    Seg::at("Sidekey_Config1_Entry", format_args!("Fkey{n}")),
                ],
                (KeyGroup::Soft, true) => return None,
                (KeyGroup::Side, false) => [
                    Seg::new("PHONE_CONFIG_MODULE"),
                    Seg::new("Function_Key"),
                    Seg::at("Function_Key_Entry", format_args!("Fkey{n}")),
                ],
                (KeyGroup::Soft, false) => [
                    Seg::new("PHONE_CONFIG_MODULE"),
                    Seg::new("Soft_Dss_Key"),
                    Seg::at("Soft_Dss_Key_Entry", format_args!("SoftFkey{n}")),
                ],
            };
            leaf(&parents, name)
        }
        Item::Global(global) => {
            let global_module = [Seg::new("GLOBAL_CONFIG_MODULE")];
            let update = [Seg::new("AUTOUPDATE_CONFIG_MODULE")];
            let qos = [Seg::new("QOS_CONFIG_MODULE")];
            let aaa = [Seg::new("AAA_CONFIG_MODULE")];
            match global {
                Global::EnableSntp => leaf(&global_module, "Enable_SNTP"),
                Global::SntpServer => leaf(&global_module, "SNTP_Server"),
                Global::SecondSntpServer => leaf(&global_module, "Second_SNTP_Server"),
                Global::TimeZone => leaf(&global_module, "Time_Zone"),
                Global::TimeZoneName => leaf(&global_module, "Time_Zone_Name"),
                Global::DstEnable => leaf(&global_module, "Enable_DST"),
                Global::DstRuleMode if v_series => leaf(&global_module, "DST_Type"),
                Global::DstRuleMode => leaf(&global_module, "DST_Fixed_Type"),
                Global::DstMinOffset => leaf(&global_module, "DST_Min_Offset"),
                Global::DstStart(part) => leaf(&global_module, dst_name(part, true)),
                Global::DstEnd(part) => leaf(&global_module, dst_name(part, false)),
                Global::Language => leaf(&global_module, "Language"),
                Global::MenuPassword => leaf(&[Seg::new("PHONE_CONFIG_MODULE")], "Menu_Password"),
                Global::Web(user, part) => {
                    let name = match part {
                        WebPart::Name => "Name",
                        WebPart::Password => "Password",
                        WebPart::Level => "Level",
                    };
                    leaf(
                        &[
                            Seg::new("MMI_CONFIG_MODULE"),
                            Seg::new("MMI_Account"),
                            Seg::at("MMI_Account_Entry", format_args!("Account{}", WebUser::index(user))),
                        ],
                        name,
                    )
                }
                Global::SyslogEnable => leaf(&aaa, "Enable_Syslog"),
                Global::SyslogServer => leaf(&aaa, "Syslog_address"),
                Global::SyslogPort => leaf(&aaa, "Syslog_port"),
                Global::SyslogLevel => None,
                Global::ProvUser => leaf(&update, "Download_Username"),
                Global::ProvPassword => leaf(&update, "Download_Password"),
                Global::ProvServer => leaf(&update, "Download_Server_IP"),
                Global::ProvProtocol => leaf(&update, "Download_Protocol"),
                Global::ProvMode => leaf(&update, "Download_Mode"),
                Global::ProvInterval => leaf(&update, "Download_Interval"),
                Global::FirmwareUrl => leaf(&update, "Auto_Image_URL"),
                Global::PnpEnable => leaf(&update, "PNP_Enable"),
                Global::VlanEnable => leaf(&qos, "Enable_VLAN"),
                Global::VlanId => leaf(&qos, "VLAN_ID"),
                Global::SignallingPriority => leaf(&qos, "Signalling_Priority"),
                Global::VoicePriority => leaf(&qos, "Voice_Priority"),
            }
        }
    }
}

fn dst_name(part: DstPart, start: bool) -> &'static str {
    match (part, start) {
        (DstPart::Mon, true) => "DST_Start_Mon",
        (DstPart::Week, true) => "DST_Start_Week",
        (DstPart::Wday, true) => "DST_Start_Wday",
        (DstPart::Hour, true) => "DST_Start_Hour",
        (DstPart::Min, true) => "DST_Start_Min",
        (DstPart::Mon, false) => "DST_End_Mon",
        (DstPart::Week, false) => "DST_End_Week",
        (DstPart::Wday, false) => "DST_End_Wday",
        (DstPart::Hour, false) => "DST_End_Hour",
        (DstPart::Min, false) => "DST_End_Min",
    }
}
