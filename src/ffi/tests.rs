//! Tests of the C ABI called directly from Rust: NULLs, outputs untouched on failure, the
//! callback contract, and the panic boundary of every exported function.

use std::ffi::{CStr, c_char, c_void};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::answer::*;
use super::assignment::*;
use super::boundary::arm_panic;
use super::callbacks::*;
use super::crypto::*;
use super::ctx::*;
use super::device::*;
use super::rendered::*;
use super::result::sippnp_result::*;
use super::result::*;
use super::types::{sippnp_bytes, sippnp_str};
use super::version::*;

/// The SUBSCRIBE printed in the Grandstream GXP21xx PnP guide (seed 000).
const GXP2110: &[u8] = include_bytes!("../../tests/fixtures/seeds/gxp2110.sip");

fn text(s: sippnp_str) -> Option<String> {
    if s.ptr.is_null() {
        return None;
    }
    // SAFETY: the library promises `len` bytes of UTF-8 followed by a NUL.
    let c = unsafe { CStr::from_ptr(s.ptr) };
    assert_eq!(c.to_bytes().len(), s.len, "sippnp_str must be NUL-terminated at len");
    Some(c.to_str().unwrap().to_owned())
}

fn bytes(b: sippnp_bytes) -> Vec<u8> {
    // SAFETY: the library promises `len` readable bytes.
    unsafe { std::slice::from_raw_parts(b.data, b.len) }.to_vec()
}

fn set(a: *mut sippnp_assignment, field: sippnp_field, value: &str) {
    assert_eq!(
        sippnp_assignment_set(a, field as u32, value.as_ptr().cast(), value.len()),
        SIPPNP_OK
    );
}

fn set_account(a: *mut sippnp_assignment, index: u32, field: sippnp_account_field, value: &str) {
    let r = sippnp_assignment_set_account(a, index, field as u32, value.as_ptr().cast(), value.len());
    assert_eq!(r, SIPPNP_OK);
}

static FINALIZED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn count_finalizer(_userdata: *mut c_void) {
    FINALIZED.fetch_add(1, Ordering::SeqCst);
}

/// Assigns 000b82273b89 (user id from userdata), ignores 000b82000001, returns garbage for
/// 000b82000002, and calls everything else unknown.
unsafe extern "C" fn lookup(userdata: *mut c_void, device: *const sippnp_device, out: *mut sippnp_assignment) -> u32 {
    // SAFETY: the test passes a &'static str as userdata.
    let user_id = unsafe { *(userdata as *const &str) };
    match text(sippnp_device_mac(device)).as_deref() {
        Some("000b82273b89") => {
            set_account(out, 1, sippnp_account_field::SIPPNP_ACCOUNT_USER_ID, user_id);
            set_account(out, 1, sippnp_account_field::SIPPNP_ACCOUNT_PASSWORD, "s3cr&t<");
            set(out, sippnp_field::SIPPNP_FIELD_MODEL, "GXP2110");
            sippnp_lookup::SIPPNP_LOOKUP_ASSIGN as u32
        }
        Some("000b82000001") => sippnp_lookup::SIPPNP_LOOKUP_IGNORE as u32,
        Some("000b82000002") => 77,
        _ => sippnp_lookup::SIPPNP_LOOKUP_UNKNOWN as u32,
    }
}

static USER_ID: &str = "101";

/// An output packet the library has not written (`port` tells if it did).
fn no_packet(port: u16) -> sippnp_packet {
    sippnp_packet {
        data: null(),
        len: 0,
        host: sippnp_str::ABSENT,
        port,
        transport: sippnp_str::ABSENT,
    }
}

fn new_ctx(policy: sippnp_unknown_policy) -> *mut sippnp_ctx {
    let mut cfg = null_mut();
    assert_eq!(sippnp_ctx_config_new(&mut cfg), SIPPNP_OK);
    let host = "192.0.2.10";
    assert_eq!(
        sippnp_ctx_config_set_server(cfg, host.as_ptr().cast(), host.len(), 5060),
        SIPPNP_OK
    );
    let url = "http://192.0.2.10/prov/{mac}.xml";
    assert_eq!(
        sippnp_ctx_config_set_url_template(cfg, url.as_ptr().cast(), url.len()),
        SIPPNP_OK
    );
    assert_eq!(sippnp_ctx_config_set_unknown_policy(cfg, policy as u32), SIPPNP_OK);
    let userdata = &USER_ID as *const &str as *mut c_void;
    assert_eq!(
        sippnp_ctx_config_set_lookup(cfg, Some(lookup), userdata, None),
        SIPPNP_OK
    );
    let mut ctx = null_mut();
    assert_eq!(sippnp_ctx_new(cfg, &mut ctx, null_mut()), SIPPNP_OK);
    sippnp_ctx_config_free(cfg);
    ctx
}

