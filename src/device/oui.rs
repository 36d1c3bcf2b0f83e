//! The compiled-in OUI table: which vendor's phones carry a MAC block (IEEE MA-L registry,
//! per ../shared/research/pnp-vendors.md §3). OEM phones carry their ODM's OUI, so this is a
//! strong hint, not proof.

/// (OUI, canonical vendor id), sorted by OUI for binary search.
const TABLE: &[(u32, &str)] = &[
    (0x000208, "unify"),
    (0x000413, "snom"),
    (0x0004F2, "polycom"),
    (0x0005E7, "audiocodes"),
    (0x00085D, "mitel"),
    (0x000B82, "grandstream"),
    (0x000BEA, "zultys"),
    (0x000FD3, "digium"),
    (0x0010BC, "aastra"),
    (0x00118B, "alcatel"),
    (0x001565, "yealink"),
    (0x001719, "audiocodes"),
    (0x001AE8, "unify"),
    (0x001FC1, "htek"),
    (0x0020DA, "alcatel"),
    (0x0020F7, "cyberdata"),
    (0x002104, "gigaset"),
    (0x0021F2, "flyingvoice"),
    (0x00268B, "escene"),
    (0x00304F, "planet"),
    (0x005058, "sangoma"),
    (0x0080F0, "panasonic"),
    (0x00D095, "alcatel"),
    (0x00E0B1, "alcatel"),
    (0x00E0DA, "alcatel"),
    (0x08000F, "mitel"),
    (0x080023, "panasonic"),
    (0x0C1105, "akuvox"),
    (0x0C383E, "fanvil"),
    (0x14B370, "gigaset"),
    (0x249AD8, "yealink"),
    (0x2CFAA2, "alcatel"),
    (0x3C28A6, "alcatel"),
    (0x547068, "vtech"),
    (0x589EC6, "gigaset"),
    (0x64167F, "polycom"),
    (0x7465D1, "atlinks"),
    (0x7C1EB3, "2n"),
    (0x7C2F80, "gigaset"),
    (0x805E0C, "yealink"),
    (0x805EC0, "yealink"),
    (0x808287, "atcom"),
    (0x883C93, "alcatel"),
    (0x9424E1, "alcatel"),
    (0x9CADEF, "obihai"),
    (0xA8F7E0, "planet"),
    (0xBCC342, "panasonic"),
    (0xC074AD, "grandstream"),
    (0xDC0856, "alcatel"),
    (0xE8E732, "alcatel"),
    (0xEC74D7, "grandstream"),
    (0xF4B549, "yeastar"),
    (0xF8A03D, "dinstar"),
];

/// The vendor whose block `oui` (the MAC's first three bytes) belongs to.
pub fn vendor_for(oui: u32) -> Option<&'static str> {
    TABLE.binary_search_by_key(&oui, |&(o, _)| o).ok().map(|i| TABLE[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn every_pnp_vendor_is_known() {
        let cases = [
            (0x000B82, "grandstream"),
            (0xC074AD, "grandstream"),
            (0xEC74D7, "grandstream"),
            (0x000413, "snom"),
            (0x001565, "yealink"),
            (0x805EC0, "yealink"),
            (0x0C383E, "fanvil"),
            (0x001FC1, "htek"),
            (0x7C2F80, "gigaset"),
            (0x0080F0, "panasonic"),
            (0x0C1105, "akuvox"),
            (0x001719, "audiocodes"),
            (0x00304F, "planet"),
            (0x808287, "atcom"),
            (0x0021F2, "flyingvoice"),
            (0x547068, "vtech"),
            (0x00268B, "escene"),
        ];
        for (oui, vendor) in cases {
            assert_eq!(vendor_for(oui), Some(vendor), "{oui:06X}");
        }
        // Documentation samples use foreign blocks; Cisco and Hi-flying are not Grandstream.
        assert_eq!(vendor_for(0x00135E), None);
        assert_eq!(vendor_for(0x000B46), None);
        assert_eq!(vendor_for(0xACCF23), None);
    }
}
