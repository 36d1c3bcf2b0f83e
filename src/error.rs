//! The one error type of the sans-IO core.

use std::fmt;

use crate::assign::LookupError;
use crate::crypto::CryptoError;
use crate::render::RenderError;
use crate::sip::ParseError;
use crate::sip::writer::WriteError;
use crate::template::TemplateError;

/// Why an operation of the core failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The datagram is not a ua-profile SUBSCRIBE we can answer.
    Parse(ParseError),
    /// The host's lookup failed.
    Lookup(LookupError),
    /// A value would have broken the outgoing message's framing.
    Write(WriteError),
    Template(TemplateError),
    Render(RenderError),
    /// Encrypting or decrypting a config failed.
    Crypto(CryptoError),
    /// The host has no assignment for the device whose config was asked for.
    NotAssigned,
    /// A requested file name is not a provisioning file sippnp knows.
    UnknownPath,
    /// A known provisioning file that sippnp does not render (yet): a model or common file,
    /// a legacy binary, a boot or key file.
    UnsupportedFile,
    /// A configuration value is unusable; the text says which.
    InvalidConfig(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(e) => e.fmt(f),
            Error::Lookup(e) => e.fmt(f),
            Error::Write(e) => e.fmt(f),
            Error::Template(e) => e.fmt(f),
            Error::Render(e) => e.fmt(f),
            Error::Crypto(e) => e.fmt(f),
            Error::NotAssigned => f.write_str("no assignment for this device"),
            Error::UnknownPath => f.write_str("not a provisioning file name sippnp knows"),
            Error::UnsupportedFile => {
                f.write_str("a provisioning file sippnp does not render: only per-device config files are rendered")
            }
            Error::InvalidConfig(what) => write!(f, "invalid configuration: {what}"),
        }
    }
}

impl std::error::Error for Error {}

macro_rules! from_error {
    ($($variant:ident($ty:ty)),*) => {
        $(impl From<$ty> for Error {
            fn from(e: $ty) -> Error {
                Error::$variant(e)
            }
        })*
    };
}

from_error!(
    Parse(ParseError),
    Lookup(LookupError),
    Write(WriteError),
    Template(TemplateError),
    Render(RenderError),
    Crypto(CryptoError)
);
