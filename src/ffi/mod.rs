//! The C ABI: a thin shell over the core. Every exported function validates its arguments,
//! converts them, calls the core, maps the result to a `sippnp_result` and writes outputs
//! only on success — all inside the panic boundary. No protocol logic lives here.
#![allow(non_camel_case_types)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod answer;
pub mod assignment;
pub(crate) mod boundary;
pub mod callbacks;
pub mod crypto;
pub mod ctx;
pub mod device;
pub mod engine;
pub mod rendered;
pub mod result;
pub mod types;
pub mod version;

#[cfg(test)]
mod tests;