fn handle(ctx: *const sippnp_ctx, datagram: &[u8]) -> Result<*mut sippnp_answer, (sippnp_result, String)> {
    let ip = "172.18.32.197";
    let mut answer = null_mut();
    let mut err = null_mut();
    let r = sippnp_ctx_handle(
        ctx,
        datagram.as_ptr(),
        datagram.len(),
        ip.as_ptr().cast(),
        ip.len(),
        5060,
        &mut answer,
        &mut err,
    );
    if r == SIPPNP_OK {
        assert!(err.is_null());
        return Ok(answer);
    }
    assert!(answer.is_null(), "out_answer written on failure");
    assert_eq!(sippnp_error_code(err), r as u32);
    let message = text(sippnp_error_message(err)).unwrap();
    sippnp_error_free(err);
    Err((r, message))
}

#[test]
fn answers_an_assigned_device() {
    let ctx = new_ctx(sippnp_unknown_policy::SIPPNP_UNKNOWN_SILENT);
    let answer = handle(ctx, GXP2110).unwrap();
    assert_eq!(sippnp_answer_action(answer), sippnp_action::SIPPNP_ACTION_SEND as u32);
    assert_eq!(
        sippnp_answer_silence_reason(answer),
        sippnp_silence::SIPPNP_SILENCE_NONE as u32
    );
    assert_eq!(
        text(sippnp_answer_url(answer)).unwrap(),
        "http://192.0.2.10/prov/000b82273b89.xml"
    );

    let mut packet = no_packet(0);
    assert_eq!(sippnp_answer_response(answer, &mut packet), SIPPNP_OK);
    // SAFETY: borrowed from the live answer.
    let ok = unsafe { std::slice::from_raw_parts(packet.data, packet.len) };
    assert!(ok.starts_with(b"SIP/2.0 200 OK\r\n"));
    assert_eq!(
        (text(packet.host).unwrap().as_str(), packet.port),
        ("172.18.32.197", 5060)
    );
    assert_eq!(sippnp_answer_notify(answer, &mut packet), SIPPNP_OK);
    // SAFETY: as above.
    let notify = unsafe { std::slice::from_raw_parts(packet.data, packet.len) };
    assert!(notify.starts_with(b"NOTIFY sip:172.18.32.197:5060 SIP/2.0\r\n"));
    assert!(notify.ends_with(b"\r\n\r\nhttp://192.0.2.10/prov/000b82273b89.xml"));
    assert_eq!(text(packet.transport).unwrap(), "UDP");

    let device = sippnp_answer_device(answer);
    assert_eq!(text(sippnp_device_vendor(device)).unwrap(), "grandstream");
    assert_eq!(text(sippnp_device_mac_source(device)).unwrap(), "request-uri");
    sippnp_answer_free(answer);

    let mac = "00:0B:82:27:3B:89";
    let mut rendered = null_mut();
    assert_eq!(
        sippnp_ctx_render(ctx, mac.as_ptr().cast(), mac.len(), &mut rendered, null_mut()),
        SIPPNP_OK
    );
    assert_eq!(
        text(sippnp_rendered_file_name(rendered)).unwrap(),
        "cfg000b82273b89.xml"
    );
    let xml = String::from_utf8(bytes(sippnp_rendered_content(rendered))).unwrap();
    assert!(
        xml.contains("<P35>101</P35>") && xml.contains("<P34>s3cr&amp;t&lt;</P34>"),
        "{xml}"
    );
    sippnp_rendered_free(rendered);
    sippnp_ctx_free(ctx);
}

