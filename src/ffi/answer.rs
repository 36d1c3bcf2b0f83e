//! `sippnp_answer`: what to do about one datagram — send a 200 OK and a NOTIFY (with their
//! destinations), or stay silent (with the reason).

use std::ffi::CString;

use super::boundary::ffi_boundary;
use super::device::sippnp_device;
use super::result::sippnp_result;
use super::types::{self, c_string, sippnp_str};
use crate::responder::{Outcome, Packet, Silence};

/// What an answer asks the host to do.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_action {
    /// Send the response and then the NOTIFY.
    SIPPNP_ACTION_SEND = 1,
    /// Send nothing.
    SIPPNP_ACTION_SILENT = 2,
}

/// Why an answer is silent.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum sippnp_silence {
    /// The answer is not silent.
    SIPPNP_SILENCE_NONE = 0,
    /// The lookup said SIPPNP_LOOKUP_IGNORE.
    SIPPNP_SILENCE_IGNORED = 1,
    /// The device is unknown and the policy is SIPPNP_UNKNOWN_SILENT.
    SIPPNP_SILENCE_UNKNOWN_DEVICE = 2,
}

/// One message to send: its bytes and where to send them. Every pointer is borrowed from
/// the answer it came from.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sippnp_packet {
    /// The complete SIP message.
    pub data: *const u8,
    pub len: usize,
    /// Destination host: an IP literal (IPv6 without brackets) or, when the phone's Contact
    /// names one, a host name to resolve.
    pub host: sippnp_str,
    pub port: u16,
    /// `UDP`, `TCP`, `TLS`, … as the phone asked.
    pub transport: sippnp_str,
}

struct OwnedPacket {
    bytes: Vec<u8>,
    host: CString,
    port: u16,
    transport: CString,
}

impl OwnedPacket {
    fn new(p: Packet) -> OwnedPacket {
        OwnedPacket {
            host: c_string(&p.host),
            transport: c_string(&p.transport),
            port: p.port,
            bytes: p.bytes,
        }
    }

    fn view(&self) -> sippnp_packet {
        sippnp_packet {
            data: self.bytes.as_ptr(),
            len: self.bytes.len(),
            host: sippnp_str::of(&self.host),
            port: self.port,
            transport: sippnp_str::of(&self.transport),
        }
    }
}

/// The answer to one datagram. Under the hood, a `Box` holding the packets and the device.
pub struct sippnp_answer {
    device: sippnp_device,
    silence: sippnp_silence,
    url: Option<CString>,
    packets: Option<(OwnedPacket, OwnedPacket)>,
}

impl sippnp_answer {
    pub(crate) fn new(outcome: Outcome) -> sippnp_answer {
        match outcome {
            Outcome::Answer {
                device,
                url,
                response,
                notify,
            } => sippnp_answer {
                device: sippnp_device::new(device),
                silence: sippnp_silence::SIPPNP_SILENCE_NONE,
                url: Some(c_string(&url)),
                packets: Some((OwnedPacket::new(response), OwnedPacket::new(notify))),
            },
            Outcome::Silent { device, reason } => sippnp_answer {
                device: sippnp_device::new(device),
                silence: match reason {
                    Silence::Ignored => sippnp_silence::SIPPNP_SILENCE_IGNORED,
                    Silence::UnknownDevice => sippnp_silence::SIPPNP_SILENCE_UNKNOWN_DEVICE,
                },
                url: None,
                packets: None,
            },
        }
    }
}

/// Whether to send (SIPPNP_ACTION_SEND) or stay silent (SIPPNP_ACTION_SILENT); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_answer_action(answer: *const sippnp_answer) -> u32 {
    ffi_boundary!(0, {
        // SAFETY: NULL or a live answer from this library.
        unsafe { types::as_ref(answer) }.map_or(0, |a| match a.packets {
            Some(_) => sippnp_action::SIPPNP_ACTION_SEND as u32,
            None => sippnp_action::SIPPNP_ACTION_SILENT as u32,
        })
    })
}

/// Why the answer is silent (a `sippnp_silence` value); SIPPNP_SILENCE_NONE when it is
/// not, and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_answer_silence_reason(answer: *const sippnp_answer) -> u32 {
    ffi_boundary!(sippnp_silence::SIPPNP_SILENCE_NONE as u32, {
        // SAFETY: NULL or a live answer from this library.
        unsafe { types::as_ref(answer) }.map_or(sippnp_silence::SIPPNP_SILENCE_NONE as u32, |a| a.silence as u32)
    })
}

/// The provisioning URL the NOTIFY carries.
///
/// Borrowed from `answer`; `{NULL, 0}` when silent or for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_answer_url(answer: *const sippnp_answer) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        // SAFETY: NULL or a live answer from this library.
        unsafe { types::as_ref(answer) }.map_or(sippnp_str::ABSENT, |a| sippnp_str::of_opt(&a.url))
    })
}

/// The device that sent the datagram.
///
/// Borrowed from `answer`: valid until `sippnp_answer_free(answer)`; never free it. NULL for
/// NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_answer_device(answer: *const sippnp_answer) -> *const sippnp_device {
    ffi_boundary!(std::ptr::null(), {
        // SAFETY: NULL or a live answer from this library.
        unsafe { types::as_ref(answer) }.map_or(std::ptr::null(), |a| &a.device as *const sippnp_device)
    })
}

fn packet_out(
    answer: *const sippnp_answer,
    out: *mut sippnp_packet,
    pick: fn(&(OwnedPacket, OwnedPacket)) -> &OwnedPacket,
) -> sippnp_result {
    // SAFETY: NULL or a live answer from this library.
    let Some(answer) = (unsafe { types::as_ref(answer) }) else {
        return sippnp_result::SIPPNP_ERR_NULL_PARAMETER;
    };
    if out.is_null() {
        return sippnp_result::SIPPNP_ERR_NULL_PARAMETER;
    }
    let Some(packets) = &answer.packets else {
        return sippnp_result::SIPPNP_ERR_NOTHING_TO_SEND;
    };
    // SAFETY: checked non-NULL; the caller owns the sippnp_packet storage.
    unsafe { types::write_out(out, pick(packets).view()) };
    sippnp_result::SIPPNP_OK
}

/// The 200 OK to send first, to the datagram's source address and port.
///
/// **Borrowed outputs**: `*out` points into `answer`; valid until `sippnp_answer_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_NOTHING_TO_SEND when silent.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_answer_response(answer: *const sippnp_answer, out: *mut sippnp_packet) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, { packet_out(answer, out, |p| &p.0) })
}

/// The NOTIFY to send after the 200 OK, to the phone's Contact.
///
/// **Borrowed outputs**: `*out` points into `answer`; valid until `sippnp_answer_free`.
/// **Errors**: SIPPNP_ERR_NULL_PARAMETER; SIPPNP_ERR_NOTHING_TO_SEND when silent.
#[unsafe(no_mangle)]
#[must_use]
pub extern "C" fn sippnp_answer_notify(answer: *const sippnp_answer, out: *mut sippnp_packet) -> sippnp_result {
    ffi_boundary!(sippnp_result::SIPPNP_ERR_PANIC, { packet_out(answer, out, |p| &p.1) })
}

/// Frees an answer and everything borrowed from it. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_answer_free(answer: *mut sippnp_answer) {
    ffi_boundary!((), {
        // SAFETY: NULL or from this library, freed once.
        unsafe { types::free_box(answer) }
    })
}
