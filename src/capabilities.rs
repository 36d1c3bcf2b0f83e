//! Per-model capabilities as data: one compiled-in table of phone families ([`FAMILIES`]) and
//! one of sippnp's renderers ([`RENDERERS`]).
//!
//! A [`Family`] is a group of models that share a config format: which files the phones
//! request, the dialect, how many SIP accounts they take, their key banks per model, whether
//! they send SIP Plug-and-Play SUBSCRIBEs and which setting stops that, the config encryption,
//! and whether sippnp renders their config. Each row names its sources in
//! `../shared/research/config-formats.md` (§) and `pnp-vendors.md` (§), or the vendor seed
//! documents. A value the research does not give is `None` / [`Accounts::Unknown`] /
//! [`Encryption::Unknown`], never a guess.
//!
//! [`family`] finds the family of a vendor's model. A model the table does not know falls back
//! to the vendor's default family with [`FamilyMatch::exact`] = `false` (the caller's warning,
//! worded by [`FamilyMatch::warning`]), never an error; only an unknown vendor gives `None`.
//!
//! [`markdown_table`] renders the table as `docs/VENDORS.md`
//! (`cargo run --example sippnp -- capabilities > docs/VENDORS.md`); a test keeps the committed
//! file equal to it, and another renders each family's account limit through
//! [`crate::render::render`], so the data and the renderers cannot drift apart.
//!
//! **Model patterns.** A model is written upper case (`GXP2170`, `KX-HDV*`). A lower-case `x`
//! stands for one letter or digit (`D7xx`, `GXP21xx`), and a trailing `*` for any rest, empty
//! included (`GRP26*`). Before matching, a model name is trimmed, a leading vendor name
//! (`snomD785`, `Grandstream GXP2170`) and a leading `SIP-` (`SIP-T46U`, as Yealink's
//! User-Agent writes it) are dropped, and `_` counts as `-`; case does not matter. A model equal
//! to a pattern without wildcards wins; otherwise the matching pattern with the most literal
//! characters wins (`KX-UTG*` over `KX-UTxxx`), then the first in table order.

use std::cmp::Reverse;
use std::fmt::Write as _;

/// A group of models that share a config format and provisioning behaviour.
#[derive(Debug, PartialEq, Eq)]
pub struct Family {
    /// Canonical vendor id, as [`crate::device`] and [`crate::render::render`] spell it.
    pub vendor: &'static str,
    /// Short name of the family (`T46U / T48U / T5x`), without the vendor.
    pub name: &'static str,
    /// The models the family covers, as patterns (see the module docs), with per-model data.
    pub models: &'static [Model],
    /// The family a model of this vendor falls back to when no pattern matches it (exactly one
    /// per vendor).
    pub vendor_default: bool,
    /// SIP accounts (lines) the family's phones take at most.
    pub max_accounts: Accounts,
    /// Config format and dialect.
    pub dialect: &'static str,
    /// Files the phone requests, in request order, as patterns: `<mac>` / `<MAC>` is the MAC as
    /// 12 lower / upper-case hex digits, `<model>` / `<MODEL>` the model name, `<XX>`, `<code>`
    /// and `<hw>` a per-model id (the model's [`Model::common_file`] where known). Empty when
    /// the research names no file (the phone fetches the URL it is given).
    pub files: &'static [&'static str],
    /// Whether the phones send the SIP Plug-and-Play SUBSCRIBE (`Event: ua-profile`) at boot.
    pub pnp: bool,
    /// The setting(s) that stop the SUBSCRIBE, as `key = value` (several joined by `, `), when
    /// known. For rendered families these are what the renderer writes unless
    /// [`crate::assign::Assignment::keep_pnp_enabled`] is set.
    pub pnp_off_key: Option<&'static str>,
    /// Config file encryption the phones open.
    pub encryption: Encryption,
    /// Whether sippnp renders the config the family reads (see [`RENDERERS`] for the files).
    pub rendered_by_sippnp: bool,
    /// Where the row's data comes from.
    pub source: &'static str,
}

/// One model (or a pattern of models) of a [`Family`].
#[derive(Debug, PartialEq, Eq)]
pub struct Model {
    /// The model name or pattern (see the module docs).
    pub pattern: &'static str,
    /// The model's own common file name (Yealink `y0000000000XX.cfg`, Htek `cfg00NN.xml`,
    /// Fanvil `f0<hw>.cfg`), where the research gives it.
    pub common_file: Option<&'static str>,
    /// Key banks of the model, where the research gives them.
    pub keys: Keys,
}

/// Key counts per bank; `None` where the research gives no count.
///
/// Grandstream's banks are VPK (virtual line keys: `line`) and MPK (multi-purpose keys:
/// `programmable`); Yealink's `linekey.K`, `programablekey.K` and `expansion_module.M.key.K`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keys {
    pub line: Option<u16>,
    pub programmable: Option<u16>,
    pub expansion: Option<Expansion>,
}

impl Keys {
    /// No key count known.
    pub const UNKNOWN: Keys = Keys {
        line: None,
        programmable: None,
        expansion: None,
    };

    /// Whether no count is known.
    pub fn is_unknown(&self) -> bool {
        *self == Keys::UNKNOWN
    }
}

/// Expansion modules a model takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// Module names (`EXP40`).
    pub module: &'static str,
    /// Keys on one module.
    pub keys_per_module: u16,
    /// Modules that can be chained.
    pub max_modules: u8,
}

/// How many SIP accounts a family takes, and how sure that is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accounts {
    /// The largest count the research gives for a model of the family.
    Models(usize),
    /// The research gives no model count; this is how many accounts the family's config format
    /// addresses (Grandstream P-values: accounts 1–6).
    Format(usize),
    /// Not in the research.
    Unknown,
}

impl Accounts {
    /// The count, if known either way.
    pub fn max(self) -> Option<usize> {
        match self {
            Accounts::Models(n) | Accounts::Format(n) => Some(n),
            Accounts::Unknown => None,
        }
    }
}

