//! SIP for PnP: a tolerant SUBSCRIBE parser and the writer for the 200 OK and NOTIFY.
//! Sans-IO: bytes in, values and bytes out.

pub mod addr;
pub mod check_sync;
pub mod error;
pub mod event;
pub mod incoming;
mod lines;
pub(crate) mod masks;
pub mod notify;
pub mod params;
pub mod response;
pub mod scan;
pub(crate) mod search;
pub mod subscribe;
pub mod uri;
pub mod via;
pub mod writer;

pub use error::ParseError;
pub use scan::unfold;
pub use subscribe::Subscribe;

/// Largest datagram accepted (the UDP payload limit).
pub const MAX_DATAGRAM: usize = 65_535;
/// Most header lines accepted in one message.
pub const MAX_HEADERS: usize = 64;
