//! Reading SIP messages as text, and the seed SUBSCRIBE the socket tests send.

use std::fmt::Display;

use super::fixtures_dir;

/// The Via sent-by and the Contact address in `seeds/gxp2110.sip`.
const SEED_ADDRESS: &str = "172.18.32.197:5060";

/// The value of the first header `name` (case-insensitive) in `message`: a whole message, or
/// only its header part.
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    let head = message.split("\r\n\r\n").next()?;
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The body of a SIP message (empty without a blank line).
pub fn body(message: &str) -> &str {
    message.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// The Grandstream seed SUBSCRIBE (`seeds/gxp2110.sip`) with its Via sent-by and Contact, the
/// only places that name its address, moved to `here`.
pub fn seed_subscribe(here: impl Display) -> String {
    let seed = std::fs::read_to_string(fixtures_dir().join("seeds/gxp2110.sip")).expect("read the seed");
    assert_eq!(seed.matches(SEED_ADDRESS).count(), 2, "Via and Contact in the seed");
    let here = here.to_string();
    let mut rewritten = 0;
    let text: String = seed
        .split_inclusive("\r\n")
        .map(|line| {
            if (line.starts_with("Via:") || line.starts_with("Contact:")) && line.contains(SEED_ADDRESS) {
                rewritten += 1;
                line.replace(SEED_ADDRESS, &here)
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert_eq!(rewritten, 2, "the seed's Via and Contact should name {SEED_ADDRESS}");
    text
}
