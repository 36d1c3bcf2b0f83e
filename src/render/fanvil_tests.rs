//! Tests of the Fanvil renderer: one golden file per dialect, parse-back, every field's key,
//! the time-zone and language mappings, keys, errors and overrides.

use super::super::test_support::{self, control_error};
use super::super::xml::{Node, parse as parse_xml};
use super::text::tests::{HEADER_LINE, Parsed, parse};
use super::*;
use crate::assign::{DtmfMode, Key, Transport};
use crate::device::Mac;

const MAC: Mac = Mac([0x0c, 0x38, 0x3e, 0x12, 0xab, 0xcd]);

/// The shared two-account fixture (Europe/Berlin, pool.ntp.org), account 2 with an IPv6
/// registrar and outbound proxy.
fn two_accounts() -> Assignment {
    let mut a = test_support::two_accounts(
        MAC,
        "[2001:db8::1]",
        "https://prov.example:8443/fanvil/",
        "Europe/Berlin",
    );
    a.account_mut(2).outbound_proxy = Some("[2001:db8::2]:5071".into());
    a
}

/// [`two_accounts`] with `model`.
fn with_model(model: &str) -> Assignment {
    Assignment {
        model: Some(model.into()),
        ..two_accounts()
    }
}

/// Every other neutral field on top of [`two_accounts`]: account 1's expiry, backup
/// registrar, voicemail, MWI, codecs, DTMF and SRTP; keys; a second NTP server; language,
/// user password, provisioning credentials and interval, firmware, VLAN, syslog.
fn everything(model: Option<&str>) -> Assignment {
    let mut a = two_accounts();
    a.model = model.map(str::to_owned);
    let one = a.account_mut(1);
    one.register_expires = Some(600);
    one.backup_registrar_host = Some("backup.example".into());
    one.backup_registrar_port = Some(5064);
    one.voicemail_number = Some("*97".into());
    one.mwi = Some(true);
    one.codecs = vec![Codec::G722, Codec::Pcma, Codec::Pcmu];
    one.dtmf = Some(DtmfMode::Rfc2833);
    one.srtp = Some(SrtpMode::Optional);
    a.keys = vec![
        Key {
            bank: KeyBank::Line,
            position: 1,
            kind: KeyKind::Line,
            account: 1,
            value: None,
            label: Some("Line 1".into()),
        },
        Key {
            bank: KeyBank::Line,
            position: 2,
            kind: KeyKind::Blf,
            account: 2,
            value: Some("103".into()),
            label: Some("Anna".into()),
        },
    ];
    a.ntp_servers.push("ntp2.example".into());
    a.language = Some("de".into());
    a.user_password = Some("user!".into());
    a.provisioning_user = Some("prov".into());
    a.provisioning_password = Some("provpw".into());
    a.resync_interval_min = Some(1440);
    a.firmware_url = Some("https://fw.example/x4u.z".into());
    a.vlan_id = Some(20);
    a.vlan_priority = Some(5);
    a.syslog_host = Some("log.example".into());
    a.syslog_port = Some(514);
    a.syslog_level = Some(6);
    a
}

fn text_config(a: &Assignment) -> Parsed {
    parse(&render(a).expect("renders").content)
}

/// `(name, value)` pairs of a parsed text file, without sections.
fn pairs(parsed: &Parsed) -> Vec<(String, String)> {
    parsed.iter().map(|(_, n, v)| (n.clone(), v.clone())).collect()
}

fn value<'p>(parsed: &'p Parsed, name: &str) -> Option<&'p str> {
    parsed.iter().find(|(_, n, _)| n == name).map(|(_, _, v)| v.as_str())
}

/// The leaves of a rendered XML file as (path below the root, text). Paths name repeated
/// elements by their `index` attribute or `<ID>` child: `sip/line[1]/PhoneNumber`.
fn leaves(content: &[u8]) -> Vec<(String, String)> {
    let nodes = parse_xml(content);
    // The readable name of each node, built from its parent's (the nearest node before it
    // whose path is the parent path).
    let mut names: Vec<String> = Vec::with_capacity(nodes.len());
    let mut out = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let own = node.path.rsplit('/').next().unwrap_or_default();
        let child_of = |n: &Node, parent: &str| n.path.strip_prefix(parent).is_some_and(|r| r.starts_with('/'));
        let index = node
            .attributes
            .iter()
            .find(|(k, _)| k == "index")
            .map(|(_, v)| v.clone());
        let id = nodes[i + 1..]
            .iter()
            .take_while(|n| child_of(n, &node.path))
            .find(|n| n.path == format!("{}/ID", node.path))
            .map(|n| n.text.clone());
        let own = match index.or(id) {
            Some(sel) => format!("{own}[{sel}]"),
            None => own.to_owned(),
        };
        let name = match node.path.rsplit_once('/') {
            None => String::new(),
            Some((parent, _)) => {
                let at = nodes[..i].iter().rposition(|n| n.path == parent).expect("parent");
                if names[at].is_empty() {
                    own
                } else {
                    format!("{}/{own}", names[at])
                }
            }
        };
        let is_leaf = !nodes.get(i + 1).is_some_and(|n| child_of(n, &node.path));
        if is_leaf && !name.is_empty() {
            out.push((name.clone(), node.text.clone()));
        }
        names.push(name);
    }
    out
}

fn xml_value<'l>(leaves: &'l [(String, String)], path: &str) -> Option<&'l str> {
    leaves.iter().find(|(p, _)| p == path).map(|(_, v)| v.as_str())
}

fn text_of(a: &Assignment) -> String {
    String::from_utf8(render(a).expect("renders").content).expect("utf-8")
}

// ---- dialect choice ---------------------------------------------------------------------

#[test]
fn dialect_follows_the_family() {
    for (model, dialect) in [
        (None, Dialect::Text),
        (Some("Z9"), Dialect::Text),
        (Some("X4U"), Dialect::SysConf),
        (Some("X210"), Dialect::SysConf),
        (Some("X9"), Dialect::SysConf),
        (Some("X3S"), Dialect::Voip(VoipVariant::OlderX)),
        (Some("C62"), Dialect::Voip(VoipVariant::CSeries)),
        (Some("V63"), Dialect::Voip(VoipVariant::VSeries)),
        (Some("V67"), Dialect::Voip(VoipVariant::VSeries)),
    ] {
        assert_eq!(Dialect::for_model(model), dialect, "{model:?}");
    }
    let file = render(&with_model("X4U")).expect("renders");
    assert_eq!(file.file_name, "0c383e12abcd.cfg");
    assert_eq!(file.content_type, "application/xml");
    assert_eq!(render(&two_accounts()).expect("renders").content_type, "text/plain");
}

// ---- golden files -----------------------------------------------------------------------

