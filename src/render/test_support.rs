//! Scaffolding shared by the renderer tests.

use super::{RenderError, RenderedFile};
use crate::assign::{Assignment, Transport};
use crate::device::Mac;

/// The two-account assignment of the golden tests: account 1 with every field (outbound proxy
/// `proxy.example:5070`), account 2 with user id, password, `registrar2` and TLS, and every
/// global, with the vendor's own `provisioning_url` and IANA `timezone`. Each vendor's test adds what
/// it needs on top.
pub(super) fn two_accounts(mac: Mac, registrar2: &str, provisioning_url: &str, timezone: &str) -> Assignment {
    let mut a = Assignment {
        mac: Some(mac),
        ..Assignment::default()
    };
    let one = a.account_mut(1);
    one.label = Some("Reception".into());
    one.display_name = Some("Front Desk".into());
    one.user_id = Some("101".into());
    one.auth_id = Some("auth101".into());
    one.password = Some("s3cret".into());
    one.registrar_host = Some("pbx.example".into());
    one.registrar_port = Some(5062);
    one.outbound_proxy = Some("proxy.example:5070".into());
    let two = a.account_mut(2);
    two.user_id = Some("102".into());
    two.password = Some("pw102".into());
    two.registrar_host = Some(registrar2.into());
    two.transport = Transport::Tls;
    a.provisioning_url = Some(provisioning_url.into());
    a.ntp_servers = vec!["pool.ntp.org".into()];
    a.timezone = crate::timezone::Zone::find(timezone);
    a.admin_password = Some("admin!".into());
    a
}

/// Owned (key, value) pairs, to compare with parsed output.
pub(super) fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect()
}

/// The result of a render refused for a control character in `field`.
pub(super) fn control_error(field: &str) -> Result<RenderedFile, RenderError> {
    Err(RenderError::ControlCharacter { field: field.into() })
}