#[test]
fn silence_unknown_and_lookup_errors() {
    let ctx = new_ctx(sippnp_unknown_policy::SIPPNP_UNKNOWN_SILENT);
    let other = |mac: &str| {
        String::from_utf8_lossy(GXP2110)
            .replace("000B82273B89", mac)
            .into_bytes()
    };

    let answer = handle(ctx, &other("000B82000001")).unwrap();
    assert_eq!(sippnp_answer_action(answer), sippnp_action::SIPPNP_ACTION_SILENT as u32);
    assert_eq!(
        sippnp_answer_silence_reason(answer),
        sippnp_silence::SIPPNP_SILENCE_IGNORED as u32
    );
    let mut packet = no_packet(7);
    assert_eq!(sippnp_answer_response(answer, &mut packet), SIPPNP_ERR_NOTHING_TO_SEND);
    assert_eq!(packet.port, 7, "output written on failure");
    assert!(sippnp_answer_url(answer).ptr.is_null());
    sippnp_answer_free(answer);

    let answer = handle(ctx, &other("000B82999999")).unwrap();
    assert_eq!(
        sippnp_answer_silence_reason(answer),
        sippnp_silence::SIPPNP_SILENCE_UNKNOWN_DEVICE as u32
    );
    sippnp_answer_free(answer);

    let (code, message) = handle(ctx, &other("000B82000002")).unwrap_err();
    assert_eq!(code, SIPPNP_ERR_LOOKUP_FAILED);
    assert!(message.contains("unknown code"), "{message}");

    let mut rendered = null_mut();
    let mac = "000b82999999";
    let r = sippnp_ctx_render(ctx, mac.as_ptr().cast(), mac.len(), &mut rendered, null_mut());
    assert_eq!((r, rendered.is_null()), (SIPPNP_ERR_NOT_ASSIGNED, true));
    sippnp_ctx_free(ctx);

    let ctx = new_ctx(sippnp_unknown_policy::SIPPNP_UNKNOWN_ANSWER);
    let answer = handle(ctx, &other("000B82999999")).unwrap();
    assert_eq!(sippnp_answer_action(answer), sippnp_action::SIPPNP_ACTION_SEND as u32);
    sippnp_answer_free(answer);
    sippnp_ctx_free(ctx);
}

#[test]
fn parse_errors_are_codes_with_short_messages() {
    let ctx = new_ctx(sippnp_unknown_policy::SIPPNP_UNKNOWN_SILENT);
    let (code, _) = handle(ctx, b"hello world\r\n\r\n").unwrap_err();
    assert_eq!(code, SIPPNP_ERR_SIP_NOT_SIP);
    let (code, _) = handle(ctx, b"\r\n\r\n").unwrap_err();
    assert_eq!(code, SIPPNP_ERR_SIP_EMPTY);
    let invite = String::from_utf8_lossy(GXP2110).replace("SUBSCRIBE sip", "INVITE sip");
    assert_eq!(
        handle(ctx, invite.as_bytes()).unwrap_err().0,
        SIPPNP_ERR_SIP_NOT_SUBSCRIBE
    );
    let mut huge = GXP2110.to_vec();
    huge.extend(std::iter::repeat_n(b'x', 70_000));
    let (code, message) = handle(ctx, &huge).unwrap_err();
    assert_eq!(code, SIPPNP_ERR_SIP_TOO_LARGE);
    assert!(message.len() < 100);
    let mut parsed = null_mut();
    let r = sippnp_device_parse(b"SIP/2.0 200 OK\r\n\r\n".as_ptr(), 18, &mut parsed, null_mut());
    assert_eq!((r, parsed.is_null()), (SIPPNP_ERR_SIP_NOT_REQUEST, true));
    sippnp_ctx_free(ctx);
}