#[test]
fn golden_text() {
    let file = render(&two_accounts()).expect("renders");
    assert_eq!(file.file_name, "0c383e12abcd.cfg");
    let expected = concat!(
        "<<VOIP CONFIG FILE>>Version:2.0000000000                      \r\n",
        "\r\n",
        "<SIP CONFIG MODULE>\r\n",
        "--SIP Line List--       :\r\n",
        "SIP1 Phone Number       :101\r\n",
        "SIP1 Display Name       :Front Desk\r\n",
        "SIP1 Register Addr      :pbx.example\r\n",
        "SIP1 Register Port      :5062\r\n",
        "SIP1 Register User      :auth101\r\n",
        "SIP1 Register Pswd      :s3cret\r\n",
        "SIP1 Enable Reg         :1\r\n",
        "SIP1 Proxy Addr         :proxy.example\r\n",
        "SIP1 Proxy Port         :5070\r\n",
        "SIP1 Transport          :0\r\n",
        "SIP2 Phone Number       :102\r\n",
        "SIP2 Register Addr      :2001:db8::1\r\n",
        "SIP2 Register User      :102\r\n",
        "SIP2 Register Pswd      :pw102\r\n",
        "SIP2 Enable Reg         :1\r\n",
        "SIP2 Proxy Addr         :2001:db8::2\r\n",
        "SIP2 Proxy Port         :5071\r\n",
        "SIP2 Transport          :3\r\n",
        "\r\n",
        "<PHONE FEATURE MODULE>\r\n",
        "Menu Password           :admin!\r\n",
        "--DateTime Config--     :\r\n",
        "Enable SNTP             :1\r\n",
        "SNTP Server             :pool.ntp.org\r\n",
        "Time Zone               :4\r\n",
        "Time Zone Name          :UTC+1\r\n",
        "DST Type                :2\r\n",
        "DST Rule Mode           :0\r\n",
        "DST Min Offset          :60\r\n",
        "DST Start Mon           :3\r\n",
        "DST Start Week          :5\r\n",
        "DST Start Wday          :0\r\n",
        "DST Start Hour          :2\r\n",
        "DST End Mon             :10\r\n",
        "DST End Week            :5\r\n",
        "DST End Wday            :0\r\n",
        "DST End Hour            :3\r\n",
        "\r\n",
        "<MMI CONFIG MODULE>\r\n",
        "--MMI Account--         :\r\n",
        "Account1 Name           :admin\r\n",
        "Account1 Password       :admin!\r\n",
        "Account1 Level          :10\r\n",
        "\r\n",
        "<AUTOUPDATE CONFIG MODULE>\r\n",
        "Flash Server IP         :https://prov.example:8443/fanvil/\r\n",
        "Flash Protocol          :5\r\n",
        "Flash Mode              :1\r\n",
        "--Sip Pnp List--        :\r\n",
        "PNP Enable              :0\r\n",
        "\r\n",
        "<<END OF FILE>>\r\n",
    );
    assert_eq!(String::from_utf8(file.content.clone()).expect("utf-8"), expected);
    // The golden file passes the frame checks of the parser used by the other tests.
    assert_eq!(parse(expected.as_bytes()).len(), 45);
}

#[test]
fn golden_sysconf() {
    let file = render(&with_model("X4U")).expect("renders");
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<sysConf>
  <Version>2.0000000000</Version>
  <sip>
    <line index="1">
      <PhoneNumber>101</PhoneNumber>
      <DisplayName>Front Desk</DisplayName>
      <RegisterAddr>pbx.example</RegisterAddr>
      <RegisterPort>5062</RegisterPort>
      <RegisterUser>auth101</RegisterUser>
      <RegisterPswd>s3cret</RegisterPswd>
      <EnableReg>1</EnableReg>
      <ProxyAddr>proxy.example</ProxyAddr>
      <ProxyPort>5070</ProxyPort>
      <Transport>0</Transport>
    </line>
    <line index="2">
      <PhoneNumber>102</PhoneNumber>
      <RegisterAddr>2001:db8::1</RegisterAddr>
      <RegisterUser>102</RegisterUser>
      <RegisterPswd>pw102</RegisterPswd>
      <EnableReg>1</EnableReg>
      <ProxyAddr>2001:db8::2</ProxyAddr>
      <ProxyPort>5071</ProxyPort>
      <Transport>3</Transport>
    </line>
  </sip>
  <phone>
    <date>
      <EnableSNTP>1</EnableSNTP>
      <SNTPServer>pool.ntp.org</SNTPServer>
      <TimeZone>4</TimeZone>
      <TimeZoneName>UTC+1</TimeZoneName>
      <EnableDST>2</EnableDST>
      <DSTFixedType>2</DSTFixedType>
      <DSTMinOffset>60</DSTMinOffset>
      <DSTStartMon>3</DSTStartMon>
      <DSTStartWeek>5</DSTStartWeek>
      <DSTStartWday>0</DSTStartWday>
      <DSTStartHour>2</DSTStartHour>
      <DSTEndMon>10</DSTEndMon>
      <DSTEndWeek>5</DSTEndWeek>
      <DSTEndWday>0</DSTEndWday>
      <DSTEndHour>3</DSTEndHour>
    </date>
    <MenuPassword>admin!</MenuPassword>
  </phone>
  <web>
    <account index="1">
      <Name>admin</Name>
      <Password>admin!</Password>
      <Level>10</Level>
    </account>
  </web>
  <ap>
    <FlashServerIP>https://prov.example:8443/fanvil/</FlashServerIP>
    <FlashProtocol>5</FlashProtocol>
    <FlashMode>1</FlashMode>
    <pnp>
      <PNPEnable>0</PNPEnable>
    </pnp>
  </ap>
</sysConf>
"#;
    assert_eq!(String::from_utf8(file.content.clone()).expect("utf-8"), expected);
    let nodes = parse_xml(&file.content);
    assert_eq!(nodes[0].path, "sysConf");
    assert!(
        nodes
            .iter()
            .any(|n| n.path == "sysConf/ap/pnp/PNPEnable" && n.text == "0")
    );
}

#[test]
fn golden_voip_config_file() {
    let file = render(&with_model("X3S")).expect("renders");
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<VOIP_CONFIG_FILE>
  <version>2.0002</version>
  <SIP_CONFIG_MODULE>
    <SIP_Line_List>
      <SIP_Line_List_Entry>
        <ID>SIP1</ID>
        <Phone_Number>101</Phone_Number>
        <Display_Name>Front Desk</Display_Name>
        <Register_Addr>pbx.example</Register_Addr>
        <Register_Port>5062</Register_Port>
        <Register_User>auth101</Register_User>
        <Register_Pswd>s3cret</Register_Pswd>
        <Enable_Reg>1</Enable_Reg>
        <Proxy_Addr>proxy.example</Proxy_Addr>
        <Proxy_Port>5070</Proxy_Port>
        <Transport>0</Transport>
      </SIP_Line_List_Entry>
      <SIP_Line_List_Entry>
        <ID>SIP2</ID>
        <Phone_Number>102</Phone_Number>
        <Register_Addr>2001:db8::1</Register_Addr>
        <Register_User>102</Register_User>
        <Register_Pswd>pw102</Register_Pswd>
        <Enable_Reg>1</Enable_Reg>
        <Proxy_Addr>2001:db8::2</Proxy_Addr>
        <Proxy_Port>5071</Proxy_Port>
        <Transport>2</Transport>
      </SIP_Line_List_Entry>
    </SIP_Line_List>
  </SIP_CONFIG_MODULE>
  <GLOBAL_CONFIG_MODULE>
    <Enable_SNTP>1</Enable_SNTP>
    <SNTP_Server>pool.ntp.org</SNTP_Server>
    <Time_Zone>4</Time_Zone>
    <Time_Zone_Name>UTC+1</Time_Zone_Name>
    <Enable_DST>2</Enable_DST>
    <DST_Fixed_Type>2</DST_Fixed_Type>
    <DST_Min_Offset>60</DST_Min_Offset>
    <DST_Start_Mon>3</DST_Start_Mon>
    <DST_Start_Week>5</DST_Start_Week>
    <DST_Start_Wday>0</DST_Start_Wday>
    <DST_Start_Hour>2</DST_Start_Hour>
    <DST_Start_Min>0</DST_Start_Min>
    <DST_End_Mon>10</DST_End_Mon>
    <DST_End_Week>5</DST_End_Week>
    <DST_End_Wday>0</DST_End_Wday>
    <DST_End_Hour>3</DST_End_Hour>
    <DST_End_Min>0</DST_End_Min>
  </GLOBAL_CONFIG_MODULE>
  <PHONE_CONFIG_MODULE>
    <Menu_Password>admin!</Menu_Password>
  </PHONE_CONFIG_MODULE>
  <MMI_CONFIG_MODULE>
    <MMI_Account>
      <MMI_Account_Entry>
        <ID>Account1</ID>
        <Name>admin</Name>
        <Password>admin!</Password>
        <Level>10</Level>
      </MMI_Account_Entry>
    </MMI_Account>
  </MMI_CONFIG_MODULE>
  <AUTOUPDATE_CONFIG_MODULE>
    <Download_Server_IP>https://prov.example:8443/fanvil/</Download_Server_IP>
    <Download_Protocol>5</Download_Protocol>
    <Download_Mode>1</Download_Mode>
    <PNP_Enable>0</PNP_Enable>
  </AUTOUPDATE_CONFIG_MODULE>
</VOIP_CONFIG_FILE>
"#;
    assert_eq!(String::from_utf8(file.content.clone()).expect("utf-8"), expected);
    assert_eq!(parse_xml(&file.content)[0].path, "VOIP_CONFIG_FILE");
}