/// Config file encryption of a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encryption {
    /// A scheme sippnp produces: the name [`crate::crypto::Cipher::parse`] accepts.
    Cipher(&'static str),
    /// The phones have a scheme, but it is not public: the named cipher always refuses.
    NotPublic(&'static str),
    /// The vendor has no config encryption: serve the files over HTTPS.
    None,
    /// Not in the research.
    Unknown,
}

impl Encryption {
    /// The name of the [`crate::crypto::Cipher`] for this family, if any (refusing or not).
    pub fn cipher(self) -> Option<&'static str> {
        match self {
            Encryption::Cipher(name) | Encryption::NotPublic(name) => Some(name),
            Encryption::None | Encryption::Unknown => None,
        }
    }
}

/// One of sippnp's renderers: what it writes for every rendered family of its vendor.
#[derive(Debug, PartialEq, Eq)]
pub struct Renderer {
    /// Canonical vendor id ([`crate::render::supported_vendors`]).
    pub vendor: &'static str,
    /// The files it renders, as [`Family::files`] patterns.
    pub files: &'static [&'static str],
    /// The most accounts its file format holds. A model of the table gets its family's count
    /// ([`Family::max_accounts`]) when that is lower; a model the table does not know gets this.
    /// More is [`crate::render::RenderError::TooManyAccounts`].
    pub max_accounts: usize,
    /// The modules that write the files.
    pub modules: &'static [&'static str],
}

/// sippnp's renderers, in [`crate::render::supported_vendors`] order.
pub static RENDERERS: &[Renderer] = &[
    Renderer {
        vendor: "fanvil",
        files: &["<mac>.cfg", "f0<hw>.cfg"],
        max_accounts: 6,
        modules: &[
            "src/render/fanvil.rs",
            "src/render/fanvil_text.rs",
            "src/render/fanvil_sysconf.rs",
            "src/render/fanvil_voip.rs",
            "src/render/fanvil_xml.rs",
        ],
    },
    Renderer {
        vendor: "gigaset",
        files: &["<mac>.xml"],
        max_accounts: 250,
        modules: &["src/render/gigaset.rs"],
    },
    Renderer {
        vendor: "grandstream",
        files: &["cfg<mac>.xml", "cfg<mac>", "cfg<model>.xml", "cfg.xml"],
        max_accounts: 6,
        modules: &[
            "src/render/grandstream.rs",
            "src/render/grandstream_pvalues.rs",
            "src/render/grandstream_items.rs",
            "src/render/grandstream_values.rs",
            "src/render/grandstream_binary.rs",
        ],
    },
    Renderer {
        vendor: "htek",
        files: &["cfg<mac>.xml", "cfg<code>.xml"],
        max_accounts: 6,
        modules: &["src/render/htek.rs"],
    },
    Renderer {
        vendor: "panasonic",
        files: &["Config<MAC>.cfg", "Config<MODEL>.cfg", "ConfigCom.cfg"],
        max_accounts: 6,
        modules: &["src/render/panasonic.rs"],
    },
    Renderer {
        vendor: "snom",
        files: &["snom<model>-<MAC>.htm", "<MAC>.xml", "snom<model>.htm"],
        max_accounts: 12,
        modules: &["src/render/snom.rs"],
    },
    Renderer {
        vendor: "yealink",
        files: &["<mac>.cfg", "y0000000000<XX>.cfg"],
        max_accounts: 16,
        modules: &[
            "src/render/yealink.rs",
            "src/render/yealink_keys.rs",
            "src/render/yealink_locale.rs",
            "src/render/yealink_dss.rs",
        ],
    },
];

// ---- shared row parts -------------------------------------------------------------------

/// A model with no per-model data.
const fn model(pattern: &'static str) -> Model {
    Model {
        pattern,
        common_file: None,
        keys: Keys::UNKNOWN,
    }
}

/// A model with its own common file.
const fn with_file(pattern: &'static str, common_file: &'static str) -> Model {
    Model {
        pattern,
        common_file: Some(common_file),
        keys: Keys::UNKNOWN,
    }
}

/// A model with a common file and keys.
const fn with_file_keys(pattern: &'static str, common_file: &'static str, keys: Keys) -> Model {
    Model {
        pattern,
        common_file: Some(common_file),
        keys,
    }
}

/// Line and programmable key counts.
const fn banks(line: u16, programmable: u16) -> Keys {
    Keys {
        line: Some(line),
        programmable: Some(programmable),
        expansion: None,
    }
}

/// Line keys only.
const fn line_keys(line: u16) -> Keys {
    Keys {
        line: Some(line),
        programmable: None,
        expansion: None,
    }
}

/// Expansion modules only.
const fn expansion(module: &'static str, keys_per_module: u16, max_modules: u8) -> Keys {
    Keys {
        line: None,
        programmable: None,
        expansion: Some(Expansion {
            module,
            keys_per_module,
            max_modules,
        }),
    }
}

/// EXP43/EXP50 on T4xU/T5x (config-formats §2.2, wazo v86 `common.py`).
const EXP_T4XU_T5X: Keys = expansion("EXP43/EXP50", 60, 3);
/// EXP40 on T27G/T46S/T48S (config-formats §2.2, wazo v86 `common.py`).
const EXP40: Keys = expansion("EXP40", 40, 6);

const GRANDSTREAM_FILES: &[&str] = &["cfg<mac>", "cfg<mac>.xml", "cfg<model>.xml", "cfg.xml"];
const GRANDSTREAM_PNP_OFF: Option<&str> = Some("P1414 = 0");
/// The P-value dialect, which every Grandstream model with XML provisioning reads.
const GRANDSTREAM_PVALUE_DIALECT: &str =
    "`<gs_provision>` P-value XML, config v1 (item-name v2 on fw 1.0.11.x); legacy binary `cfg<mac>`";
/// The item-name dialect. [`crate::render::grandstream`] renders item names for the models of
/// the families whose dialect is this text, and P-values for every other model.
pub const GRANDSTREAM_ITEM_DIALECT: &str =
    "`<gs_provision>` item-name XML, config v2 (`account.N.sip.userid`; P-values also read); legacy binary `cfg<mac>`";
const GRANDSTREAM_SOURCE: &str = "config-formats §2.1 (files, P-values of accounts 1–6, wazo MODEL_FKEYS), §3.1, §4; \
                                  pnp-vendors §1, §2.1 (GS-KB); seed 000 (GXP14xx/21xx PnP)";

