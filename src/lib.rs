//! sippnp: SIP Plug-and-Play (ua-profile) provisioning for any PBX.
//!
//! The PBX keeps the sockets; sippnp does the thinking. A [`responder::Responder`] takes a
//! datagram and its source address, parses the phone's multicast SUBSCRIBE
//! ([`sip::Subscribe`]), identifies the device ([`device::identify`]), asks the host's
//! [`assign::Lookup`] what the device gets, and returns the exact 200 OK and NOTIFY bytes with
//! their destinations. [`render`] turns an [`assign::Assignment`] into the vendor's own config
//! file. The C ABI lives in `ffi` and is described by `include/sippnp.h`.

pub mod assign;
pub mod capabilities;
pub mod crypto;
pub mod device;
mod digits;
pub mod engine;
pub mod error;
pub mod ids;
pub mod net;
pub mod render;
pub mod responder;
pub mod route;
pub mod sip;
mod swar;
pub mod template;
pub mod text;
pub mod timezone;

mod ffi;

pub use error::Error;