#[test]
fn voip_variants_differ_where_the_sources_do() {
    let v = leaves(&render(&with_model("V63")).expect("renders").content);
    assert_eq!(xml_value(&v, "Version"), Some("2.0003"));
    assert_eq!(xml_value(&v, "GLOBAL_CONFIG_MODULE/Enable_DST"), Some("1"));
    assert_eq!(xml_value(&v, "GLOBAL_CONFIG_MODULE/DST_Type"), Some("1"));
    assert_eq!(xml_value(&v, "GLOBAL_CONFIG_MODULE/Time_Zone"), Some("4"));
    let c = leaves(&render(&with_model("C62")).expect("renders").content);
    assert_eq!(xml_value(&c, "version"), Some("2.0002"));
    // The C-series zone index (WZ v2_3: UTC+1 → 27, MET_001).
    assert_eq!(xml_value(&c, "GLOBAL_CONFIG_MODULE/Time_Zone"), Some("27"));
    assert_eq!(xml_value(&c, "GLOBAL_CONFIG_MODULE/Time_Zone_Name"), Some("MET_001"));
    assert_eq!(
        xml_value(
            &c,
            "SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry[SIP2]/Transport"
        ),
        Some("2")
    );
}

// ---- every field ------------------------------------------------------------------------

#[test]
fn every_field_text() {
    let got = text_config(&everything(None));
    for (name, want) in [
        ("SIP1 Register TTL", "600"),
        ("SIP1 Backup Addr", "backup.example"),
        ("SIP1 Backup Port", "5064"),
        ("SIP1 Backup Transport", "0"),
        ("SIP1 Media Crypto", "1"),
        ("SIP1 DTMF Mode", "1"),
        ("SIP1 Subscribe", "1"),
        ("SIP1 MWI Num", "*97"),
        ("SIP1 VoiceCodecMap", "G722,PCMA,PCMU"),
        ("Fkey1 Type", "2"),
        ("Fkey1 Value", "SIP1"),
        ("Fkey1 Title", "Line 1"),
        ("Fkey2 Type", "1"),
        ("Fkey2 Value", "103@2/ba"),
        ("Fkey2 Title", "Anna"),
        ("Second SNTP Server", "ntp2.example"),
        ("Default Language", "de"),
        ("Account2 Name", "guest"),
        ("Account2 Password", "user!"),
        ("Account2 Level", "5"),
        ("Output Device", "stdout,syslog"),
        ("Syslog Server", "log.example"),
        ("Syslog Server Port", "514"),
        ("Level", "INFO"),
        ("Default Username", "prov"),
        ("Default Password", "provpw"),
        ("Flash Mode", "2"),
        ("Flash Interval", "24"),
        ("Auto Image URL", "https://fw.example/x4u.z"),
        ("Enable VLAN", "1"),
        ("VLAN ID", "20"),
        ("Signalling Priority", "5"),
        ("Voice Priority", "5"),
    ] {
        assert_eq!(value(&got, name), Some(want), "{name}");
    }
    let sections: Vec<&str> = got.iter().map(|(s, _, _)| s.as_str()).collect();
    let mut order = sections.clone();
    order.dedup();
    assert_eq!(
        order,
        [
            "<SIP CONFIG MODULE>",
            "<PHONE FEATURE MODULE>",
            "<DSSKEY CONFIG MODULE>",
            "<MMI CONFIG MODULE>",
            "<LOG CONFIG MODULE>",
            "<AUTOUPDATE CONFIG MODULE>",
            "<QOS CONFIG MODULE>",
        ]
    );
    // Markers precede their groups.
    let names: Vec<&str> = got.iter().map(|(_, n, _)| n.as_str()).collect();
    let at = |name: &str| names.iter().position(|n| *n == name).expect(name);
    assert_eq!(at("--Sidekey Config1--") + 1, at("Fkey1 Type"));
    assert_eq!(at("--Display Input--") + 1, at("Default Language"));
    assert!(at("Menu Password") < at("--Display Input--"));
}

#[test]
fn every_field_sysconf() {
    let got = leaves(&render(&everything(Some("X4U"))).expect("renders").content);
    for (path, want) in [
        ("sip/line[1]/RegisterTTL", "600"),
        ("sip/line[1]/BackupAddr", "backup.example"),
        ("sip/line[1]/BackupPort", "5064"),
        ("sip/line[1]/BackupTransport", "0"),
        ("sip/line[1]/MediaCrypto", "1"),
        ("sip/line[1]/DTMFMode", "1"),
        ("sip/line[1]/Subscribe", "1"),
        ("sip/line[1]/MWINum", "*97"),
        ("sip/line[1]/VoiceCodecMap", "G722,PCMA,PCMU"),
        ("dsskey/dssSide[1]/Fkey[1]/Type", "2"),
        ("dsskey/dssSide[1]/Fkey[1]/Value", "SIP1"),
        ("dsskey/dssSide[1]/Fkey[2]/Value", "103@2/ba"),
        ("dsskey/dssSide[1]/Fkey[2]/Title", "Anna"),
        ("phone/date/SecondSNTPServer", "ntp2.example"),
        ("phone/display/DefaultLanguage", "de"),
        ("web/account[2]/Name", "guest"),
        ("web/account[2]/Password", "user!"),
        ("log/SyslogServer", "log.example"),
        ("log/SyslogServerPort", "514"),
        ("log/Level", "INFO"),
        ("ap/DefaultUsername", "prov"),
        ("ap/DefaultPassword", "provpw"),
        ("ap/FlashMode", "2"),
        ("ap/FlashInterval", "24"),
        ("AUTOUPDATE_CONFIG_MODULE/Auto_Image_URL", "https://fw.example/x4u.z"),
        ("qos/EnableVLAN", "1"),
        ("qos/VLANID", "20"),
        ("qos/SignallingPriority", "5"),
        ("qos/VoicePriority", "5"),
    ] {
        assert_eq!(xml_value(&got, path), Some(want), "{path}");
    }
}