const YEALINK_FILES: &[&str] = &[
    "<mac>.boot",
    "y000000000000.boot",
    "y0000000000<XX>.cfg",
    "<mac>.cfg",
    "<mac>_Security.enc",
];
const YEALINK_DIALECT: &str = "`#!version:1.0.0.1` + `key = value`, V81+ keys (`static.` prefixes, `sip_server.M.transport_type`; named codecs as from V82)";
/// The dialect of the Yealink models whose last firmware is V73: the renderer picks its V73 key
/// names by this value (`src/render/yealink_keys.rs`).
pub(crate) const YEALINK_DIALECT_V73: &str =
    "`#!version:1.0.0.1` + `key = value`, V73 keys (no `static.` prefix, `account.N.transport`, numbered codec slots)";
const YEALINK_PNP_OFF: Option<&str> = Some("static.auto_provision.pnp_enable = 0");
const YEALINK_SOURCE: &str =
    "config-formats §2.2 (files, XX ids, accounts per model, expansion), §3.2, §4; pnp-vendors §1, §2.3";

/// Fanvil dialects; `render::fanvil` picks its layout by comparing a family's `dialect` with
/// these (a model the table does not know gets the `<<VOIP CONFIG FILE>>` text format).
pub(crate) const FANVIL_SYSCONF_DIALECT: &str =
    "`<sysConf>` XML (firmware 2.x); models not in the table: `<<VOIP CONFIG FILE>>` text (VERIFY-HW)";
pub(crate) const FANVIL_VOIP_DIALECT: &str = "`<VOIP_CONFIG_FILE>` XML 2.0002, older X codes (VERIFY-HW)";
pub(crate) const FANVIL_VOIP_C_DIALECT: &str =
    "`<VOIP_CONFIG_FILE>` XML 2.0002, C-series zone index and language codes (VERIFY-HW)";
pub(crate) const FANVIL_VOIP_V_DIALECT: &str = "`<VOIP_CONFIG_FILE>` XML 2.0003 (firmware 2.12+; VERIFY-HW)";

// ---- the table --------------------------------------------------------------------------

