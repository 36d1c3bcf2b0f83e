//! Writes include/sippnp.h with a pinned cbindgen, sets the SONAME, and keeps the library
//! unloadable-safe (`-z nodelete`). With SIPPNP_HEADER_CHECK=1 it only compares the header
//! it would write with the committed one, and fails on any difference.

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").expect("cargo sets the version");
    let patch = std::env::var("CARGO_PKG_VERSION_PATCH").expect("cargo sets the version");

    // The header is generated from src/ffi alone: core types never leak into it.
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SIPPNP_HEADER_CHECK");

    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsippnp.so.{major}");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
        link_soname_in_profile_dir(&major);
    }

    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    let macros = format!(
        "\n#define SIPPNP_VERSION_MAJOR {major}\n#define SIPPNP_VERSION_MINOR {minor}\n#define SIPPNP_VERSION_PATCH {patch}\n#define SIPPNP_VERSION_STRING \"{major}.{minor}.{patch}\"\n"
    );
    config.after_includes = Some(format!("{}{macros}", config.after_includes.unwrap_or_default()));

    let bindings = cbindgen::Builder::new()
        .with_src(dir.join("src").join("ffi").join("mod.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate include/sippnp.h");
    let header = dir.join("include").join("sippnp.h");
    if std::env::var("SIPPNP_HEADER_CHECK").as_deref() == Ok("1") {
        let mut fresh = Vec::new();
        bindings.write(&mut fresh);
        let committed = std::fs::read(&header).unwrap_or_default();
        if fresh != committed {
            panic!("include/sippnp.h is out of date: run `cargo build` and commit the header");
        }
    } else {
        bindings.write_to_file(header);
    }
}

/// A program linked with `-lsippnp` asks the loader for the SONAME `libsippnp.so.<major>`;
/// cargo only writes `libsippnp.so`. Put the usual symlink beside it (best effort) so that
/// `-Ltarget/release -Wl,-rpath,…` works straight from the build tree.
fn link_soname_in_profile_dir(major: &str) {
    let Ok(out_dir) = std::env::var("OUT_DIR") else { return };
    // OUT_DIR is <target>/<profile>/build/sippnp-<hash>/out.
    let Some(profile_dir) = PathBuf::from(out_dir).ancestors().nth(3).map(PathBuf::from) else {
        return;
    };
    let link = profile_dir.join(format!("libsippnp.so.{major}"));
    if std::fs::symlink_metadata(&link).is_err() {
        let _ = std::os::unix::fs::symlink("libsippnp.so", &link);
    }
}
