//! The assignment the allocation test and the render benchmarks use: two accounts on one
//! registrar, an admin password, NTP and a time zone, with characters XML must escape in the
//! password. Shared with `benches/sippnp.rs` through a `#[path]` module, so it uses nothing
//! else from `common`.

use sippnp::assign::{Account, Assignment};
use sippnp::device::Mac;

/// A desk phone with two accounts (`101`, `102`) on `pbx.example.com`.
pub fn two_accounts() -> Assignment {
    let mut assignment = Assignment {
        mac: Mac::parse("000b82273b89"),
        provisioning_url: Some("https://pbx.example.com/prov/".into()),
        ntp_servers: vec!["pool.ntp.org".into()],
        timezone: sippnp::timezone::Zone::find("Europe/Berlin"),
        admin_password: Some("admin-secret".into()),
        ..Assignment::default()
    };
    for i in 1..=2 {
        *assignment.account_mut(i) = Account {
            user_id: Some(format!("10{i}")),
            password: Some("s3cret&<>".into()),
            display_name: Some(format!("Desk {i}")),
            registrar_host: Some("pbx.example.com".into()),
            ..Account::default()
        };
    }
    assignment
}