/// Every known family, grouped by vendor. A `static`, so each [`Family`] has one address and
/// the `&'static Family` of a [`FamilyMatch`] can be compared with [`std::ptr::eq`].
pub static FAMILIES: &[Family] = &[
    // ---- Grandstream: config-formats §2.1, §3.1, §4; pnp-vendors §1, §2.1; seeds 000-002.
    // Families split by account count (the renderers apply the family's count to its models).
    Family {
        vendor: "grandstream",
        name: "GXP21xx / GXP14xx / GXP17xx / GXP16xx",
        models: &[
            Model {
                pattern: "GXP2170",
                common_file: None,
                keys: banks(48, 0),
            },
            Model {
                pattern: "GXP2160",
                common_file: None,
                keys: banks(24, 24),
            },
            model("GXP21xx"),
            model("GXP14xx"),
            model("GXP17xx"),
            model("GXP16xx"),
        ],
        vendor_default: true,
        max_accounts: Accounts::Format(6),
        dialect: GRANDSTREAM_PVALUE_DIALECT,
        files: GRANDSTREAM_FILES,
        pnp: true,
        pnp_off_key: GRANDSTREAM_PNP_OFF,
        encryption: Encryption::Cipher("grandstream"),
        rendered_by_sippnp: true,
        source: GRANDSTREAM_SOURCE,
    },
    Family {
        vendor: "grandstream",
        name: "GXP2110 / GXP2124 / GXP2135 / GXP2140 / GXP1780 / GXP1782",
        models: &[
            model("GXP2110"),
            model("GXP2124"),
            model("GXP2135"),
            model("GXP2140"),
            model("GXP1780"),
            model("GXP1782"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Models(4),
        dialect: GRANDSTREAM_PVALUE_DIALECT,
        files: GRANDSTREAM_FILES,
        pnp: true,
        pnp_off_key: GRANDSTREAM_PNP_OFF,
        encryption: Encryption::Cipher("grandstream"),
        rendered_by_sippnp: true,
        source: "provisioner.net `gxphd/family_data.json` (GXP2110 / GXP2124: 4 lines); Grandstream templates: \
                 FP `gxp2170` fw 1.0.9.127 (accounts 5–6 \"GXP2160/2170 only\"), GXP17xx fw 1.0.1.133 \
                 (account 4 \"GXP1782/1780 only\"); config-formats §2.1",
    },
    Family {
        vendor: "grandstream",
        name: "GXP2130 / GXP1760",
        models: &[model("GXP2130"), model("GXP1760")],
        vendor_default: false,
        max_accounts: Accounts::Models(3),
        dialect: GRANDSTREAM_PVALUE_DIALECT,
        files: GRANDSTREAM_FILES,
        pnp: true,
        pnp_off_key: GRANDSTREAM_PNP_OFF,
        encryption: Encryption::Cipher("grandstream"),
        rendered_by_sippnp: true,
        source: "provisioner.net `gxphd/family_data.json` (GXP2130: 3 lines); Grandstream GXP17xx template \
                 fw 1.0.1.133 (GXP1760: accounts 1–3); config-formats §2.1",
    },
    Family {
        vendor: "grandstream",
        name: "GXP1400 / GXP1405 / GXP1450",
        models: &[model("GXP1400"), model("GXP1405"), model("GXP1450")],
        vendor_default: false,
        max_accounts: Accounts::Models(2),
        dialect: GRANDSTREAM_PVALUE_DIALECT,
        files: GRANDSTREAM_FILES,
        pnp: true,
        pnp_off_key: GRANDSTREAM_PNP_OFF,
        encryption: Encryption::Cipher("grandstream"),
        rendered_by_sippnp: true,
        source: "provisioner.net `gxphd/family_data.json` (2 lines each); config-formats §2.1, §4; seed 000 \
                 (GXP14xx/21xx PnP)",
    },
    Family {
        vendor: "grandstream",
        name: "GRP26xx",
        models: &[
            Model {
                pattern: "GRP2614",
                common_file: None,
                keys: banks(16, 24),
            },
            model("GRP26*"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Models(6),
        dialect: GRANDSTREAM_ITEM_DIALECT,
        files: GRANDSTREAM_FILES,
        pnp: true,
        pnp_off_key: Some("provisioning.3cxAutoProvision = No"),
        encryption: Encryption::Cipher("grandstream"),
        rendered_by_sippnp: true,
        source: "config-formats §2.1 (item names: wazo `base_v2.tpl` for GRP261x; GRP26xx template with \
                 Account1–Account6), §3.1, §4; pnp-vendors §1, §2.1 (GS-GRP); seed 001 (GRP261x/260x/2624/2634 PnP)",
    },
    // ---- snom: config-formats §2.3, §3.4, §4; pnp-vendors §1, §2.2; seed 003.
    Family {
        vendor: "snom",
        name: "desk phones (3xx, 7xx, 8xx, D1xx–D8xx)",
        models: &[model("D7xx"), model("Dxxx"), model("3xx"), model("7xx"), model("8xx")],
        vendor_default: true,
        max_accounts: Accounts::Models(12),
        dialect: "`<settings><phone-settings>` XML with `idx` and `perm`, `<functionKeys>`; zone codes such as \
                  `GER+1`",
        files: &["snom<model>.htm", "snom<model>-<MAC>.htm", "<MAC>.xml"],
        pnp: true,
        pnp_off_key: Some("pnp_config = off, provisioning_order = dhcp:stop"),
        encryption: Encryption::None,
        rendered_by_sippnp: true,
        source: "config-formats §2.3 (files; up to 12 accounts on D7xx; `<MAC>.xml` via `setting_server` \
                 `{mac}`), §3.4, §4; pnp-vendors §1, §2.2; seed 003",
    },
    Family {
        vendor: "snom",
        name: "m3 (DECT)",
        models: &[model("M3")],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: "`.cfg` text (FusionPBX serves it as ISO-8859-1)",
        files: &[],
        pnp: false,
        pnp_off_key: None,
        encryption: Encryption::None,
        rendered_by_sippnp: false,
        source: "config-formats §4 (m3 and PA1 use `.cfg` text), §3.4; pnp-vendors §2.2 (PnP on all snom phones \
                 except the m3)",
    },
    // ---- Yealink: config-formats §2.2, §3.2, §4; pnp-vendors §1, §2.3.
    Family {
        vendor: "yealink",
        name: "T46U / T48U / T5x",
        models: &[
            with_file_keys("T46U", "y000000000108.cfg", EXP_T4XU_T5X),
            with_file_keys("T48U", "y000000000109.cfg", EXP_T4XU_T5X),
            with_file_keys("T52S", "y000000000074.cfg", EXP_T4XU_T5X),
            with_file_keys("T54W", "y000000000096.cfg", EXP_T4XU_T5X),
            with_file_keys("T57W", "y000000000097.cfg", EXP_T4XU_T5X),
            with_file_keys("T58A", "y000000000058.cfg", EXP_T4XU_T5X),
            with_file_keys("T58V", "y000000000058.cfg", EXP_T4XU_T5X),
            Model {
                pattern: "T5x*",
                common_file: None,
                keys: EXP_T4XU_T5X,
            },
        ],
        vendor_default: true,
        max_accounts: Accounts::Models(16),
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "T42U / T43U / T53",
        models: &[
            with_file_keys("T42U", "y000000000116.cfg", EXP_T4XU_T5X),
            with_file_keys("T43U", "y000000000107.cfg", EXP_T4XU_T5X),
            with_file_keys("T53", "y000000000095.cfg", EXP_T4XU_T5X),
            with_file_keys("T53W", "y000000000095.cfg", EXP_T4XU_T5X),
        ],
        vendor_default: false,
        max_accounts: Accounts::Models(12),
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "T41 / T27G",
        models: &[
            with_file("T41P", "y000000000036.cfg"),
            with_file("T41S", "y000000000068.cfg"),
            with_file_keys("T27G", "y000000000069.cfg", EXP40),
        ],
        vendor_default: false,
        max_accounts: Accounts::Models(6),
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "T33 / T34W",
        models: &[
            with_file("T33G", "y000000000124.cfg"),
            with_file("T34W", "y000000000171.cfg"),
            model("T33*"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Models(4),
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "T31",
        models: &[
            with_file("T31G", "y000000000123.cfg"),
            with_file("T31W", "y000000000172.cfg"),
            model("T31*"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Models(2),
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "T30",
        models: &[model("T30*")],
        vendor_default: false,
        max_accounts: Accounts::Models(1),
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "CP920",
        models: &[with_file("CP920", "y000000000078.cfg")],
        vendor_default: false,
        max_accounts: Accounts::Models(1),
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "CP925 / CP960 / CP965",
        models: &[
            with_file("CP925", "y000000000148.cfg"),
            with_file("CP960", "y000000000073.cfg"),
            with_file("CP965", "y000000000143.cfg"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "W52P / W56P / W60B (DECT)",
        models: &[
            with_file("W52P", "y000000000025.cfg"),
            with_file("W56P", "y000000000025.cfg"),
            with_file("W60B", "y000000000077.cfg"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: "`#!version:1.0.0.1` + `key = value`, V81+ keys, handset keys",
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: "config-formats §2.2 (XX ids), §4 (W5x: handset keys); pnp-vendors §1, §2.3 (W52P capture)",
    },
    Family {
        vendor: "yealink",
        name: "T2x / T40 / T4xG / T4xS / T44W",
        models: &[
            with_file("T19P-E2", "y000000000053.cfg"),
            with_file("T21P-E2", "y000000000052.cfg"),
            with_file("T23P", "y000000000044.cfg"),
            with_file("T23G", "y000000000044.cfg"),
            with_file("T29G", "y000000000046.cfg"),
            with_file("T40P", "y000000000054.cfg"),
            with_file("T40G", "y000000000076.cfg"),
            with_file("T42G", "y000000000029.cfg"),
            with_file("T42S", "y000000000067.cfg"),
            with_file("T46G", "y000000000028.cfg"),
            with_file_keys("T46S", "y000000000066.cfg", EXP40),
            with_file("T48G", "y000000000035.cfg"),
            with_file_keys("T48S", "y000000000065.cfg", EXP40),
            with_file("T44W", "y000000000174.cfg"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: YEALINK_DIALECT,
        files: YEALINK_FILES,
        pnp: true,
        pnp_off_key: YEALINK_PNP_OFF,
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: YEALINK_SOURCE,
    },
    Family {
        vendor: "yealink",
        name: "T20P / T22P / T26P / T28P (V73)",
        models: &[
            with_file("T20P", "y000000000007.cfg"),
            with_file("T22P", "y000000000005.cfg"),
            with_file("T26P", "y000000000004.cfg"),
            with_file("T28P", "y000000000000.cfg"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Models(6),
        dialect: YEALINK_DIALECT_V73,
        files: &["y0000000000<XX>.cfg", "<mac>.cfg"],
        pnp: true,
        pnp_off_key: Some("auto_provision.pnp_enable = 0"),
        encryption: Encryption::Cipher("yealink"),
        rendered_by_sippnp: true,
        source: "wazo-provd-plugins wazo_yealink v73 (models at firmware x.73, V73 keys) and common (accounts: T20P 2, \
                 T22P and T26P 3, T28P 6); common file ids from SAIL's Yealink descriptors; config-formats §2.2 (no boot \
                 file before V81)",
    },
    // ---- Fanvil: config-formats §2.4, §3.3, §4; pnp-vendors §1, §2.4; seed 004; dialects and
    // common files per wazo `wazo_fanvil` (serie_x, serie_v, v2_3) and FusionPBX templates.
    Family {
        vendor: "fanvil",
        name: "X-series (X1–X7, X210, XU, XU-Pro)",
        models: &[
            with_file("X210", "F0V00X200000.cfg"),
            model("X1S"),
            model("X3U"),
            model("X4U"),
            model("X5U"),
            model("X6U"),
            model("X7"),
            model("X7C"),
            model("X*"),
        ],
        vendor_default: true,
        max_accounts: Accounts::Unknown,
        dialect: FANVIL_SYSCONF_DIALECT,
        files: &["f0<hw>.cfg", "<mac>.cfg", "fanvil_<model>_hwv2_0.txt"],
        pnp: true,
        pnp_off_key: Some("PNPEnable = 0"),
        encryption: Encryption::NotPublic("fanvil"),
        rendered_by_sippnp: true,
        source: "config-formats §2.4 (files, common files, sysConf for X4U/X5U/X6U/X7/X210 and FusionPBX X1S/X3U/X7C, \
                 `fanvil_<model>_hwv2_0.txt` is a firmware descriptor), §3.3, §4; pnp-vendors §1, §2.4",
    },
    Family {
        vendor: "fanvil",
        name: "X-series, older firmware (X2 / X3 / X3S / X4 / X5 / X5S / X6)",
        models: &[
            with_file("X2", "f0X2hw1.100.cfg"),
            with_file("X3", "F0V00X300000.cfg"),
            with_file("X3S", "f0X3shw1.100.cfg"),
            with_file("X3SG", "f0X3sghw1.100.cfg"),
            with_file("X4", "f0X4hw1.100.cfg"),
            with_file("X5", "f0X5hw1.100.cfg"),
            with_file("X5S", "F0V00X5S0000.cfg"),
            with_file("X6", "F0V00X600000.cfg"),
            with_file("X6V2", "F0000X600000.cfg"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: FANVIL_VOIP_DIALECT,
        files: &["f0<hw>.cfg", "<mac>.cfg"],
        pnp: true,
        pnp_off_key: Some("PNP_Enable = 0"),
        encryption: Encryption::NotPublic("fanvil"),
        rendered_by_sippnp: true,
        source: "config-formats §2.4 (`VOIP_CONFIG_FILE`: wazo `base.tpl`, FusionPBX `x3sp`, `x4`; common files: wazo \
                 `serie_x` `COMMON_FILES`), §3.3; pnp-vendors §2.4",
    },
    Family {
        vendor: "fanvil",
        name: "C-series (C56 / C58 / C60 / C62)",
        models: &[
            with_file("C56", "f0C005600000.cfg"),
            with_file("C58", "f0C005800000.cfg"),
            with_file("C60", "f0C006000000.cfg"),
            with_file("C62", "f0C006200000.cfg"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: FANVIL_VOIP_C_DIALECT,
        files: &["f0<hw>.cfg", "<mac>.cfg"],
        pnp: true,
        pnp_off_key: Some("PNP_Enable = 0"),
        encryption: Encryption::NotPublic("fanvil"),
        rendered_by_sippnp: true,
        source: "seed 004 §2.2 (PnP), §3 (common file names; wazo spells C58/C62's `f0C00580000.cfg`, \
                 `f0C00620000.cfg`), §3.5; config-formats §2.4 (wazo `v2_3` uses `VOIP_CONFIG_FILE`), §3.3; \
                 pnp-vendors §2.4 (C56 manual)",
    },
    Family {
        vendor: "fanvil",
        name: "V-series (V62 / V63 / V64 / V65 / V67)",
        models: &[
            with_file("V62", "F0V0V6200000.cfg"),
            model("V63"),
            with_file("V64", "F0V0V6400000.cfg"),
            with_file("V65", "F0V0V6500000.cfg"),
            with_file("V67", "F0V0V6700000.cfg"),
            model("V6x*"),
        ],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: FANVIL_VOIP_V_DIALECT,
        files: &["f0<hw>.cfg", "<mac>.cfg"],
        pnp: true,
        pnp_off_key: Some("PNP_Enable = 0"),
        encryption: Encryption::NotPublic("fanvil"),
        rendered_by_sippnp: true,
        source: "config-formats §2.4, §4 (fusionpbx#7973: V-series firmware 2.12+ reads `VOIP_CONFIG_FILE`, not \
                 sysConf; FusionPBX `v63`), §3.3; common files: wazo `serie_v` `COMMON_FILES`",
    },
    // ---- Htek: config-formats §2.5, §4; pnp-vendors §2.9.
    Family {
        vendor: "htek",
        name: "UC9xx",
        models: &[
            Model {
                pattern: "UC926",
                common_file: Some("cfg0010.xml"),
                keys: line_keys(36),
            },
            with_file("UC924", "cfg0012.xml"),
            with_file("UC923", "cfg0013.xml"),
            Model {
                pattern: "UC912",
                common_file: Some("cfg0019.xml"),
                keys: line_keys(12),
            },
            with_file("UC903", "cfg0016.xml"),
            with_file("UC902", "cfg0017.xml"),
            model("UC9*"),
        ],
        vendor_default: true,
        max_accounts: Accounts::Format(6),
        dialect: "`<hl_provision>` XML, config v1: Grandstream-like P-values with a `para` name",
        files: &["cfg<code>.xml", "cfg<mac>", "cfg<mac>.xml"],
        pnp: true,
        pnp_off_key: Some("P20165 = 0"),
        encryption: Encryption::Unknown,
        rendered_by_sippnp: true,
        source: "config-formats §2.5 (common files, accounts 1–6, wazo `_NB_LINEKEYS`), §4; pnp-vendors §2.9 (HTEK \
                 guide: request order, §14 LAN auto provisioning); PnP key P20165 `FirmwareUpGrade.PnPActive` from a \
                 public Htek factory-export template; per-account server keys: FusionPBX `htek/uc926`",
    },
    // ---- Panasonic: config-formats §2.7, §3.5, §4; pnp-vendors §1, §2.6.
    Family {
        vendor: "panasonic",
        name: "KX-HDV / KX-UT",
        models: &[model("KX-HDV*"), model("KX-UTxxx")],
        vendor_default: true,
        max_accounts: Accounts::Models(6),
        dialect: "SIP Phone Standard Format text (`KEY=\"value\"`, CR LF)",
        files: &["Config<MAC>.cfg", "Config<MODEL>.cfg", "ConfigCom.cfg"],
        pnp: true,
        pnp_off_key: Some("SIPPNP_PROV_ENABLE = N"),
        encryption: Encryption::Cipher("panasonic"),
        rendered_by_sippnp: true,
        source: "config-formats §2.7 (files in request order), §3.5, §4; pnp-vendors §1, §2.6 (PANA-HDV); \
                 6 lines: KX-UT670 guide (src/render/panasonic.rs)",
    },
    Family {
        vendor: "panasonic",
        name: "KX-UTG (older, XML)",
        models: &[model("KX-UTG*")],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: "`<PANASIPPhoneConfig>` XML",
        files: &["<MODEL>.cfg"],
        pnp: true,
        pnp_off_key: None,
        encryption: Encryption::Cipher("panasonic"),
        rendered_by_sippnp: false,
        source: "config-formats §2.7, §3.5 (PAN: the UTG guide), §4; pnp-vendors §1, §2.6 (PANA-UTG: a URL \
                 without a file name gets `<MODEL>.cfg`)",
    },
    // ---- Gigaset: config-formats §2.6; pnp-vendors §1, §2.5; Gigaset wiki (GPPPO).
    Family {
        vendor: "gigaset",
        name: "Maxwell (desk phones)",
        models: &[model("MAXWELL*")],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: "`<provisioning version=\"1.1\" productID=\"mx3b\">` XML with `SIP.Account.N.*` params",
        files: &[],
        pnp: true,
        pnp_off_key: None,
        encryption: Encryption::Unknown,
        rendered_by_sippnp: false,
        source: "pnp-vendors §1, §2.5 (GIGA-MX); Gigaset wiki GPPPO \"FAQ Maxwell - Auto provisioning Nested \
                 profiles\" (format; `provisioning.xml`, then `<MAC>.xml`, MAC case not settled)",
    },
    Family {
        vendor: "gigaset",
        name: "P-series (snom-derived desk phones)",
        models: &[model("P820*")],
        vendor_default: false,
        max_accounts: Accounts::Unknown,
        dialect: "snom `<settings><phone-settings>` XML (shares `provisioning_order`); file names not in the research",
        files: &[],
        pnp: true,
        pnp_off_key: Some("provisioning_order without pnp (snom-style)"),
        encryption: Encryption::Unknown,
        rendered_by_sippnp: false,
        source: "config-formats §2.6 (GIG: the desk phones are snom-derived); pnp-vendors §2.5 (GIGA-PNP: snom's \
                 trace, vendor OEM); Gigaset wiki GPPPO \"Configuration files\" (snom XML for a P820)",
    },
    Family {
        vendor: "gigaset",
        name: "N610 / N670 / N870 (DECT)",
        models: &[model("N610*"), model("N670*"), model("N870*")],
        vendor_default: true,
        max_accounts: Accounts::Unknown,
        dialect: "`<provisioning version=\"1.1\" productID=\"e2\">` XML with `<nvm>` params; one SIP account per \
                  handset, servers in shared provider profiles",
        files: &["<mac>.xml"],
        pnp: true,
        pnp_off_key: Some("SystemSettings.global.SipMulticastEnabled = 0"),
        encryption: Encryption::Unknown,
        rendered_by_sippnp: true,
        source: "config-formats §2.6 (Nx70 file and syntax, wazo `Nx70_83_v2_65_0`); pnp-vendors §1, §2.5 \
                 (GIGA-N); provider-profile params from one implementation (wazo), not checked on a base \
                 (VERIFY-HW); sippnp's limit of 250 handsets is the N870's (data sheet, not in the research)",
    },
    // ---- AudioCodes: pnp-vendors §1, §2.7.
    Family {
        vendor: "audiocodes",
        name: "3xxHD / 4xxHD",
        models: &[model("3xxHD"), model("4xxHD")],
        vendor_default: true,
        max_accounts: Accounts::Unknown,
        dialect: "not in the research",
        files: &[],
        pnp: true,
        pnp_off_key: None,
        encryption: Encryption::Unknown,
        rendered_by_sippnp: false,
        source: "pnp-vendors §1, §2.7 (AUDC: no MAC and no vendor in the SUBSCRIBE, \
                 `profile-type=\"application\"`)",
    },
    // ---- Akuvox: pnp-vendors §1, §2.8.
    Family {
        vendor: "akuvox",
        name: "door phones and intercoms (R20, C317)",
        models: &[model("R20*"), model("C317*")],
        vendor_default: true,
        max_accounts: Accounts::Unknown,
        dialect: "not in the research",
        files: &[],
        pnp: true,
        pnp_off_key: None,
        encryption: Encryption::Unknown,
        rendered_by_sippnp: false,
        source: "pnp-vendors §1, §2.8 (AKUVOX C317X, R20B guides; akuvox-at)",
    },
    // ---- Sangoma: pnp-vendors §1 (SANGOMA). Its S-series are Htek phones (OUI 001FC1).
    Family {
        vendor: "sangoma",
        name: "D-series / P-series (DPMA)",
        models: &[model("Dxx"), model("Pxxx")],
        vendor_default: true,
        max_accounts: Accounts::Unknown,
        dialect: "DPMA: found by mDNS, provisioned over SIP MESSAGE",
        files: &[],
        pnp: false,
        pnp_off_key: None,
        encryption: Encryption::Unknown,
        rendered_by_sippnp: false,
        source: "pnp-vendors §1 (SANGOMA: no ua-profile), §6",
    },
];

// ---- lookup -----------------------------------------------------------------------------

/// The family [`family`] found for a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FamilyMatch {
    pub family: &'static Family,
    /// The model entry that matched; `None` on a fallback.
    pub model: Option<&'static Model>,
    /// `true` when a model pattern matched; `false` when the model is missing or unknown and
    /// `family` is the vendor's default (the caller should warn: the data may not fit).
    pub exact: bool,
}

impl FamilyMatch {
    /// A one-line warning for a fallback (`None` when the model matched). It never echoes the
    /// model name, which comes from the network.
    pub fn warning(&self) -> Option<String> {
        (!self.exact).then(|| {
            format!(
                "model not in the capability table: using the defaults of the {} family \"{}\"",
                self.family.vendor, self.family.name
            )
        })
    }
}

/// The family of `vendor`'s `model` (canonical vendor id, any case). A model that is missing,
/// empty or matches no pattern gives the vendor's default family with `exact` = `false`; an
/// unknown vendor gives `None`.
pub fn family(vendor: &str, model: Option<&str>) -> Option<FamilyMatch> {
    let of_vendor = || FAMILIES.iter().filter(|f| f.vendor.eq_ignore_ascii_case(vendor));
    let default = of_vendor().find(|f| f.vendor_default)?;
    let fallback = FamilyMatch {
        family: default,
        model: None,
        exact: false,
    };
    let Some(name) = model.map(|m| normalize(m, default.vendor)).filter(|m| !m.is_empty()) else {
        return Some(fallback);
    };
    let entries = || of_vendor().flat_map(|f| f.models.iter().map(move |m| (f, m)));
    let literal = entries().find(|(_, m)| is_literal(m.pattern) && m.pattern.eq_ignore_ascii_case(&name));
    // Else the most specific wildcard pattern, the first in table order among equals.
    let found = literal.or_else(|| {
        entries()
            .filter(|(_, m)| matches(m.pattern, &name))
            .min_by_key(|(_, m)| Reverse(literal_chars(m.pattern)))
    });
    Some(found.map_or(fallback, |(family, model)| FamilyMatch {
        family,
        model: Some(model),
        exact: true,
    }))
}

/// The renderer of `vendor` (canonical id, any case), if sippnp has one.
pub fn renderer(vendor: &str) -> Option<&'static Renderer> {
    RENDERERS.iter().find(|r| r.vendor.eq_ignore_ascii_case(vendor))
}

/// `model` as patterns see it: trimmed, without a leading vendor name or `SIP-`, `_` as `-`.
fn normalize(model: &str, vendor: &str) -> String {
    let mut rest = model.trim();
    if let Some((head, tail)) = rest.split_at_checked(vendor.len())
        && head.eq_ignore_ascii_case(vendor)
    {
        rest = tail.trim_start_matches([' ', '-', '_']);
    }
    if let Some((head, tail)) = rest.split_at_checked(3)
        && head.eq_ignore_ascii_case("SIP")
        && tail.starts_with(['-', '_'])
    {
        rest = &tail[1..];
    }
    rest.replace('_', "-")
}

/// A pattern without wildcards.
fn is_literal(pattern: &str) -> bool {
    !pattern.contains(['x', '*'])
}

/// Characters of `pattern` that must match literally (its specificity).
fn literal_chars(pattern: &str) -> usize {
    pattern.chars().filter(|&c| c != 'x' && c != '*').count()
}

/// Whether `name` matches `pattern`: `x` = one ASCII letter or digit, a trailing `*` = any
/// rest, every other character itself (any case).
fn matches(pattern: &str, name: &str) -> bool {
    let (pattern, prefix) = match pattern.strip_suffix('*') {
        Some(head) => (head, true),
        None => (pattern, false),
    };
    let name = name.as_bytes();
    if name.len() < pattern.len() || (!prefix && name.len() != pattern.len()) {
        return false;
    }
    pattern.bytes().zip(name).all(|(p, &n)| match p {
        b'x' => n.is_ascii_alphanumeric(),
        _ => p.eq_ignore_ascii_case(&n),
    })
}

// ---- docs --------------------------------------------------------------------------------

/// The command that writes `docs/VENDORS.md`.
pub const GENERATOR_COMMAND: &str = "cargo run --example sippnp -- capabilities > docs/VENDORS.md";

/// The docs table (`docs/VENDORS.md`): a generated-file comment, a legend, one row per family
/// (vendors × models × files × features), then sippnp's renderers.
pub fn markdown_table() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated from src/capabilities.rs by `{GENERATOR_COMMAND}`. Do not edit by hand. -->"
    );
    out.push_str(LEGEND);
    out.push_str(
        "| vendor | family: models | files the phone requests | format / dialect | max accounts | keys | \
         PnP: sends; off key | encryption | rendered by sippnp | source |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
    for f in FAMILIES {
        let cells = [
            code(f.vendor),
            models_cell(f),
            list(f.files.iter().map(|file| code(file))).unwrap_or_else(|| "not in the research".into()),
            f.dialect.to_owned(),
            accounts_cell(f),
            keys_cell(f),
            pnp_cell(f),
            encryption_cell(f.encryption),
            (if f.rendered_by_sippnp { "yes" } else { "no" }).to_owned(),
            f.source.to_owned(),
        ];
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push_str(RENDERERS_HEADING);
    out.push_str("| vendor | files sippnp renders | accounts per file | modules |\n");
    out.push_str("|---|---|---|---|\n");
    for r in RENDERERS {
        let files = list(r.files.iter().map(|file| code(file))).unwrap_or_default();
        let modules = list(r.modules.iter().map(|module| code(module))).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {files} | 1–{} | {modules} |",
            code(r.vendor),
            r.max_accounts
        );
    }
    out
}

const LEGEND: &str = "
# Vendors, models, files and features

One row per phone family, generated from the capability table compiled into sippnp
(`sippnp::capabilities::FAMILIES`); `capabilities::family(vendor, model)` looks a model up.

- **models**: upper-case names; a lower-case `x` is one letter or digit, a trailing `*` any rest.
  A leading vendor name (`snomD785`) or `SIP-` (`SIP-T46U`) is ignored. A model no pattern
  matches gets its vendor's default family (**default**) with a warning, never an error.
  `→` gives the model's own common file.
- **files**: in request order; `<mac>` / `<MAC>` is the MAC in lower / upper-case hex, `<model>`
  the model name, `<XX>`, `<code>` and `<hw>` the model's id (its common file).
- **max accounts**: the largest model count the research gives; \"(format)\": the count the
  config format addresses, no model count known; `?`: not in the research. Where sippnp's
  renderer writes more than that, the cell says so: the renderers apply their format's limit to
  every model of a vendor.
- **keys**: Grandstream *line* = VPK, *programmable* = MPK.
- **sources**: `config-formats` and `pnp-vendors` are the research notes in
  `../shared/research/`; seeds are the vendor documents in `../shared/seeds/`.

";

const RENDERERS_HEADING: &str = "
## What sippnp renders

More accounts than a renderer's limit is `RenderError::TooManyAccounts`. Tests render every
rendered family at this limit and one above it through `sippnp::render::render`.

";

/// `text` in backticks.
fn code(text: &str) -> String {
    format!("`{text}`")
}

/// The items joined with `, `; `None` when there are none.
fn list(items: impl Iterator<Item = String>) -> Option<String> {
    let items: Vec<String> = items.collect();
    (!items.is_empty()).then(|| items.join(", "))
}

fn models_cell(f: &Family) -> String {
    let models = f.models.iter().map(|m| match m.common_file {
        Some(file) => format!("{} → {}", code(m.pattern), code(file)),
        None => code(m.pattern),
    });
    let default = if f.vendor_default { " (default)" } else { "" };
    format!("**{}**{default}: {}", f.name, list(models).unwrap_or_default())
}

fn accounts_cell(f: &Family) -> String {
    let own = match f.max_accounts {
        Accounts::Models(n) => n.to_string(),
        Accounts::Format(n) => format!("{n} (format)"),
        Accounts::Unknown => "?".to_owned(),
    };
    match renderer(f.vendor) {
        Some(r) if f.rendered_by_sippnp && matches!(f.max_accounts, Accounts::Format(_) | Accounts::Unknown) => {
            format!("{own}; sippnp writes up to {}", r.max_accounts)
        }
        _ => own,
    }
}

fn keys_text(keys: &Keys) -> String {
    let mut parts = Vec::new();
    if let Some(n) = keys.line {
        parts.push(format!("line {n}"));
    }
    if let Some(n) = keys.programmable {
        parts.push(format!("programmable {n}"));
    }
    if let Some(e) = keys.expansion {
        parts.push(format!(
            "expansion {} {} keys × {}",
            e.module, e.keys_per_module, e.max_modules
        ));
    }
    parts.join(", ")
}

/// Models grouped by identical keys: `` `GXP2170`: line 48, programmable 0; … ``.
fn keys_cell(f: &Family) -> String {
    let mut groups: Vec<(Keys, Vec<&str>)> = Vec::new();
    for m in f.models.iter().filter(|m| !m.keys.is_unknown()) {
        match groups.iter_mut().find(|(keys, _)| *keys == m.keys) {
            Some((_, patterns)) => patterns.push(m.pattern),
            None => groups.push((m.keys, vec![m.pattern])),
        }
    }
    if groups.is_empty() {
        return "?".to_owned();
    }
    let group = |(keys, patterns): &(Keys, Vec<&str>)| {
        let who = if patterns.len() == f.models.len() {
            "all".to_owned()
        } else {
            list(patterns.iter().map(|p| code(p))).unwrap_or_default()
        };
        format!("{who}: {}", keys_text(keys))
    };
    groups.iter().map(group).collect::<Vec<_>>().join("; ")
}

fn pnp_cell(f: &Family) -> String {
    match (f.pnp, f.pnp_off_key) {
        (false, _) => "no".to_owned(),
        (true, Some(key)) => format!("yes; {}", code(key)),
        (true, None) => "yes; off key not known".to_owned(),
    }
}

fn encryption_cell(encryption: Encryption) -> String {
    match encryption {
        Encryption::Cipher(name) => code(name),
        Encryption::NotPublic(name) => format!("not public ({} refuses)", code(name)),
        Encryption::None => "none (use HTTPS)".to_owned(),
        Encryption::Unknown => "?".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches("GXP21xx", "GXP2110"));
        assert!(!matches("GXP21xx", "GXP211"));
        assert!(!matches("GXP21xx", "GXP21100"));
        assert!(matches("GRP26*", "GRP2612W"));
        assert!(matches("GRP26*", "grp26"));
        assert!(matches("KX-UTxxx", "kx-ut670"));
        assert!(!matches("KX-UTxxx", "KX-UTG200"));
        assert!(!matches("D7xx", "D7-5"));
        assert_eq!(literal_chars("KX-UTG*"), 6);
        assert!(is_literal("T46U") && !is_literal("T5x*"));
    }

    #[test]
    fn normalizes_vendor_and_sip_prefixes() {
        assert_eq!(normalize(" snomD785 ", "snom"), "D785");
        assert_eq!(normalize("snom370", "snom"), "370");
        assert_eq!(normalize("SIP-T46U", "yealink"), "T46U");
        assert_eq!(normalize("Yealink SIP-T19P_E2", "yealink"), "T19P-E2");
        assert_eq!(normalize("Grandstream GXP2170", "grandstream"), "GXP2170");
        assert_eq!(normalize("sip_T21P", "yealink"), "T21P");
        assert_eq!(normalize("SIPT21P", "yealink"), "SIPT21P");
        assert_eq!(normalize("sn", "snom"), "sn");
        assert_eq!(normalize("snö", "snom"), "snö");
    }

    #[test]
    fn most_specific_pattern_wins() {
        let utg = family("panasonic", Some("KX-UTG200")).expect("vendor");
        assert_eq!(utg.family.name, "KX-UTG (older, XML)");
        let ut = family("panasonic", Some("KX-UT670")).expect("vendor");
        assert_eq!(ut.family.name, "KX-HDV / KX-UT");
        let t53 = family("yealink", Some("T53W")).expect("vendor");
        assert_eq!(t53.family.max_accounts, Accounts::Models(12));
        let t55 = family("yealink", Some("T55A")).expect("vendor");
        assert!(t55.exact);
        assert_eq!(t55.model.map(|m| m.pattern), Some("T5x*"));
    }
}