#[test]
fn every_field_voip_config_file() {
    let mut a = everything(Some("X3S"));
    a.syslog_level = None;
    let got = leaves(&render(&a).expect("renders").content);
    let line = "SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry[SIP1]";
    for (path, want) in [
        (format!("{line}/Register_TTL"), "600"),
        (format!("{line}/Backup_Addr"), "backup.example"),
        (format!("{line}/Backup_Port"), "5064"),
        (format!("{line}/Backup_Transpo"), "0"),
        (format!("{line}/Media_Crypto"), "1"),
        (format!("{line}/DTMF_Mode"), "1"),
        (format!("{line}/Subscribe"), "1"),
        (format!("{line}/MWI_Num"), "*97"),
        (format!("{line}/VoiceCodecMap"), "G722,G711A,G711U"),
        (
            "PHONE_CONFIG_MODULE/Function_Key/Function_Key_Entry[Fkey2]/Value".into(),
            "103@2/ba",
        ),
        ("GLOBAL_CONFIG_MODULE/Second_SNTP_Server".into(), "ntp2.example"),
        // Older X firmware numbers languages (WZ serie_x: German 16).
        ("GLOBAL_CONFIG_MODULE/Language".into(), "16"),
        (
            "MMI_CONFIG_MODULE/MMI_Account/MMI_Account_Entry[Account2]/Password".into(),
            "user!",
        ),
        ("AAA_CONFIG_MODULE/Enable_Syslog".into(), "1"),
        ("AAA_CONFIG_MODULE/Syslog_address".into(), "log.example"),
        ("AAA_CONFIG_MODULE/Syslog_port".into(), "514"),
        ("AUTOUPDATE_CONFIG_MODULE/Download_Username".into(), "prov"),
        ("AUTOUPDATE_CONFIG_MODULE/Download_Password".into(), "provpw"),
        ("AUTOUPDATE_CONFIG_MODULE/Download_Mode".into(), "2"),
        ("AUTOUPDATE_CONFIG_MODULE/Download_Interval".into(), "24"),
        (
            "AUTOUPDATE_CONFIG_MODULE/Auto_Image_URL".into(),
            "https://fw.example/x4u.z",
        ),
        ("QOS_CONFIG_MODULE/VLAN_ID".into(), "20"),
        ("QOS_CONFIG_MODULE/Voice_Priority".into(), "5"),
    ] {
        assert_eq!(xml_value(&got, &path), Some(want), "{path}");
    }
    // No documented log level scale in this dialect.
    assert_eq!(
        render(&everything(Some("X3S"))),
        Err(RenderError::UnsupportedValue {
            field: "syslog level".into()
        })
    );
    // The V-series lay keys out in DSSKEY_CONFIG_MODULE, and have no soft keys.
    let mut v = a.clone();
    v.model = Some("V63".into());
    let got = leaves(&render(&v).expect("renders").content);
    assert_eq!(
        xml_value(
            &got,
            "DSSKEY_CONFIG_MODULE/Sidekey_Config1/Sidekey_Config1_Entry[Fkey2]/Value"
        ),
        Some("103@2/ba")
    );
    assert_eq!(xml_value(&got, "GLOBAL_CONFIG_MODULE/Language"), Some("16"));
    v.keys[1].bank = KeyBank::Programmable;
    assert_eq!(
        render(&v),
        Err(RenderError::UnsupportedValue {
            field: "key 2 kind".into()
        })
    );
}

// ---- values -----------------------------------------------------------------------------

fn zone(name: &str) -> Zone {
    Zone::find(name).expect(name)
}

#[test]
fn whole_hour_zone_names_like_the_formatter() {
    assert_eq!(utc_hours_name(0), "UTC");
    for hours in (-12..=14).filter(|&h| h != 0) {
        assert_eq!(utc_hours_name(hours), format!("UTC{hours:+}"));
    }
}

#[test]
fn timezones_in_quarter_hours() {
    let berlin = fanvil_time(&zone("Europe/Berlin"), ZoneCodes::QuarterHours).expect("berlin");
    assert_eq!(berlin.code, 4);
    assert_eq!(berlin.name, Some("UTC+1"));
    let dst = berlin.dst.expect("dst");
    assert_eq!(dst.minutes, 60);
    let change = |month, week, weekday, hour| Change {
        month,
        week,
        weekday,
        hour,
        minute: 0,
    };
    assert_eq!((dst.start, dst.end), (change(3, 5, 0, 2), change(10, 5, 0, 3)));

    let new_york = fanvil_time(&zone("America/New_York"), ZoneCodes::QuarterHours).expect("ny");
    assert_eq!((new_york.code, new_york.name), (-20, Some("UTC-5")));
    let dst = new_york.dst.expect("dst");
    assert_eq!((dst.start, dst.end), (change(3, 2, 0, 2), change(11, 1, 0, 2)));

    let kolkata = fanvil_time(&zone("Asia/Kolkata"), ZoneCodes::QuarterHours).expect("kolkata");
    assert_eq!(
        kolkata,
        FanvilTime {
            code: 22,
            name: None,
            dst: None
        }
    );
    let kathmandu = fanvil_time(&zone("Asia/Kathmandu"), ZoneCodes::QuarterHours).expect("kathmandu");
    assert_eq!((kathmandu.code, kathmandu.dst), (23, None));
    let lord_howe = fanvil_time(&zone("Australia/Lord_Howe"), ZoneCodes::QuarterHours).expect("lord howe");
    assert_eq!(lord_howe.code, 42);
    let dst = lord_howe.dst.expect("dst");
    assert_eq!(dst.minutes, 30);
    assert_eq!((dst.start, dst.end), (change(10, 1, 0, 2), change(4, 1, 0, 2)));
    let utc = fanvil_time(&zone("UTC"), ZoneCodes::QuarterHours).expect("utc");
    assert_eq!((utc.code, utc.name, utc.dst), (0, Some("UTC"), None));
    assert_eq!(
        fanvil_time(&zone("Pacific/Kiritimati"), ZoneCodes::QuarterHours)
            .expect("+14")
            .code,
        56
    );

    // Negative DST (Europe/Dublin: IST in summer is "standard") is the same clock turned round.
    let dublin = fanvil_time(&zone("Europe/Dublin"), ZoneCodes::QuarterHours).expect("dublin");
    assert_eq!(dublin.code, 0);
    let dst = dublin.dst.expect("dst");
    assert_eq!(
        (dst.minutes, dst.start, dst.end),
        (60, change(3, 5, 0, 1), change(10, 5, 0, 2))
    );
}