#[test]
fn null_and_invalid_arguments() {
    let mut out = null_mut();
    assert_eq!(sippnp_ctx_config_new(null_mut()), SIPPNP_ERR_NULL_PARAMETER);
    assert_eq!(sippnp_ctx_new(null(), &mut out, null_mut()), SIPPNP_ERR_NULL_PARAMETER);
    assert_eq!(
        sippnp_ctx_handle(null(), null(), 0, null(), 0, 0, null_mut(), null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(
        sippnp_device_parse(null(), 5, null_mut(), null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(
        sippnp_assignment_set(null_mut(), 1, null(), 0),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(
        sippnp_assignment_render(null(), null_mut(), null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(sippnp_answer_response(null(), null_mut()), SIPPNP_ERR_NULL_PARAMETER);
    assert_eq!(sippnp_answer_action(null()), 0);
    assert!(sippnp_answer_device(null()).is_null());
    assert!(sippnp_device_mac(null()).ptr.is_null());
    assert_eq!(sippnp_device_contact_port(null()), 0);
    assert!(sippnp_rendered_content(null()).data.is_null());
    assert_eq!(sippnp_error_code(null()), SIPPNP_ERR_NULL_PARAMETER as u32);
    sippnp_ctx_free(null_mut());
    sippnp_ctx_config_free(null_mut());
    sippnp_answer_free(null_mut());
    sippnp_device_free(null_mut());
    sippnp_assignment_free(null_mut());
    sippnp_rendered_free(null_mut());
    sippnp_error_free(null_mut());

    let mut cfg = null_mut();
    assert_eq!(sippnp_ctx_config_new(&mut cfg), SIPPNP_OK);
    let mut err = null_mut();
    assert_eq!(sippnp_ctx_new(cfg, &mut out, &mut err), SIPPNP_ERR_INVALID_CONFIG);
    assert!(out.is_null());
    sippnp_error_free(err);
    for bad_host in ["", "a b", "pbx\r\n", "<x>"] {
        let r = sippnp_ctx_config_set_server(cfg, bad_host.as_ptr().cast(), bad_host.len(), 5060);
        assert_eq!(r, SIPPNP_ERR_INVALID_PARAMETER, "{bad_host:?}");
    }
    let bad_url = "http://x/\r\nVia: evil";
    assert_eq!(
        sippnp_ctx_config_set_url_template(cfg, bad_url.as_ptr().cast(), bad_url.len()),
        SIPPNP_ERR_INVALID_TEMPLATE
    );
    assert_eq!(
        sippnp_ctx_config_set_unknown_policy(cfg, 9),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    let invalid_utf8 = [0xffu8, 0xfe];
    assert_eq!(
        sippnp_ctx_config_set_user_agent(cfg, invalid_utf8.as_ptr().cast(), 2),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    assert_eq!(
        sippnp_ctx_config_set_secret(cfg, b"short".as_ptr(), 5),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    sippnp_ctx_config_free(cfg);

    let mut a = null_mut();
    assert_eq!(sippnp_assignment_new(&mut a), SIPPNP_OK);
    assert_eq!(
        sippnp_assignment_set(a, 99, "x".as_ptr().cast(), 1),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    assert_eq!(
        sippnp_assignment_set_account(a, 0, 1, "x".as_ptr().cast(), 1),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    assert_eq!(
        sippnp_assignment_set_account(a, 65, 1, "x".as_ptr().cast(), 1),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    assert_eq!(
        sippnp_assignment_set_account_transport(a, 1, 3),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    assert_eq!(
        sippnp_assignment_set(a, sippnp_field::SIPPNP_FIELD_MAC as u32, "12".as_ptr().cast(), 2),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    assert_eq!(
        sippnp_assignment_set_override(a, "".as_ptr().cast(), 0, "v".as_ptr().cast(), 1),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    let mut rendered = null_mut();
    assert_eq!(
        sippnp_assignment_render(a, &mut rendered, null_mut()),
        SIPPNP_ERR_RENDER_MISSING_VENDOR
    );
    set(a, sippnp_field::SIPPNP_FIELD_MAC, "000b82273b89");
    set_account(a, 1, sippnp_account_field::SIPPNP_ACCOUNT_PASSWORD, "pw\rsecret");
    let mut err = null_mut();
    assert_eq!(
        sippnp_assignment_render(a, &mut rendered, &mut err),
        SIPPNP_ERR_RENDER_CONTROL_CHARACTER
    );
    let message = text(sippnp_error_message(err)).unwrap();
    assert!(!message.contains("secret"), "secret echoed: {message}");
    assert!(rendered.is_null());
    sippnp_error_free(err);
    sippnp_assignment_free(a);
}

#[test]
fn a_folded_call_id_is_unfolded_never_copied_with_its_line_break() {
    let ctx = new_ctx(sippnp_unknown_policy::SIPPNP_UNKNOWN_ANSWER);
    let folded = String::from_utf8_lossy(GXP2110).replace("Call-ID: 1278367207", "Call-ID: 1278367207\r\n x");
    let answer = handle(ctx, folded.as_bytes()).unwrap();
    let mut packet = no_packet(0);
    assert_eq!(sippnp_answer_response(answer, &mut packet), SIPPNP_OK);
    // SAFETY: borrowed from the live answer.
    let ok = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(packet.data, packet.len) }).into_owned();
    assert!(ok.contains("Call-ID: 1278367207 x-5060-1@BHC.BI.DC.BJH\r\n"), "{ok}");
    sippnp_answer_free(answer);
    sippnp_ctx_free(ctx);
}

#[test]
fn finalizer_runs_once_after_config_and_contexts_are_gone() {
    let mut cfg = null_mut();
    assert_eq!(sippnp_ctx_config_new(&mut cfg), SIPPNP_OK);
    let host = "::1";
    assert_eq!(
        sippnp_ctx_config_set_server(cfg, host.as_ptr().cast(), host.len(), 5060),
        SIPPNP_OK
    );
    assert_eq!(
        sippnp_ctx_config_set_url_template(cfg, "http://x/".as_ptr().cast(), 9),
        SIPPNP_OK
    );
    let before = FINALIZED.load(Ordering::SeqCst);
    assert_eq!(
        sippnp_ctx_config_set_lookup(cfg, Some(lookup), null_mut(), Some(count_finalizer)),
        SIPPNP_OK
    );
    let (mut a, mut b) = (null_mut(), null_mut());
    assert_eq!(sippnp_ctx_new(cfg, &mut a, null_mut()), SIPPNP_OK);
    assert_eq!(sippnp_ctx_new(cfg, &mut b, null_mut()), SIPPNP_OK);
    sippnp_ctx_config_free(cfg);
    sippnp_ctx_free(a);
    assert_eq!(FINALIZED.load(Ordering::SeqCst), before);
    sippnp_ctx_free(b);
    assert_eq!(FINALIZED.load(Ordering::SeqCst), before + 1);
}

#[test]
fn version_strings() {
    // SAFETY: static NUL-terminated string.
    let v = unsafe { CStr::from_ptr(sippnp_version()) }.to_str().unwrap();
    assert_eq!(v, env!("CARGO_PKG_VERSION"));
    assert_eq!(sippnp_abi_version(), SIPPNP_ABI_VERSION);
}

/// Every exported function, called with valid arguments and a panic injected inside its
/// boundary: the panic becomes SIPPNP_ERR_PANIC (or the documented default) and no output is
/// written. Nothing unwinds out of an `extern "C"` function (that would abort the test).
#[test]
fn a_panic_inside_any_export_becomes_the_panic_code() {
    let ctx = new_ctx(sippnp_unknown_policy::SIPPNP_UNKNOWN_ANSWER);
    let answer = handle(ctx, GXP2110).unwrap();
    let device = sippnp_answer_device(answer);
    let mut a = null_mut();
    assert_eq!(sippnp_assignment_new(&mut a), SIPPNP_OK);
    set(a, sippnp_field::SIPPNP_FIELD_MAC, "000b82273b89");
    let mut rendered = null_mut();
    assert_eq!(sippnp_assignment_render(a, &mut rendered, null_mut()), SIPPNP_OK);
    let mut cfg = null_mut();
    assert_eq!(sippnp_ctx_config_new(&mut cfg), SIPPNP_OK);
    let mut err = null_mut();
    let _ = handle(ctx, b"x");
    assert_eq!(
        sippnp_ctx_new(cfg, &mut null_mut(), &mut err),
        SIPPNP_ERR_INVALID_CONFIG
    );

    let panics = |f: &dyn Fn() -> sippnp_result| {
        arm_panic();
        assert_eq!(f(), SIPPNP_ERR_PANIC);
    };
    let mut out_ptr: *mut c_void = null_mut();
    let out_any = &mut out_ptr as *mut *mut c_void;
    let mut packet = no_packet(9);
    let packet_out = &mut packet as *mut sippnp_packet;
    let s = "x".as_ptr() as *const c_char;
    panics(&|| sippnp_ctx_config_new(out_any.cast()));
    panics(&|| sippnp_ctx_config_set_server(cfg, s, 1, 1));
    panics(&|| sippnp_ctx_config_set_url_template(cfg, s, 1));
    panics(&|| sippnp_ctx_config_set_user_agent(cfg, s, 1));
    panics(&|| sippnp_ctx_config_set_unknown_policy(cfg, 0));
    panics(&|| sippnp_ctx_config_set_lookup(cfg, None, null_mut(), None));
    panics(&|| sippnp_ctx_config_set_secret(cfg, s.cast(), 1));
    panics(&|| sippnp_ctx_new(cfg, out_any.cast(), null_mut()));
    panics(&|| {
        sippnp_ctx_handle(
            ctx,
            GXP2110.as_ptr(),
            GXP2110.len(),
            s,
            1,
            1,
            out_any.cast(),
            null_mut(),
        )
    });
    panics(&|| sippnp_ctx_render(ctx, s, 1, out_any.cast(), null_mut()));
    panics(&|| sippnp_ctx_render_path(ctx, s, 1, out_any.cast(), null_mut()));
    panics(&|| sippnp_device_parse(GXP2110.as_ptr(), GXP2110.len(), out_any.cast(), null_mut()));
    panics(&|| sippnp_assignment_new(out_any.cast()));
    panics(&|| sippnp_assignment_set(a, 1, s, 1));
    panics(&|| sippnp_assignment_set_account(a, 1, 1, s, 1));
    panics(&|| sippnp_assignment_set_account_port(a, 1, 1));
    panics(&|| sippnp_assignment_set_account_transport(a, 1, 0));
    panics(&|| sippnp_assignment_set_override(a, s, 1, s, 1));
    panics(&|| sippnp_assignment_render(a, out_any.cast(), null_mut()));
    panics(&|| sippnp_answer_response(answer, packet_out));
    panics(&|| sippnp_answer_notify(answer, packet_out));
    panics(&|| sippnp_rendered_encrypt(rendered, 1, s, 1, out_any.cast(), null_mut()));
    panics(&|| sippnp_decrypt(1, s, 1, s.cast(), 1, out_any.cast(), null_mut()));
    assert!(out_ptr.is_null(), "an output was written by a panicking call");
    assert_eq!(packet.port, 9, "an output was written by a panicking call");

    let defaults = |f: &dyn Fn() -> bool| {
        arm_panic();
        assert!(f());
    };
    defaults(&|| sippnp_answer_action(answer) == 0);
    defaults(&|| sippnp_answer_silence_reason(answer) == 0);
    defaults(&|| sippnp_answer_url(answer).ptr.is_null());
    defaults(&|| sippnp_answer_device(answer).is_null());
    defaults(&|| sippnp_device_contact_port(device) == 0);
    for getter in [
        sippnp_device_mac,
        sippnp_device_mac_source,
        sippnp_device_vendor,
        sippnp_device_model,
        sippnp_device_firmware,
        sippnp_device_profile_type,
        sippnp_device_user_agent,
        sippnp_device_contact_host,
        sippnp_device_transport,
        sippnp_device_call_id,
        sippnp_device_ip,
    ] {
        defaults(&|| getter(device).ptr.is_null());
    }
    defaults(&|| sippnp_rendered_file_name(rendered).ptr.is_null());
    defaults(&|| sippnp_rendered_content_type(rendered).ptr.is_null());
    defaults(&|| sippnp_rendered_content(rendered).data.is_null());
    defaults(&|| sippnp_rendered_key_file_name(rendered).ptr.is_null());
    defaults(&|| sippnp_rendered_key_file(rendered).data.is_null());
    defaults(&|| sippnp_error_code(err) == SIPPNP_ERR_PANIC as u32);
    defaults(&|| sippnp_error_message(err).ptr.is_null());
    defaults(&|| !sippnp_result_str(0).is_null());
    defaults(&|| !sippnp_version().is_null());
    defaults(&|| sippnp_abi_version() == SIPPNP_ABI_VERSION);

    // Destructors swallow the panic too; the object is then leaked, never double-freed.
    arm_panic();
    sippnp_error_free(err);
    sippnp_error_free(err);
    sippnp_rendered_free(rendered);
    sippnp_assignment_free(a);
    sippnp_answer_free(answer);
    sippnp_ctx_config_free(cfg);
    sippnp_ctx_free(ctx);
}

/// Renders a small Grandstream config through the ABI.
fn rendered_config() -> *mut sippnp_rendered {
    let mut a = null_mut();
    assert_eq!(sippnp_assignment_new(&mut a), SIPPNP_OK);
    set(a, sippnp_field::SIPPNP_FIELD_MAC, "000b82273b89");
    set_account(a, 1, sippnp_account_field::SIPPNP_ACCOUNT_PASSWORD, "pw&<secret>");
    let mut rendered = null_mut();
    assert_eq!(sippnp_assignment_render(a, &mut rendered, null_mut()), SIPPNP_OK);
    sippnp_assignment_free(a);
    rendered
}

fn encrypt(
    rendered: *const sippnp_rendered,
    cipher: sippnp_cipher,
    key: &str,
) -> Result<*mut sippnp_rendered, (sippnp_result, String)> {
    let mut out = null_mut();
    let mut err = null_mut();
    let r = sippnp_rendered_encrypt(
        rendered,
        cipher as u32,
        key.as_ptr().cast(),
        key.len(),
        &mut out,
        &mut err,
    );
    if r == SIPPNP_OK {
        return Ok(out);
    }
    assert!(out.is_null(), "out written on failure");
    let message = text(sippnp_error_message(err)).unwrap();
    sippnp_error_free(err);
    Err((r, message))
}

fn decrypt(cipher: sippnp_cipher, key: &str, data: &[u8]) -> Result<Vec<u8>, sippnp_result> {
    let mut out = null_mut();
    let r = sippnp_decrypt(
        cipher as u32,
        key.as_ptr().cast(),
        key.len(),
        data.as_ptr(),
        data.len(),
        &mut out,
        null_mut(),
    );
    if r != SIPPNP_OK {
        assert!(out.is_null());
        return Err(r);
    }
    assert_eq!(text(sippnp_rendered_file_name(out)).unwrap(), "");
    let plain = bytes(sippnp_rendered_content(out));
    sippnp_rendered_free(out);
    Ok(plain)
}

#[test]
fn encrypted_configs_round_trip_through_the_abi() {
    let rendered = rendered_config();
    let plain = bytes(sippnp_rendered_content(rendered));
    for cipher in [
        sippnp_cipher::SIPPNP_CIPHER_GRANDSTREAM,
        sippnp_cipher::SIPPNP_CIPHER_GRANDSTREAM_SHA256,
        sippnp_cipher::SIPPNP_CIPHER_PANASONIC,
    ] {
        let key = "0123456789abcdefGHIJKLMNOPQRSTUV";
        let encrypted = encrypt(rendered, cipher, key).unwrap();
        let sealed = bytes(sippnp_rendered_content(encrypted));
        assert_ne!(sealed, plain);
        assert!(
            sippnp_rendered_key_file(encrypted).data.is_null(),
            "{cipher:?} has no key file"
        );
        assert_eq!(decrypt(cipher, key, &sealed).unwrap(), plain, "{cipher:?}");
        let wrong = decrypt(cipher, "0123456789abcdefGHIJKLMNOPQRSTUW", &sealed).unwrap_err();
        assert!(
            matches!(wrong, SIPPNP_ERR_CRYPTO_BAD_PADDING | SIPPNP_ERR_CRYPTO_BAD_HEADER),
            "{cipher:?}: {wrong:?}"
        );
        sippnp_rendered_free(encrypted);
    }
    assert_eq!(
        decrypt(sippnp_cipher::SIPPNP_CIPHER_GRANDSTREAM, "k", b"not salted").unwrap_err(),
        SIPPNP_ERR_CRYPTO_BAD_HEADER
    );

    // Yealink: an empty key draws a random one, delivered in the key file.
    let encrypted = encrypt(rendered, sippnp_cipher::SIPPNP_CIPHER_YEALINK, "").unwrap();
    let name = text(sippnp_rendered_key_file_name(encrypted)).unwrap();
    assert_eq!(name, "cfg000b82273b89_Security.enc");
    let key_file = bytes(sippnp_rendered_key_file(encrypted));
    assert_eq!(key_file.len(), 16);
    let key = crate::crypto::yealink::key_from_key_file(&key_file).unwrap();
    let sealed = bytes(sippnp_rendered_content(encrypted));
    let opened = decrypt(sippnp_cipher::SIPPNP_CIPHER_YEALINK, key.as_str(), &sealed).unwrap();
    assert_eq!(opened.trim_ascii_end(), plain.trim_ascii_end());
    sippnp_rendered_free(encrypted);

    let (code, message) = encrypt(rendered, sippnp_cipher::SIPPNP_CIPHER_FANVIL, "k").unwrap_err();
    assert_eq!(code, SIPPNP_ERR_CRYPTO_UNSUPPORTED);
    assert!(message.to_ascii_lowercase().contains("fanvil"), "{message}");
    let (code, message) = encrypt(rendered, sippnp_cipher::SIPPNP_CIPHER_PANASONIC, "short-secret").unwrap_err();
    assert_eq!(code, SIPPNP_ERR_CRYPTO_INVALID_KEY);
    assert!(!message.contains("short-secret"), "key echoed: {message}");
    let mut out = null_mut();
    let r = sippnp_rendered_encrypt(rendered, 77, "k".as_ptr().cast(), 1, &mut out, null_mut());
    assert_eq!((r, out.is_null()), (SIPPNP_ERR_INVALID_PARAMETER, true));
    sippnp_rendered_free(rendered);
}

#[test]
fn rendering_by_requested_path() {
    let ctx = new_ctx(sippnp_unknown_policy::SIPPNP_UNKNOWN_SILENT);
    let render_path = |path: &str| {
        let mut out = null_mut();
        let r = sippnp_ctx_render_path(ctx, path.as_ptr().cast(), path.len(), &mut out, null_mut());
        assert_eq!(r == SIPPNP_OK, !out.is_null(), "{path}");
        (r, out)
    };
    let (r, rendered) = render_path("/prov/cfg000b82273b89.xml");
    assert_eq!(r, SIPPNP_OK);
    assert_eq!(
        text(sippnp_rendered_file_name(rendered)).unwrap(),
        "cfg000b82273b89.xml"
    );
    assert!(
        String::from_utf8(bytes(sippnp_rendered_content(rendered)))
            .unwrap()
            .contains("<P35>101</P35>")
    );
    sippnp_rendered_free(rendered);
    assert_eq!(render_path("/favicon.ico").0, SIPPNP_ERR_RENDER_UNKNOWN_PATH);
    let (r, binary) = render_path("cfg000b82273b89");
    assert_eq!(
        (r, text(sippnp_rendered_file_name(binary)).unwrap()),
        (SIPPNP_OK, "cfg000b82273b89".into())
    );
    sippnp_rendered_free(binary);
    assert_eq!(render_path("cfg.xml").0, SIPPNP_ERR_RENDER_UNSUPPORTED_FILE);
    assert_eq!(render_path("000b82273b89.boot").0, SIPPNP_ERR_RENDER_UNSUPPORTED_FILE);
    assert_eq!(render_path("cfg000b82999999.xml").0, SIPPNP_ERR_NOT_ASSIGNED);
    sippnp_ctx_free(ctx);
}

#[test]
fn every_supported_vendor_renders_through_the_abi() {
    for (vendor, file_name, marker) in [
        ("grandstream", "cfg000b82273b89.xml", "<P35>101</P35>"),
        (
            "snom",
            "000B82273B89.xml",
            "<user_name idx=\"1\" perm=\"R\">101</user_name>",
        ),
        ("yealink", "000b82273b89.cfg", "account.1.user_name = 101"),
    ] {
        assert!(crate::render::supported_vendors().contains(&vendor));
        let mut a = null_mut();
        assert_eq!(sippnp_assignment_new(&mut a), SIPPNP_OK);
        set(a, sippnp_field::SIPPNP_FIELD_MAC, "000b82273b89");
        set(a, sippnp_field::SIPPNP_FIELD_VENDOR, vendor);
        set_account(a, 1, sippnp_account_field::SIPPNP_ACCOUNT_USER_ID, "101");
        let mut rendered = null_mut();
        assert_eq!(
            sippnp_assignment_render(a, &mut rendered, null_mut()),
            SIPPNP_OK,
            "{vendor}"
        );
        assert_eq!(text(sippnp_rendered_file_name(rendered)).unwrap(), file_name);
        let content = String::from_utf8(bytes(sippnp_rendered_content(rendered))).unwrap();
        assert!(content.contains(marker), "{vendor}: {content}");
        sippnp_rendered_free(rendered);
        sippnp_assignment_free(a);
    }
}
