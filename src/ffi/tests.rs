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
use super::engine::*;
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

/// A configuration for `host` and `url` with `policy` and the test lookup; the caller frees it.
fn test_config(host: &str, url: &str, policy: sippnp_unknown_policy) -> *mut sippnp_ctx_config {
    let mut cfg = null_mut();
    assert_eq!(sippnp_ctx_config_new(&mut cfg), SIPPNP_OK);
    assert_eq!(
        sippnp_ctx_config_set_server(cfg, host.as_ptr().cast(), host.len(), 5060),
        SIPPNP_OK
    );
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
    cfg
}

fn new_ctx(policy: sippnp_unknown_policy) -> *mut sippnp_ctx {
    let cfg = test_config("192.0.2.10", "http://192.0.2.10/prov/{mac}.xml", policy);
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
    assert_eq!(
        sippnp_engine_new(null(), null(), &mut null_mut(), null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(
        sippnp_engine_handle_datagram(null_mut(), null(), 0, null(), 0, 0, 0, null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(
        sippnp_engine_poll_transmit(null_mut(), null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(
        sippnp_engine_poll_event(null_mut(), null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(
        sippnp_engine_next_timeout(null(), null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(sippnp_engine_handle_timeout(null_mut(), 0), SIPPNP_ERR_NULL_PARAMETER);
    assert_eq!(
        sippnp_engine_verify_token(null(), null(), 0, null(), 0, 0, null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(
        sippnp_engine_check_sync(null_mut(), null(), 0, null(), 0, 0, 0, null_mut()),
        SIPPNP_ERR_NULL_PARAMETER
    );
    assert_eq!(sippnp_engine_stats(null(), null_mut()), SIPPNP_ERR_NULL_PARAMETER);
    assert_eq!(sippnp_transmit_packet(null(), null_mut()), SIPPNP_ERR_NULL_PARAMETER);
    assert_eq!(sippnp_event_kind(null()), 0);
    assert!(sippnp_event_device(null()).is_null());
    assert!(sippnp_event_mac(null()).ptr.is_null());
    assert!(sippnp_event_url(null()).ptr.is_null());
    assert_eq!(
        (
            sippnp_event_port(null()),
            sippnp_event_status(null()),
            sippnp_event_reason(null())
        ),
        (0, 0, 0)
    );
    assert_eq!(sippnp_event_attempt(null()), 0);
    sippnp_engine_free(null_mut());
    sippnp_transmit_free(null_mut());
    sippnp_event_free(null_mut());

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
    for (index, field, value) in [(0, 1, "line"), (1025, 1, "line"), (1, 99, "x"), (1, 3, "rocket")] {
        let r = sippnp_assignment_set_key(a, index, field, value.as_ptr().cast(), value.len());
        assert_eq!(r, SIPPNP_ERR_INVALID_PARAMETER, "key {index} field {field}");
    }
    let zone = "Mars/Olympus";
    assert_eq!(
        sippnp_assignment_set(
            a,
            sippnp_field::SIPPNP_FIELD_TIMEZONE as u32,
            zone.as_ptr().cast(),
            zone.len()
        ),
        SIPPNP_ERR_INVALID_PARAMETER
    );
    // SAFETY: `a` is live and not used elsewhere.
    assert_eq!(
        unsafe { &(*a).inner },
        &crate::assign::Assignment::default(),
        "refused values set nothing"
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
    panics(&|| sippnp_assignment_set_key(a, 1, 1, s, 1));
    panics(&|| sippnp_assignment_render(a, out_any.cast(), null_mut()));
    panics(&|| sippnp_answer_response(answer, packet_out));
    panics(&|| sippnp_answer_notify(answer, packet_out));
    panics(&|| sippnp_rendered_encrypt(rendered, 1, s, 1, out_any.cast(), null_mut()));
    panics(&|| sippnp_decrypt(1, s, 1, s.cast(), 1, out_any.cast(), null_mut()));
    let (engine, transmit, event) = engine_objects();
    let mut counters = sippnp_engine_counters::default();
    let counters_out = &mut counters as *mut sippnp_engine_counters;
    let mut ms = 7u64;
    let ms_out = &mut ms as *mut u64;
    let mut mac_buf = [b'?' as c_char; SIPPNP_MAC_BUFFER_LEN];
    let mac_out = mac_buf.as_mut_ptr();
    let ip = "127.0.0.1";
    let (ip_ptr, ip_len) = (ip.as_ptr() as *const c_char, ip.len());
    panics(&|| sippnp_engine_new(cfg, null(), out_any.cast(), null_mut()));
    panics(&|| {
        sippnp_engine_handle_datagram(
            engine,
            GXP2110.as_ptr(),
            GXP2110.len(),
            ip_ptr,
            ip_len,
            1,
            0,
            null_mut(),
        )
    });
    panics(&|| sippnp_engine_poll_transmit(engine, out_any.cast()));
    panics(&|| sippnp_transmit_packet(transmit, packet_out));
    panics(&|| sippnp_engine_poll_event(engine, out_any.cast()));
    panics(&|| sippnp_engine_next_timeout(engine, ms_out));
    panics(&|| sippnp_engine_handle_timeout(engine, 0));
    panics(&|| sippnp_engine_verify_token(engine, s, 1, ip_ptr, ip_len, 0, mac_out));
    panics(&|| sippnp_engine_check_sync(engine, s, 1, ip_ptr, ip_len, 5060, 0, null_mut()));
    panics(&|| sippnp_engine_stats(engine, counters_out));
    assert_eq!(
        (ms, counters.notifies_sent),
        (7, 0),
        "an output was written by a panicking call"
    );
    assert!(
        mac_buf.iter().all(|&c| c == b'?' as c_char),
        "an output was written by a panicking call"
    );
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
    defaults(&|| sippnp_engine_options_default() == sippnp_engine_options_default());
    defaults(&|| sippnp_event_kind(event) == 0);
    defaults(&|| sippnp_event_device(event).is_null());
    for getter in [
        sippnp_event_mac,
        sippnp_event_vendor,
        sippnp_event_model,
        sippnp_event_firmware,
        sippnp_event_ip,
        sippnp_event_url,
    ] {
        defaults(&|| getter(event).ptr.is_null());
    }
    defaults(&|| sippnp_event_port(event) == 0);
    defaults(&|| sippnp_event_status(event) == 0);
    defaults(&|| sippnp_event_reason(event) == 0);
    defaults(&|| sippnp_event_attempt(event) == 0);

    // Destructors swallow the panic too; the object is then leaked, never double-freed.
    arm_panic();
    sippnp_error_free(err);
    sippnp_error_free(err);
    sippnp_rendered_free(rendered);
    sippnp_assignment_free(a);
    sippnp_answer_free(answer);
    sippnp_ctx_config_free(cfg);
    sippnp_ctx_free(ctx);
    for _ in 0..2 {
        arm_panic();
        sippnp_event_free(event);
        arm_panic();
        sippnp_transmit_free(transmit);
        arm_panic();
        sippnp_engine_free(engine);
    }
    sippnp_event_free(event);
    sippnp_transmit_free(transmit);
    sippnp_engine_free(engine);
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
        // The salt is random: about one wrong key in 256 meets a valid padding by chance and
        // decrypts to garbage instead of failing.
        match decrypt(cipher, "0123456789abcdefGHIJKLMNOPQRSTUW", &sealed) {
            Err(wrong) => assert!(
                matches!(wrong, SIPPNP_ERR_CRYPTO_BAD_PADDING | SIPPNP_ERR_CRYPTO_BAD_HEADER),
                "{cipher:?}: {wrong:?}"
            ),
            Ok(garbage) => assert_ne!(garbage, plain, "{cipher:?}: a wrong key gave the plain text"),
        }
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
    // This lookup knows devices by MAC only: a common file names none, so nothing is assigned.
    assert_eq!(render_path("cfg.xml").0, SIPPNP_ERR_NOT_ASSIGNED);
    assert_eq!(
        render_path("000b82273b89_Security.enc").0,
        SIPPNP_ERR_RENDER_UNSUPPORTED_FILE
    );
    assert_eq!(render_path("cfg000b82999999.xml").0, SIPPNP_ERR_NOT_ASSIGNED);
    sippnp_ctx_free(ctx);
}

#[test]
fn every_supported_vendor_renders_through_the_abi() {
    let cases = [
        ("grandstream", "cfg000b82273b89.xml", "<P35>101</P35>"),
        (
            "snom",
            "000B82273B89.xml",
            "<user_name idx=\"1\" perm=\"R\">101</user_name>",
        ),
        ("yealink", "000b82273b89.cfg", "account.1.user_name = 101"),
        ("fanvil", "000b82273b89.cfg", "SIP1 Phone Number       :101\r\n"),
        (
            "htek",
            "cfg000b82273b89.xml",
            "<P35 para=\"Account1.SipUserId\">101</P35>",
        ),
        ("panasonic", "Config000B82273B89.cfg", "PHONE_NUMBER_1=\"101\""),
        (
            "gigaset",
            "000b82273b89.xml",
            "<param name=\"SipAccount.00001.UserName\" value=\"101\">",
        ),
    ];
    let listed: Vec<&str> = cases.iter().map(|(vendor, _, _)| *vendor).collect();
    let mut supported = crate::render::supported_vendors().to_vec();
    supported.sort_unstable();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, supported, "one case per supported vendor");
    for (vendor, file_name, marker) in cases {
        assert!(crate::render::supported_vendors().contains(&vendor));
        let mut a = null_mut();
        assert_eq!(sippnp_assignment_new(&mut a), SIPPNP_OK);
        set(a, sippnp_field::SIPPNP_FIELD_MAC, "000b82273b89");
        set(a, sippnp_field::SIPPNP_FIELD_VENDOR, vendor);
        set_account(a, 1, sippnp_account_field::SIPPNP_ACCOUNT_USER_ID, "101");
        set_account(a, 1, sippnp_account_field::SIPPNP_ACCOUNT_REGISTRAR_HOST, "pbx.example");
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

#[test]
fn every_setter_reaches_the_model() {
    use crate::assign::{Codec, KeyKind, Transport};
    let mut a = null_mut();
    assert_eq!(sippnp_assignment_new(&mut a), SIPPNP_OK);
    set(a, sippnp_field::SIPPNP_FIELD_NTP_SERVERS, "ntp1.example, ntp2.example");
    set(a, sippnp_field::SIPPNP_FIELD_TIMEZONE, "America/New_York");
    set(a, sippnp_field::SIPPNP_FIELD_LANGUAGE, "fr");
    set(a, sippnp_field::SIPPNP_FIELD_VLAN_ID, "42");
    set_account(a, 2, sippnp_account_field::SIPPNP_ACCOUNT_CODECS, "opus,G722");
    set_account(a, 2, sippnp_account_field::SIPPNP_ACCOUNT_TRANSPORT, "tcp");
    set_account(a, 2, sippnp_account_field::SIPPNP_ACCOUNT_REGISTRAR_PORT, "5070");
    for (field, value) in [
        (sippnp_key_field::SIPPNP_KEY_KIND, "blf"),
        (sippnp_key_field::SIPPNP_KEY_VALUE, "103"),
    ] {
        let r = sippnp_assignment_set_key(a, 3, field as u32, value.as_ptr().cast(), value.len());
        assert_eq!(r, SIPPNP_OK);
    }
    // SAFETY: `a` is live and not used elsewhere.
    let inner = unsafe { &(*a).inner };
    assert_eq!(inner.ntp_servers, ["ntp1.example", "ntp2.example"]);
    assert_eq!(inner.timezone.map(|z| z.name), Some("America/New_York"));
    assert_eq!(inner.language.as_deref(), Some("fr"));
    assert_eq!(inner.vlan_id, Some(42));
    assert_eq!(inner.accounts[1].codecs, [Codec::Opus, Codec::G722]);
    assert_eq!(inner.accounts[1].transport, Transport::Tcp);
    assert_eq!(inner.accounts[1].registrar_port, Some(5070));
    assert_eq!(inner.keys.len(), 3);
    assert_eq!(
        (inner.keys[2].kind, inner.keys[2].value.as_deref()),
        (KeyKind::Blf, Some("103"))
    );
    sippnp_assignment_free(a);
}

/// An engine built from the same configuration as `new_ctx`, with `options` (NULL: defaults).
fn new_engine(policy: sippnp_unknown_policy, options: *const sippnp_engine_options) -> *mut sippnp_engine {
    let cfg = test_config("127.0.0.1", "http://127.0.0.1/prov/{token}/{mac}.xml", policy);
    let mut engine = null_mut();
    assert_eq!(sippnp_engine_new(cfg, options, &mut engine, null_mut()), SIPPNP_OK);
    sippnp_ctx_config_free(cfg);
    engine
}

fn engine_handle(engine: *mut sippnp_engine, datagram: &[u8], now_ms: u64) -> sippnp_result {
    let ip = "172.18.32.197";
    sippnp_engine_handle_datagram(
        engine,
        datagram.as_ptr(),
        datagram.len(),
        ip.as_ptr().cast(),
        ip.len(),
        5060,
        now_ms,
        null_mut(),
    )
}

/// Every packet queued, as (bytes, host, port, transport).
fn engine_transmits(engine: *mut sippnp_engine) -> Vec<(Vec<u8>, String, u16, String)> {
    let mut out = Vec::new();
    loop {
        let mut t = null_mut();
        match sippnp_engine_poll_transmit(engine, &mut t) {
            SIPPNP_OK => {}
            SIPPNP_EMPTY => {
                assert!(t.is_null());
                return out;
            }
            other => panic!("poll_transmit: {other:?}"),
        }
        let mut p = no_packet(0);
        assert_eq!(sippnp_transmit_packet(t, &mut p), SIPPNP_OK);
        // SAFETY: borrowed from the live transmit.
        let bytes = unsafe { std::slice::from_raw_parts(p.data, p.len) }.to_vec();
        out.push((bytes, text(p.host).unwrap(), p.port, text(p.transport).unwrap()));
        sippnp_transmit_free(t);
    }
}

/// Every event queued, each as (kind, mac, url, status, reason, attempt, model).
#[allow(clippy::type_complexity)]
fn engine_events(
    engine: *mut sippnp_engine,
) -> Vec<(u32, Option<String>, Option<String>, u32, u32, u32, Option<String>)> {
    let mut out = Vec::new();
    loop {
        let mut e = null_mut();
        if sippnp_engine_poll_event(engine, &mut e) == SIPPNP_EMPTY {
            return out;
        }
        out.push((
            sippnp_event_kind(e),
            text(sippnp_event_mac(e)),
            text(sippnp_event_url(e)),
            sippnp_event_status(e),
            sippnp_event_reason(e),
            sippnp_event_attempt(e),
            text(sippnp_event_model(e)),
        ));
        sippnp_event_free(e);
    }
}

/// An engine with one exchange, one polled transmit and one polled event.
fn engine_objects() -> (*mut sippnp_engine, *mut sippnp_transmit, *mut sippnp_event) {
    let engine = new_engine(sippnp_unknown_policy::SIPPNP_UNKNOWN_ANSWER, null());
    assert_eq!(engine_handle(engine, GXP2110, 0), SIPPNP_OK);
    let (mut transmit, mut event) = (null_mut(), null_mut());
    assert_eq!(sippnp_engine_poll_transmit(engine, &mut transmit), SIPPNP_OK);
    assert_eq!(sippnp_engine_poll_event(engine, &mut event), SIPPNP_OK);
    (engine, transmit, event)
}

/// The phone's 200 OK to a NOTIFY: Via, From, To, Call-ID and CSeq copied.
fn ok_to(request: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(request.to_vec()).unwrap();
    let head = text.split("\r\n\r\n").next().unwrap();
    let mut out = String::from("SIP/2.0 200 OK\r\n");
    for line in head.split("\r\n").skip(1) {
        if ["Via:", "From:", "To:", "Call-ID:", "CSeq:"]
            .iter()
            .any(|h| line.starts_with(h))
        {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out.into_bytes()
}

#[test]
fn the_engine_answers_absorbs_retransmissions_and_is_acknowledged_through_the_abi() {
    let engine = new_engine(sippnp_unknown_policy::SIPPNP_UNKNOWN_SILENT, null());
    let mut at = 0u64;
    assert_eq!(sippnp_engine_next_timeout(engine, &mut at), SIPPNP_NO_TIMER);
    assert_eq!(engine_handle(engine, GXP2110, 1000), SIPPNP_OK);
    let sent = engine_transmits(engine);
    assert_eq!(sent.len(), 2);
    assert!(sent[0].0.starts_with(b"SIP/2.0 200 OK\r\n"));
    assert_eq!(
        (sent[0].1.as_str(), sent[0].2, sent[0].3.as_str()),
        ("172.18.32.197", 5060, "UDP")
    );
    let notify = sent[1].0.clone();
    assert!(notify.starts_with(b"NOTIFY sip:172.18.32.197:5060 SIP/2.0\r\n"));

    let events = engine_events(engine);
    let kinds: Vec<u32> = events.iter().map(|e| e.0).collect();
    assert_eq!(
        kinds,
        [SIPPNP_EVENT_DISCOVERED, SIPPNP_EVENT_ANSWERED, SIPPNP_EVENT_NOTIFIED]
    );
    assert_eq!(events[0].1.as_deref(), Some("000b82273b89"));
    assert_eq!(events[0].6.as_deref(), Some("GXP2110"));
    let url = events[1].2.clone().unwrap();
    assert!(notify.ends_with(url.as_bytes()), "the NOTIFY carries the event's URL");
    assert_eq!((events[2].1.as_deref(), events[2].5), (Some("000b82273b89"), 1));

    // A retransmission: the same 200 OK, nothing else.
    assert_eq!(engine_handle(engine, GXP2110, 1200), SIPPNP_OK);
    let again = engine_transmits(engine);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].0, sent[0].0);

    // Timer E, then the phone's 200 OK.
    assert_eq!(sippnp_engine_next_timeout(engine, &mut at), SIPPNP_OK);
    assert_eq!(at, 1500);
    assert_eq!(sippnp_engine_handle_timeout(engine, at), SIPPNP_OK);
    assert_eq!(engine_transmits(engine)[0].0, notify);
    assert_eq!(engine_handle(engine, &ok_to(&notify), 1600), SIPPNP_OK);
    let events = engine_events(engine);
    assert_eq!((events[0].0, events[0].5), (SIPPNP_EVENT_NOTIFIED, 2));
    assert_eq!((events[1].0, events[1].3), (SIPPNP_EVENT_ACKNOWLEDGED, 200));

    let mut counters = sippnp_engine_counters::default();
    assert_eq!(sippnp_engine_stats(engine, &mut counters), SIPPNP_OK);
    assert_eq!(
        (
            counters.exchanges,
            counters.retransmissions_absorbed,
            counters.notifies_sent,
            counters.notify_retransmissions,
            counters.notifies_acked
        ),
        (1, 1, 1, 1, 1)
    );

    // Not a SUBSCRIBE: an error with details, nothing queued.
    let mut err = null_mut();
    let ip = "172.18.32.197";
    let r = sippnp_engine_handle_datagram(
        engine,
        b"hello\r\n\r\n".as_ptr(),
        9,
        ip.as_ptr().cast(),
        ip.len(),
        1,
        0,
        &mut err,
    );
    assert_eq!(r, SIPPNP_ERR_SIP_NOT_SIP);
    assert_eq!(sippnp_error_code(err), SIPPNP_ERR_SIP_NOT_SIP as u32);
    sippnp_error_free(err);
    let r = sippnp_engine_handle_datagram(
        engine,
        GXP2110.as_ptr(),
        GXP2110.len(),
        "nope".as_ptr().cast(),
        4,
        1,
        0,
        null_mut(),
    );
    assert_eq!(r, SIPPNP_ERR_INVALID_PARAMETER);
    assert!(engine_transmits(engine).is_empty());

    // Silence and failures carry their reasons.
    let ignored = String::from_utf8_lossy(GXP2110)
        .replace("000B82273B89", "000B82000001")
        .replace("Call-ID: 1278367207", "Call-ID: 98");
    assert_eq!(engine_handle(engine, ignored.as_bytes(), 2000), SIPPNP_OK);
    let events = engine_events(engine);
    assert_eq!(
        (events[1].0, events[1].4),
        (SIPPNP_EVENT_SILENCED, sippnp_silence::SIPPNP_SILENCE_IGNORED as u32)
    );
    let rejected = String::from_utf8_lossy(GXP2110).replace("Call-ID: 1278367207", "Call-ID: 99");
    assert_eq!(engine_handle(engine, rejected.as_bytes(), 2100), SIPPNP_OK);
    let notify = engine_transmits(engine).pop().unwrap().0;
    let busy = String::from_utf8(ok_to(&notify))
        .unwrap()
        .replacen("200 OK", "486 Busy Here", 1);
    engine_events(engine);
    assert_eq!(engine_handle(engine, busy.as_bytes(), 2200), SIPPNP_OK);
    let events = engine_events(engine);
    assert_eq!(
        (events[0].0, events[0].4, events[0].3),
        (SIPPNP_EVENT_FAILED, SIPPNP_FAIL_REJECTED, 486)
    );
    sippnp_engine_free(engine);
}

#[test]
fn engine_tokens_check_sync_and_options_through_the_abi() {
    let options = sippnp_engine_options {
        token_ttl_ms: 10_000,
        ..sippnp_engine_options_default()
    };
    assert_eq!(sippnp_engine_options_default().max_exchanges, 16_384);
    let engine = new_engine(sippnp_unknown_policy::SIPPNP_UNKNOWN_ANSWER, &options);
    assert_eq!(engine_handle(engine, GXP2110, 0), SIPPNP_OK);
    engine_transmits(engine);
    let url = engine_events(engine).into_iter().find_map(|e| e.2).unwrap();
    let token = url
        .strip_prefix("http://127.0.0.1/prov/")
        .and_then(|r| r.strip_suffix("/000b82273b89.xml"))
        .unwrap()
        .to_owned();
    let verify = |token: &str, ip: &str, now: u64| {
        let mut mac = [b'?' as c_char; SIPPNP_MAC_BUFFER_LEN];
        let r = sippnp_engine_verify_token(
            engine,
            token.as_ptr().cast(),
            token.len(),
            ip.as_ptr().cast(),
            ip.len(),
            now,
            mac.as_mut_ptr(),
        );
        // SAFETY: NUL-terminated on success.
        let text = (r == SIPPNP_OK).then(|| unsafe { CStr::from_ptr(mac.as_ptr()) }.to_str().unwrap().to_owned());
        if r != SIPPNP_OK {
            assert!(mac.iter().all(|&c| c == b'?' as c_char), "out_mac written on failure");
        }
        (r, text)
    };
    assert_eq!(
        verify(&token, "172.18.32.197", 5),
        (SIPPNP_OK, Some("000b82273b89".into()))
    );
    assert_eq!(verify(&token, "[::ffff:172.18.32.197]", 5).0, SIPPNP_OK);
    assert_eq!(verify(&token, "172.18.32.198", 5).0, SIPPNP_ERR_TOKEN_INVALID);
    assert_eq!(verify(&token, "172.18.32.197", 10_001).0, SIPPNP_ERR_TOKEN_EXPIRED);
    assert_eq!(verify("abc", "172.18.32.197", 5).0, SIPPNP_ERR_TOKEN_MALFORMED);
    assert_eq!(verify(&token, "bogus", 5).0, SIPPNP_ERR_INVALID_PARAMETER);
    let bad_utf8 = [0xffu8; 40];
    let mut mac = [0 as c_char; SIPPNP_MAC_BUFFER_LEN];
    let ip = "172.18.32.197";
    let r = sippnp_engine_verify_token(
        engine,
        bad_utf8.as_ptr().cast(),
        40,
        ip.as_ptr().cast(),
        ip.len(),
        0,
        mac.as_mut_ptr(),
    );
    assert_eq!(r, SIPPNP_ERR_TOKEN_MALFORMED);

    let (mac, target) = ("00:0B:82:27:3B:89", "127.0.0.1");
    let r = sippnp_engine_check_sync(
        engine,
        mac.as_ptr().cast(),
        mac.len(),
        target.as_ptr().cast(),
        target.len(),
        5062,
        50,
        null_mut(),
    );
    assert_eq!(r, SIPPNP_OK);
    let sent = engine_transmits(engine);
    assert_eq!((sent[0].1.as_str(), sent[0].2), ("127.0.0.1", 5062));
    assert!(
        sent[0]
            .0
            .starts_with(b"NOTIFY sip:000b82273b89@127.0.0.1:5062 SIP/2.0\r\n")
    );
    let events = engine_events(engine);
    assert_eq!(
        (events[0].0, events[0].1.as_deref()),
        (SIPPNP_EVENT_NOTIFIED, Some("000b82273b89"))
    );
    let mut err = null_mut();
    let r = sippnp_engine_check_sync(
        engine,
        "12".as_ptr().cast(),
        2,
        target.as_ptr().cast(),
        target.len(),
        5062,
        0,
        &mut err,
    );
    assert_eq!(r, SIPPNP_ERR_INVALID_PARAMETER);
    sippnp_error_free(err);
    let r = sippnp_engine_check_sync(
        engine,
        mac.as_ptr().cast(),
        mac.len(),
        target.as_ptr().cast(),
        target.len(),
        0,
        0,
        null_mut(),
    );
    assert_eq!(r, SIPPNP_ERR_INVALID_PARAMETER);
    sippnp_engine_free(engine);

    // Unusable options are refused, naming the field.
    let mut cfg = null_mut();
    assert_eq!(sippnp_ctx_config_new(&mut cfg), SIPPNP_OK);
    assert_eq!(
        sippnp_ctx_config_set_server(cfg, "h".as_ptr().cast(), 1, 5060),
        SIPPNP_OK
    );
    assert_eq!(
        sippnp_ctx_config_set_url_template(cfg, "http://h/".as_ptr().cast(), 9),
        SIPPNP_OK
    );
    for (options, field) in [
        (
            sippnp_engine_options {
                t1_ms: 0,
                ..sippnp_engine_options_default()
            },
            "t1_ms",
        ),
        (
            sippnp_engine_options {
                t2_ms: 1,
                ..sippnp_engine_options_default()
            },
            "t2_ms",
        ),
        (
            sippnp_engine_options {
                max_exchanges: 0,
                ..sippnp_engine_options_default()
            },
            "max_exchanges",
        ),
        (
            sippnp_engine_options {
                rate_burst: 0,
                ..sippnp_engine_options_default()
            },
            "rate_burst",
        ),
    ] {
        let (mut out, mut err) = (null_mut(), null_mut());
        assert_eq!(
            sippnp_engine_new(cfg, &options, &mut out, &mut err),
            SIPPNP_ERR_INVALID_PARAMETER
        );
        assert!(out.is_null());
        assert!(text(sippnp_error_message(err)).unwrap().contains(field));
        sippnp_error_free(err);
    }
    let no_limit = sippnp_engine_options {
        rate_burst: 0,
        rate_per_source: 0,
        ..sippnp_engine_options_default()
    };
    let mut out = null_mut();
    assert_eq!(sippnp_engine_new(cfg, &no_limit, &mut out, null_mut()), SIPPNP_OK);
    sippnp_engine_free(out);
    sippnp_ctx_config_free(cfg);
    let mut empty = null_mut();
    assert_eq!(sippnp_ctx_config_new(&mut empty), SIPPNP_OK);
    let mut out = null_mut();
    assert_eq!(
        sippnp_engine_new(empty, null(), &mut out, null_mut()),
        SIPPNP_ERR_INVALID_CONFIG
    );
    assert!(out.is_null());
    sippnp_ctx_config_free(empty);
}

/// The engine the re-entrant lookup calls into, and what the calls returned.
static REENTRY_ENGINE: std::sync::atomic::AtomicPtr<sippnp_engine> = std::sync::atomic::AtomicPtr::new(null_mut());
static REENTRY_OTHER: std::sync::atomic::AtomicPtr<sippnp_engine> = std::sync::atomic::AtomicPtr::new(null_mut());
static REENTRY_RESULTS: std::sync::Mutex<Vec<sippnp_result>> = std::sync::Mutex::new(Vec::new());

unsafe extern "C" fn reentrant_lookup(_: *mut c_void, _: *const sippnp_device, _: *mut sippnp_assignment) -> u32 {
    let engine = REENTRY_ENGINE.load(Ordering::SeqCst);
    let mut counters = sippnp_engine_counters::default();
    let mut at = 0;
    let results = [
        sippnp_engine_stats(engine, &mut counters),
        sippnp_engine_handle_timeout(engine, 0),
        sippnp_engine_next_timeout(engine, &mut at),
        engine_handle(engine, GXP2110, 0),
        // Another engine is not locked by this thread: it answers.
        sippnp_engine_stats(REENTRY_OTHER.load(Ordering::SeqCst), &mut counters),
    ];
    // Freeing the engine from its own lookup does nothing.
    sippnp_engine_free(engine);
    REENTRY_RESULTS.lock().unwrap().extend(results);
    sippnp_lookup::SIPPNP_LOOKUP_UNKNOWN as u32
}

#[test]
fn a_lookup_calling_into_its_own_engine_gets_reentrant_not_a_deadlock() {
    let mut cfg = null_mut();
    assert_eq!(sippnp_ctx_config_new(&mut cfg), SIPPNP_OK);
    assert_eq!(
        sippnp_ctx_config_set_server(cfg, "h".as_ptr().cast(), 1, 5060),
        SIPPNP_OK
    );
    assert_eq!(
        sippnp_ctx_config_set_url_template(cfg, "http://h/".as_ptr().cast(), 9),
        SIPPNP_OK
    );
    assert_eq!(
        sippnp_ctx_config_set_lookup(cfg, Some(reentrant_lookup), null_mut(), None),
        SIPPNP_OK
    );
    let (mut engine, mut other) = (null_mut(), null_mut());
    assert_eq!(sippnp_engine_new(cfg, null(), &mut engine, null_mut()), SIPPNP_OK);
    assert_eq!(sippnp_engine_new(cfg, null(), &mut other, null_mut()), SIPPNP_OK);
    sippnp_ctx_config_free(cfg);
    REENTRY_ENGINE.store(engine, Ordering::SeqCst);
    REENTRY_OTHER.store(other, Ordering::SeqCst);
    assert_eq!(engine_handle(engine, GXP2110, 0), SIPPNP_OK);
    assert_eq!(
        *REENTRY_RESULTS.lock().unwrap(),
        [
            SIPPNP_ERR_REENTRANT,
            SIPPNP_ERR_REENTRANT,
            SIPPNP_ERR_REENTRANT,
            SIPPNP_ERR_REENTRANT,
            SIPPNP_OK
        ]
    );
    // The engine survived and is usable again from outside the lookup.
    let mut counters = sippnp_engine_counters::default();
    assert_eq!(sippnp_engine_stats(engine, &mut counters), SIPPNP_OK);
    assert_eq!(counters.exchanges, 1);
    sippnp_engine_free(engine);
    sippnp_engine_free(other);
}

#[test]
fn one_engine_serves_several_threads() {
    let options = sippnp_engine_options {
        rate_per_source: 0,
        ..sippnp_engine_options_default()
    };
    let engine = new_engine(sippnp_unknown_policy::SIPPNP_UNKNOWN_ANSWER, &options) as usize;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let engine = engine as *mut sippnp_engine;
                let mut sent = 0;
                for i in 0..50 {
                    let msg =
                        String::from_utf8_lossy(GXP2110).replace("Call-ID: 1278367207", &format!("Call-ID: t{t}-{i}"));
                    assert_eq!(engine_handle(engine, msg.as_bytes(), i), SIPPNP_OK);
                    sent += engine_transmits(engine).len();
                    engine_events(engine);
                }
                sent
            })
        })
        .collect();
    let sent: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(sent, 4 * 50 * 2);
    let mut counters = sippnp_engine_counters::default();
    assert_eq!(
        sippnp_engine_stats(engine as *const sippnp_engine, &mut counters),
        SIPPNP_OK
    );
    assert_eq!((counters.exchanges, counters.notifies_sent), (200, 200));
    sippnp_engine_free(engine as *mut sippnp_engine);
}