#[test]
fn timezones_fanvil_cannot_express() {
    let refused = Err(RenderError::UnsupportedValue {
        field: "timezone".into(),
    });
    // Changes at 24:00 or before midnight.
    for name in ["Africa/Cairo", "America/Santiago", "America/Nuuk", "Asia/Jerusalem"] {
        assert_eq!(fanvil_time(&zone(name), ZoneCodes::QuarterHours), refused, "{name}");
    }
    // The C-series index has whole hours from UTC−12 to UTC+12 only.
    assert_eq!(fanvil_time(&zone("Asia/Kolkata"), ZoneCodes::CSeriesIndex), refused);
    assert_eq!(
        fanvil_time(&zone("Pacific/Kiritimati"), ZoneCodes::CSeriesIndex),
        refused
    );
    let berlin = fanvil_time(&zone("Europe/Berlin"), ZoneCodes::CSeriesIndex).expect("berlin");
    assert_eq!((berlin.code, berlin.name), (27, Some("MET_001")));
    assert_eq!(
        fanvil_time(&zone("UTC"), ZoneCodes::CSeriesIndex).expect("utc").code,
        25
    );
    // Through the renderer: the field is named, nothing else.
    let mut a = two_accounts();
    a.timezone = Some(zone("Africa/Cairo"));
    assert_eq!(render(&a).map(|_| ()), refused.map(|_: FanvilTime| ()));
}

#[test]
fn dst_minutes_need_minute_keys() {
    // Pacific/Chatham changes at 2:45 and 3:45: only VOIP_CONFIG_FILE has minute keys.
    let mut a = with_model("X3S");
    a.timezone = Some(zone("Pacific/Chatham"));
    let got = leaves(&render(&a).expect("renders").content);
    assert_eq!(xml_value(&got, "GLOBAL_CONFIG_MODULE/Time_Zone"), Some("51"));
    assert_eq!(xml_value(&got, "GLOBAL_CONFIG_MODULE/DST_Start_Hour"), Some("2"));
    assert_eq!(xml_value(&got, "GLOBAL_CONFIG_MODULE/DST_Start_Min"), Some("45"));
    for model in [None, Some("X4U")] {
        a.model = model.map(str::to_owned);
        assert_eq!(
            render(&a),
            Err(RenderError::UnsupportedValue {
                field: "timezone".into()
            }),
            "{model:?}"
        );
    }
}

#[test]
fn languages() {
    assert_eq!(Language::Short.code("de"), Some("de"));
    assert_eq!(Language::Short.code("zh"), Some("cn"));
    assert_eq!(Language::Short.code("ca"), Some("cat"));
    assert_eq!(Language::Short.code("cs"), Some("cz"));
    assert_eq!(Language::Short.code("uk"), Some("ua"));
    assert_eq!(Language::Short.code("sv"), None);
    assert_eq!(Language::Iso.code("fr"), Some("fr"));
    assert_eq!(Language::Iso.code("pl"), None);
    assert_eq!(Language::NumericX.code("fr"), Some("4"));
    assert_eq!(Language::NumericV.code("fr"), Some("5"));
    assert_eq!(Language::NumericV.code("ja"), None);
    let mut a = two_accounts();
    a.language = Some("fr".into());
    assert_eq!(value(&text_config(&a), "Default Language"), Some("fr"));
    a.language = Some("xx".into());
    assert_eq!(
        render(&a),
        Err(RenderError::UnsupportedValue {
            field: "language".into()
        })
    );
    a.model = Some("C62".into());
    a.language = Some("de".into());
    let got = leaves(&render(&a).expect("renders").content);
    assert_eq!(xml_value(&got, "GLOBAL_CONFIG_MODULE/Language"), Some("de"));
}

#[test]
fn codecs_transport_dtmf_srtp_codes() {
    let mut a = two_accounts();
    let one = a.account_mut(1);
    one.codecs = vec![Codec::Pcmu, Codec::G729, Codec::G726_32, Codec::Ilbc, Codec::G723];
    one.dtmf = Some(DtmfMode::SipInfo);
    one.srtp = Some(SrtpMode::Required);
    one.mwi = Some(false);
    one.transport = Transport::Tcp;
    let got = text_config(&a);
    assert_eq!(value(&got, "SIP1 VoiceCodecMap"), Some("PCMU,G729,G726-32,iLBC,G723"));
    assert_eq!(value(&got, "SIP1 DTMF Mode"), Some("2"));
    assert_eq!(value(&got, "SIP1 Media Crypto"), Some("2"));
    assert_eq!(value(&got, "SIP1 Subscribe"), Some("0"));
    assert_eq!(value(&got, "SIP1 Transport"), Some("1"));
    a.accounts[0].dtmf = Some(DtmfMode::Inband);
    a.accounts[0].srtp = Some(SrtpMode::Disabled);
    let got = text_config(&a);
    assert_eq!(value(&got, "SIP1 DTMF Mode"), Some("0"));
    assert_eq!(value(&got, "SIP1 Media Crypto"), Some("0"));
    // Opus has no known spelling; iLBC none in VOIP_CONFIG_FILE.
    a.accounts[0].codecs = vec![Codec::Pcmu, Codec::Opus];
    assert_eq!(
        render(&a),
        Err(RenderError::UnsupportedValue {
            field: "account 1 codec opus".into()
        })
    );
    a.accounts[0].codecs = vec![Codec::Ilbc];
    a.model = Some("X3S".into());
    assert_eq!(
        render(&a),
        Err(RenderError::UnsupportedValue {
            field: "account 1 codec iLBC".into()
        })
    );
}

#[test]
fn provisioning_url_schemes_and_interval() {
    let mut a = Assignment {
        mac: Some(MAC),
        keep_pnp_enabled: true,
        ..Assignment::default()
    };
    for (url, code) in [
        ("http://10.0.0.1/prov", "4"),
        ("HTTPS://user:pw@pbx.example:8443/a/b/", "5"),
        ("tftp://10.0.0.1", "2"),
        ("ftp://pbx/x?u=http://y", "1"),
        ("https://[2001:db8::1]/p%20q/", "5"),
    ] {
        a.provisioning_url = Some(url.into());
        assert_eq!(
            pairs(&text_config(&a)),
            test_support::pairs(&[("Flash Server IP", url), ("Flash Protocol", code), ("Flash Mode", "1")]),
            "{url}"
        );
    }
    for (url, echo) in [
        ("sips://x", "sips"),
        ("file:///etc/passwd", "file"),
        ("://pbx", ""),
        ("pbx.example/prov", ""),
        ("user:secret@pbx/prov", ""),
        ("", ""),
    ] {
        a.provisioning_url = Some(url.into());
        assert_eq!(render(&a), Err(RenderError::InvalidUrl(echo.into())), "{url}");
    }
    a.provisioning_url = Some("http://pbx/".into());
    a.resync_interval_min = Some(90);
    assert_eq!(
        render(&a),
        Err(RenderError::UnsupportedValue {
            field: "resync interval".into()
        })
    );
    a.resync_interval_min = Some(0);
    assert_eq!(value(&text_config(&a), "Flash Mode"), Some("1"));
    a.resync_interval_min = Some(120);
    let got = text_config(&a);
    assert_eq!(
        (value(&got, "Flash Mode"), value(&got, "Flash Interval")),
        (Some("2"), Some("2"))
    );
}

