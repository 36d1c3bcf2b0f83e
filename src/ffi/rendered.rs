//! `sippnp_rendered`: a config file ready to serve (name, content type, bytes).

use std::ffi::CString;

use super::boundary::ffi_boundary;
use super::types::{self, c_string, sippnp_bytes, sippnp_str};
use crate::render::RenderedFile;

/// A rendered config file. Under the hood, a `Box` holding the file and C copies of its
/// name and content type.
pub struct sippnp_rendered {
    file: RenderedFile,
    file_name: CString,
    content_type: CString,
    /// The key file to serve beside an encrypted file (Yealink `_Security.enc`).
    key_file: Option<(CString, Vec<u8>)>,
}

impl sippnp_rendered {
    pub(crate) fn new(file: RenderedFile) -> sippnp_rendered {
        sippnp_rendered::with_key_file(file, None)
    }

    pub(crate) fn with_key_file(file: RenderedFile, key_file: Option<RenderedFile>) -> sippnp_rendered {
        sippnp_rendered {
            file_name: c_string(&file.file_name),
            content_type: c_string(file.content_type),
            key_file: key_file.map(|k| (c_string(&k.file_name), k.content)),
            file,
        }
    }

    pub(crate) fn file(&self) -> &RenderedFile {
        &self.file
    }
}

/// The file name the phone requests (e.g. `cfg000b82273b89.xml`).
///
/// Borrowed from `r`; `{NULL, 0}` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_rendered_file_name(r: *const sippnp_rendered) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        // SAFETY: NULL or a live rendered file from this library.
        unsafe { types::as_ref(r) }.map_or(sippnp_str::ABSENT, |r| sippnp_str::of(&r.file_name))
    })
}

/// The HTTP Content-Type to serve the file with (e.g. `application/xml`).
///
/// Borrowed from `r`; `{NULL, 0}` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_rendered_content_type(r: *const sippnp_rendered) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        // SAFETY: NULL or a live rendered file from this library.
        unsafe { types::as_ref(r) }.map_or(sippnp_str::ABSENT, |r| sippnp_str::of(&r.content_type))
    })
}

/// The file's bytes (may be binary once encrypted; not NUL-terminated).
///
/// Borrowed from `r`; `{NULL, 0}` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_rendered_content(r: *const sippnp_rendered) -> sippnp_bytes {
    ffi_boundary!(sippnp_bytes::EMPTY, {
        // SAFETY: NULL or a live rendered file from this library.
        unsafe { types::as_ref(r) }.map_or(sippnp_bytes::EMPTY, |r| sippnp_bytes::of(&r.file.content))
    })
}

/// The name of the key file to serve beside this encrypted file (Yealink:
/// `<name>_Security.enc`).
///
/// Borrowed from `r`; `{NULL, 0}` when there is none, and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_rendered_key_file_name(r: *const sippnp_rendered) -> sippnp_str {
    ffi_boundary!(sippnp_str::ABSENT, {
        // SAFETY: NULL or a live rendered file from this library.
        let key_file = unsafe { types::as_ref(r) }.and_then(|r| r.key_file.as_ref());
        key_file.map_or(sippnp_str::ABSENT, |(name, _)| sippnp_str::of(name))
    })
}

/// The bytes of the key file to serve beside this encrypted file.
///
/// Borrowed from `r`; `{NULL, 0}` when there is none, and for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_rendered_key_file(r: *const sippnp_rendered) -> sippnp_bytes {
    ffi_boundary!(sippnp_bytes::EMPTY, {
        // SAFETY: NULL or a live rendered file from this library.
        let key_file = unsafe { types::as_ref(r) }.and_then(|r| r.key_file.as_ref());
        key_file.map_or(sippnp_bytes::EMPTY, |(_, bytes)| sippnp_bytes::of(bytes))
    })
}

/// Frees a rendered file. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn sippnp_rendered_free(r: *mut sippnp_rendered) {
    ffi_boundary!((), {
        // SAFETY: NULL or from this library, freed once.
        unsafe { types::free_box(r) }
    })
}
