//! IANA time zones, as renderers need them: every zone name maps to the POSIX TZ rule it
//! follows today (from the compiled tzdata, see `tools/gen_timezones.py`), parsed into the
//! standard offset and the daylight-saving rule that vendors' own settings are made from.

mod posix;
mod table;

pub use posix::{DstRule, PosixTz, Transition};

use std::sync::OnceLock;

/// A known IANA zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone {
    /// The IANA name as listed (`Europe/Berlin`).
    pub name: &'static str,
    /// The POSIX TZ rule in force (`CET-1CEST,M3.5.0,M10.5.0/3`).
    pub posix: &'static str,
    /// Its row in the table.
    index: usize,
}

/// Each zone's rule, parsed the first time a renderer asks for it.
static RULES: [OnceLock<PosixTz>; table::ZONES.len()] = [const { OnceLock::new() }; table::ZONES.len()];

impl Zone {
    /// Looks up an IANA zone name (exact spelling, links such as `Asia/Calcutta` included).
    pub fn find(name: &str) -> Option<Zone> {
        let index = table::ZONES.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
        let (name, posix) = table::ZONES[index];
        Some(Zone { name, posix, index })
    }

    /// The zone's rule, parsed once per process. Every rule in the compiled table parses (a
    /// test checks).
    pub fn rule(&self) -> &'static PosixTz {
        RULES[self.index].get_or_init(|| PosixTz::parse(self.posix).expect("tzdata rules in the table parse"))
    }
}

/// The tzdata release the table was generated from.
pub fn tzdata_version() -> &'static str {
    table::TZDATA_VERSION
}

/// Every zone name, sorted.
pub fn names() -> impl Iterator<Item = &'static str> {
    table::ZONES.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_zones_and_links() {
        assert_eq!(Zone::find("Europe/Berlin").unwrap().posix, "CET-1CEST,M3.5.0,M10.5.0/3");
        assert_eq!(Zone::find("Asia/Calcutta").unwrap().posix, "IST-5:30");
        assert_eq!(Zone::find("UTC").unwrap().posix, "UTC0");
        assert!(Zone::find("europe/berlin").is_none());
        assert!(Zone::find("Mars/Olympus").is_none());
    }

    #[test]
    fn the_table_is_sorted_and_every_rule_parses() {
        let names: Vec<_> = names().collect();
        assert!(names.len() > 500, "{}", names.len());
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        for name in names {
            let zone = Zone::find(name).unwrap();
            assert!(PosixTz::parse(zone.posix).is_some(), "{name}: {}", zone.posix);
        }
    }
}