#[test]
fn vlan_and_syslog_ranges() {
    let mut a = two_accounts();
    a.vlan_id = Some(4095);
    assert_eq!(
        render(&a),
        Err(RenderError::UnsupportedValue {
            field: "vlan id".into()
        })
    );
    let mut a = two_accounts();
    a.vlan_priority = Some(8);
    assert_eq!(
        render(&a),
        Err(RenderError::UnsupportedValue {
            field: "vlan priority".into()
        })
    );
    let mut a = two_accounts();
    a.syslog_level = Some(9);
    assert_eq!(
        render(&a),
        Err(RenderError::UnsupportedValue {
            field: "syslog level".into()
        })
    );
    for (level, name) in [(0, "ERROR"), (3, "ERROR"), (4, "WARNING"), (5, "INFO"), (7, "DEBUG")] {
        assert_eq!(syslog_level(level), Ok(name), "{level}");
    }
}

// ---- keys -------------------------------------------------------------------------------

fn key(bank: KeyBank, position: u16, kind: KeyKind, value: Option<&str>) -> Key {
    Key {
        bank,
        position,
        kind,
        account: 1,
        value: value.map(str::to_owned),
        label: None,
    }
}

#[test]
fn key_kinds_and_groups() {
    let mut a = Assignment {
        mac: Some(MAC),
        keep_pnp_enabled: true,
        ..Assignment::default()
    };
    a.keys = vec![
        key(KeyBank::Programmable, 1, KeyKind::SpeedDial, Some("200")),
        key(KeyBank::Line, 3, KeyKind::Park, Some("*5901")),
        key(KeyBank::Line, 4, KeyKind::Unused, None),
    ];
    let got = text_config(&a);
    assert_eq!(
        pairs(&got),
        test_support::pairs(&[
            ("--Sidekey Config1--", ""),
            ("Fkey3 Type", "1"),
            ("Fkey3 Value", "*5901@1/c"),
            ("Fkey3 Title", ""),
            ("Fkey4 Type", "0"),
            ("Fkey4 Value", ""),
            ("Fkey4 Title", ""),
            ("--SoftDss Config--", ""),
            ("Fkey1 Type", "1"),
            ("Fkey1 Value", "200@1/f"),
            ("Fkey1 Title", ""),
        ])
    );
    let sys = leaves(
        &render(&Assignment {
            model: Some("X4U".into()),
            ..a.clone()
        })
        .expect("renders")
        .content,
    );
    assert_eq!(xml_value(&sys, "dsskey/dssSoft[1]/Value"), Some("200@1/f"));
    assert_eq!(xml_value(&sys, "dsskey/dssSide[1]/Fkey[3]/Type"), Some("1"));
    let voip = leaves(
        &render(&Assignment {
            model: Some("X3S".into()),
            ..a.clone()
        })
        .expect("renders")
        .content,
    );
    assert_eq!(
        xml_value(
            &voip,
            "PHONE_CONFIG_MODULE/Soft_Dss_Key/Soft_Dss_Key_Entry[SoftFkey1]/Value"
        ),
        Some("200@1/f")
    );

    for (bad, field) in [
        (key(KeyBank::Line, 1, KeyKind::Dnd, None), "key 1 kind dnd"),
        (
            key(KeyBank::Expansion(1), 1, KeyKind::Blf, Some("1")),
            "key 1 bank expansion1",
        ),
        (key(KeyBank::Line, 1, KeyKind::Blf, None), "key 1 value"),
        (key(KeyBank::Line, 0, KeyKind::Line, None), "key 1 position"),
        (
            Key {
                account: 0,
                ..key(KeyBank::Line, 1, KeyKind::Line, None)
            },
            "key 1 account",
        ),
    ] {
        a.keys = vec![bad];
        assert_eq!(
            render(&a),
            Err(RenderError::UnsupportedValue { field: field.into() }),
            "{field}"
        );
    }
    // A control character in a key label names the key.
    a.keys = vec![Key {
        label: Some("a\nb".into()),
        ..key(KeyBank::Line, 1, KeyKind::Line, None)
    }];
    assert_eq!(render(&a), control_error("key 1 label"));
}

#[test]
fn keys_are_checked_against_the_model() {
    // X210's banks are not in the capability table: any position passes; a model with known
    // banks would refuse with KeyOutOfRange (see render::keys).
    let mut a = with_model("X210");
    a.keys = vec![key(KeyBank::Line, 99, KeyKind::Line, None)];
    assert!(render(&a).is_ok());
}

// ---- accounts ---------------------------------------------------------------------------

#[test]
fn account_limits() {
    for model in [
        None,
        Some("X4U"),
        Some("X3S"),
        Some("C62"),
        Some("V63"),
        Some("NoSuchPhone"),
    ] {
        let mut a = two_accounts();
        a.model = model.map(str::to_owned);
        a.account_mut(7).user_id = Some("107".into());
        assert_eq!(
            render(&a),
            Err(RenderError::TooManyAccounts { max: 6, got: 7 }),
            "{model:?}"
        );
        a.accounts.truncate(6);
        a.account_mut(6).user_id = Some("106".into());
        assert!(render(&a).is_ok(), "{model:?}");
    }
    // The format's limit applies to unknown models, and trailing empty accounts are nothing.
    let mut a = two_accounts();
    a.account_mut(20);
    assert_eq!(render(&a).expect("renders"), render(&two_accounts()).expect("renders"));
    assert_eq!(account_limit(VENDOR, Some("NoSuchPhone"), FORMAT_MAX), FORMAT_MAX);
}

#[test]
fn gap_account_is_skipped_and_auth_id_falls_back() {
    let mut a = Assignment {
        mac: Some(MAC),
        keep_pnp_enabled: true,
        ..Assignment::default()
    };
    a.account_mut(3).user_id = Some("103".into());
    a.account_mut(3).transport = Transport::Tcp;
    assert_eq!(
        pairs(&text_config(&a)),
        test_support::pairs(&[
            ("--SIP Line List--", ""),
            ("SIP3 Phone Number", "103"),
            ("SIP3 Register User", "103"),
            ("SIP3 Enable Reg", "1"),
            ("SIP3 Transport", "1"),
        ])
    );
}

#[test]
fn outbound_proxy_forms() {
    for (proxy, expected) in [
        ("obp.example", vec![("Addr", "obp.example")]),
        ("obp.example:5070", vec![("Addr", "obp.example"), ("Port", "5070")]),
        ("[2001:db8::2]:5071", vec![("Addr", "2001:db8::2"), ("Port", "5071")]),
        ("2001:db8::2", vec![("Addr", "2001:db8::2")]),
        ("obp.example:70000", vec![("Addr", "obp.example:70000")]),
    ] {
        let mut a = Assignment {
            mac: Some(MAC),
            keep_pnp_enabled: true,
            ..Assignment::default()
        };
        a.account_mut(1).outbound_proxy = Some(proxy.into());
        let got = text_config(&a);
        for (suffix, want) in expected {
            assert_eq!(value(&got, &format!("SIP1 Proxy {suffix}")), Some(want), "{proxy}");
        }
    }
    let mut a = two_accounts();
    a.accounts[0].outbound_proxy = Some(String::new());
    assert!(!text_config(&a).iter().any(|(_, n, _)| n.starts_with("SIP1 Proxy")));
}

// ---- errors name the field --------------------------------------------------------------

#[test]
fn control_characters_name_the_field_not_the_value() {
    let secret = "hunter2";
    for model in [None, Some("X4U"), Some("X3S")] {
        for c in ['\r', '\n', '\0', '\u{7}', '\t', '\u{7f}', '\u{85}'] {
            let value = format!("{secret}{c}more");
            let mut a = two_accounts();
            a.model = model.map(str::to_owned);
            a.accounts[1].password = Some(value.clone());
            let err = render(&a).expect_err("control character");
            assert_eq!(Err(err.clone()), control_error("account 2 password"), "{c:?} {model:?}");
            assert!(!err.to_string().contains(secret));

            let mut a = two_accounts();
            a.model = model.map(str::to_owned);
            a.admin_password = Some(value.clone());
            assert_eq!(render(&a), control_error("admin password"), "{c:?} {model:?}");
        }
    }
    for (field, set) in [
        (
            "ntp server",
            (|a: &mut Assignment| a.ntp_servers = vec!["ntp\n".into()]) as fn(&mut _),
        ),
        ("provisioning url", |a| a.provisioning_url = Some("http://x/\n".into())),
        ("account 1 auth id", |a| a.accounts[0].auth_id = Some("1\n".into())),
        ("account 1 registrar", |a| {
            a.accounts[0].registrar_host = Some("h\n".into())
        }),
        ("account 1 outbound proxy", |a| {
            a.accounts[0].outbound_proxy = Some("h\n:1".into())
        }),
        ("provisioning password", |a| {
            a.provisioning_password = Some("p\n".into())
        }),
        ("syslog host", |a| a.syslog_host = Some("h\n".into())),
    ] {
        let mut a = two_accounts();
        set(&mut a);
        assert_eq!(render(&a), control_error(field), "{field}");
    }
    // The label is not written, so it cannot break the file.
    let mut a = two_accounts();
    a.accounts[0].label = Some("x\ny".into());
    assert_eq!(render(&a), render(&two_accounts()));
}

#[test]
fn special_values_pass_through_verbatim_or_escaped() {
    let password = "100% : #x & <y> \"q\" 'a' ]]> $mac";
    let display = "  Zoë & 北京 😀 ";
    let mut a = two_accounts();
    a.accounts[0].password = Some(password.into());
    a.accounts[0].display_name = Some(display.into());
    let text = text_of(&a);
    assert!(
        text.contains(&format!("\r\nSIP1 Register Pswd      :{password}\r\n")),
        "{text}"
    );
    let got = text_config(&a);
    assert_eq!(value(&got, "SIP1 Display Name"), Some(display));
    for model in ["X4U", "X3S"] {
        a.model = Some(model.into());
        let content = render(&a).expect("renders").content;
        let raw = String::from_utf8(content.clone()).expect("utf-8");
        assert!(raw.contains("&amp; &lt;y&gt;") && !raw.contains("<y>"), "{raw}");
        let nodes: Vec<Node> = parse_xml(&content);
        assert!(nodes.iter().any(|n| n.text == password), "{model}");
        assert!(nodes.iter().any(|n| n.text == display), "{model}");
    }
}

// ---- overrides --------------------------------------------------------------------------

/// The text settings of `a`, as [`render`] builds them.
fn text_settings(a: &Assignment) -> Vec<Setting<'_>> {
    let notation = Dialect::Text.notation();
    let mut settings = Vec::new();
    lines(a, &notation, &mut settings).expect("accounts");
    settings.extend(keys(a).expect("keys"));
    globals(a, &notation, &mut settings).expect("globals");
    settings
}

#[test]
fn text_without_overrides_like_the_general_path() {
    let mut cases = vec![two_accounts(), everything(None)];
    // Side and soft keys numbered past 9 (names not written from a one-digit template), in
    // an order that is not file order.
    let mut many_keys = everything(None);
    many_keys.keys = (1..=12)
        .rev()
        .map(|position| key(KeyBank::Programmable, position, KeyKind::SpeedDial, Some("200")))
        .chain((9..=11).map(|position| key(KeyBank::Line, position, KeyKind::Line, None)))
        .collect();
    cases.push(many_keys);
    // Refused values: the general path reports the first in group order (`Menu Password`,
    // outside a sub-list), not the first in file order (the display name, in the SIP list).
    let mut refused = everything(None);
    refused.account_mut(1).display_name = Some("a\rb".into());
    refused.admin_password = Some("a\nb".into());
    cases.push(refused.clone());
    refused.admin_password = Some("ok".into());
    refused.syslog_host = Some("log\u{85}".into());
    cases.push(refused);
    // Non-ASCII values and empty ones.
    let mut text = everything(None);
    text.account_mut(2).display_name = Some("Zoë ☎".into());
    text.account_mut(1).voicemail_number = Some(String::new());
    cases.push(text);
    for (i, a) in cases.iter().enumerate() {
        let [without_lines, general] = text::tests::both_paths(&text_settings(a));
        assert_eq!(without_lines, general, "case {i}");
    }
    // Two-digit numbers are written outside the one-digit templates, padded all the same.
    let [many_keys, _] = text::tests::both_paths(&text_settings(&cases[2]));
    let many_keys = String::from_utf8(many_keys.expect("rendered")).expect("utf-8");
    for line in ["Fkey12 Type             :1\r\n", "Fkey9 Type              :2\r\n"] {
        assert!(many_keys.contains(line), "{line:?} in {many_keys}");
    }
    let [refused, _] = text::tests::both_paths(&text_settings(&cases[3]));
    assert_eq!(refused.map(|_| ()), control_error("admin password").map(|_| ()));
}

#[test]
fn text_overrides_replace_in_place_and_append() {
    let mut a = two_accounts();
    a.set_override("LCD Title", "Desk 1");
    a.set_override("Account1 Password", "new");
    a.set_override("PNP Enable", "1");
    a.set_override("SIP1 DTMF Info Mode", "1");
    let base = text_config(&two_accounts());
    let got = text_config(&a);
    assert_eq!(got.len(), base.len() + 2);
    // Replaced in place: same section, same order of names, one line per name.
    let names = |list: &Parsed| -> Vec<(String, String)> {
        list.iter()
            .filter(|(_, n, _)| n != "LCD Title" && n != "SIP1 DTMF Info Mode")
            .map(|(s, n, _)| (s.clone(), n.clone()))
            .collect()
    };
    assert_eq!(names(&got), names(&base));
    for (name, new) in [("Account1 Password", "new"), ("PNP Enable", "1")] {
        assert_eq!(value(&got, name), Some(new), "{name}");
        assert_eq!(got.iter().filter(|(_, n, _)| n == name).count(), 1, "{name}");
    }
    let sip_end = got
        .iter()
        .rposition(|(s, _, _)| s == "<SIP CONFIG MODULE>")
        .expect("sip section");
    assert_eq!(
        (got[sip_end].1.as_str(), got[sip_end].2.as_str()),
        ("SIP1 DTMF Info Mode", "1")
    );
    assert_eq!(
        got.last().map(|(s, n, v)| (s.as_str(), n.as_str(), v.as_str())),
        Some(("<AUTOUPDATE CONFIG MODULE>", "LCD Title", "Desk 1"))
    );
    // Bad names are refused, control characters in values name the override.
    for key in ["", "a:b", "<SIP CONFIG MODULE>", " x", "x ", "ä"] {
        let mut a = two_accounts();
        a.set_override(key, "v");
        assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
    }
    let mut a = two_accounts();
    a.set_override("SIP1 Register Pswd", "x\ny");
    assert_eq!(render(&a), control_error("override SIP1 Register Pswd"));
    let mut a = two_accounts();
    a.set_override("a\nb", "v");
    assert_eq!(render(&a), control_error("override 1 key"));
}

#[test]
fn xml_overrides_replace_in_place_and_add_by_path() {
    let mut a = with_model("X4U");
    a.set_override("sip/line[1]/RegisterPswd", "new");
    a.set_override("phone/display/LCDTitle", "Desk");
    a.set_override("sip/line[3]/PhoneNumber", "103");
    a.set_override("ap/pnp/PNPEnable", "1");
    let got = leaves(&render(&a).expect("renders").content);
    let base = leaves(&render(&with_model("X4U")).expect("renders").content);
    assert_eq!(xml_value(&got, "sip/line[1]/RegisterPswd"), Some("new"));
    assert_eq!(xml_value(&got, "phone/display/LCDTitle"), Some("Desk"));
    assert_eq!(xml_value(&got, "sip/line[3]/PhoneNumber"), Some("103"));
    assert_eq!(xml_value(&got, "ap/pnp/PNPEnable"), Some("1"));
    assert_eq!(got.len(), base.len() + 2);
    let pos = |l: &[(String, String)], p: &str| l.iter().position(|(x, _)| x == p);
    assert_eq!(
        pos(&got, "sip/line[1]/RegisterPswd"),
        pos(&base, "sip/line[1]/RegisterPswd")
    );

    let mut a = with_model("X3S");
    a.set_override(
        "SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry[SIP2]/DTMF_Info_Mode",
        "1",
    );
    a.set_override("AUTOUPDATE_CONFIG_MODULE/PNP_Enable", "1");
    let got = leaves(&render(&a).expect("renders").content);
    assert_eq!(
        xml_value(
            &got,
            "SIP_CONFIG_MODULE/SIP_Line_List/SIP_Line_List_Entry[SIP2]/DTMF_Info_Mode"
        ),
        Some("1")
    );
    assert_eq!(xml_value(&got, "AUTOUPDATE_CONFIG_MODULE/PNP_Enable"), Some("1"));

    for key in ["a b", "sip/line[x y]/A", "/ap", "ap//x", "P1\"><evil"] {
        let mut a = with_model("X4U");
        a.set_override(key, "v");
        assert_eq!(render(&a), Err(RenderError::InvalidKey(key.into())), "{key:?}");
    }
    let mut a = with_model("X4U");
    a.set_override("ap/FlashServerIP", "x\u{1}y");
    assert_eq!(render(&a), control_error("override ap/FlashServerIP"));
}

// ---- PnP, MAC, dispatch, shared files ---------------------------------------------------

#[test]
fn pnp_is_switched_off_unless_kept() {
    let mut a = Assignment {
        mac: Some(MAC),
        ..Assignment::default()
    };
    assert_eq!(
        pairs(&text_config(&a)),
        test_support::pairs(&[("--Sip Pnp List--", ""), ("PNP Enable", "0")])
    );
    a.keep_pnp_enabled = true;
    let empty = format!("{HEADER_LINE}\r\n<<END OF FILE>>\r\n");
    assert_eq!(render(&a).expect("renders").content, empty.as_bytes());
    for model in ["X4U", "X3S", "V63"] {
        let kept = Assignment {
            model: Some(model.into()),
            keep_pnp_enabled: true,
            ..two_accounts()
        };
        let text = String::from_utf8(render(&kept).expect("renders").content).expect("utf-8");
        assert!(!text.to_ascii_lowercase().contains("pnp"), "{model}: {text}");
    }
}

#[test]
fn missing_mac_and_dispatch() {
    let a = Assignment {
        mac: None,
        ..two_accounts()
    };
    assert_eq!(render(&a), Err(RenderError::MissingMac));
    let a = two_accounts();
    assert_eq!(super::super::render("fanvil", &a), render(&a));
    assert_eq!(render(&a).expect("renders"), render(&a.clone()).expect("renders"));
}

/// Device-wide settings only, for shared files.
fn shared() -> Assignment {
    let mut a = everything(None);
    a.mac = None;
    a.accounts.clear();
    a.keys.clear();
    a
}

#[test]
fn shared_files_in_their_models_dialect() {
    // Seed 004's C62 file and WZ's spelling of it: the C-series VOIP_CONFIG_FILE, no accounts.
    for name in ["f0C006200000.cfg", "f0C00620000.cfg"] {
        let mut a = shared();
        a.syslog_level = None;
        let file = super::super::render_shared("fanvil", name, &a).expect("renders");
        assert_eq!(file.file_name, name);
        assert_eq!(file.content_type, "application/xml");
        let got = leaves(&file.content);
        assert_eq!(xml_value(&got, "GLOBAL_CONFIG_MODULE/Time_Zone"), Some("27"));
        assert_eq!(xml_value(&got, "AUTOUPDATE_CONFIG_MODULE/PNP_Enable"), Some("0"));
        assert!(!got.iter().any(|(p, _)| p.starts_with("SIP_CONFIG_MODULE")), "{name}");
    }
    // X210's file: sysConf.
    let file = render_shared("F0V00X200000.cfg", &shared()).expect("renders");
    let got = leaves(&file.content);
    assert_eq!(xml_value(&got, "ap/FlashInterval"), Some("24"));
    assert_eq!(xml_value(&got, "phone/display/DefaultLanguage"), Some("de"));
    // An unknown hardware id: text, or the assignment's model's dialect.
    let text = String::from_utf8(render_shared("f0Z9hw1.100.cfg", &shared()).expect("renders").content).expect("utf-8");
    assert!(
        text.starts_with(HEADER_LINE) && text.contains("Default Language        :de\r\n"),
        "{text}"
    );
    let a = Assignment {
        model: Some("X4U".into()),
        ..shared()
    };
    assert_eq!(
        render_shared("f0Z9hw1.100.cfg", &a).expect("renders").content_type,
        "application/xml"
    );

    // Refusals: accounts (by the dispatcher), keys, other file names.
    assert_eq!(
        super::super::render_shared("fanvil", "f0C006200000.cfg", &two_accounts()),
        Err(RenderError::AccountsInSharedFile)
    );
    let mut a = shared();
    a.keys = everything(None).keys;
    assert_eq!(
        render_shared("F0V00X200000.cfg", &a),
        Err(RenderError::UnsupportedValue {
            field: "keys in a shared file".into()
        })
    );
    for name in [
        "0c383e12abcd.cfg",
        "f0.cfg",
        "x0C00620000.cfg",
        "f0C0062.xml",
        "f0é.cfg",
        "f0/../x.cfg",
    ] {
        assert_eq!(
            render_shared(name, &shared()),
            Err(RenderError::UnsupportedFile(name.into())),
            "{name}"
        );
    }
}

#[test]
fn routed_common_files_render() {
    use crate::route::{Target, route};
    let a = Assignment {
        syslog_level: None,
        ..shared()
    };
    for name in [
        "f0C006200000.cfg",
        "f0C00620000.cfg",
        "F0V0V6700000.cfg",
        "f0X3shw1.100.cfg",
    ] {
        let found = route(name).expect("routed");
        assert_eq!(found.vendor, "fanvil", "{name}");
        assert!(matches!(found.target, Target::Model(_)), "{name}");
        assert!(render_shared(name, &a).is_ok(), "{name}");
    }
}
