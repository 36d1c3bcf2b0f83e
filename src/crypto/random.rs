//! The OS random source (the kernel CSPRNG), and nothing else.
//!
//! Salts and generated keys come only from here: `getrandom(2)` where the platform has it,
//! `getentropy(3)` (the same kernel generator) on Apple platforms and OpenBSD, which lack
//! `getrandom`. On any other platform [`fill`] fails with [`CryptoError::Random`] rather than
//! fall back to a weaker source.

use super::CryptoError;

/// Fills `buf` with bytes from the OS CSPRNG. Blocks only while the kernel pool is not yet
/// initialised (early boot); retries on `EINTR` and on short reads.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "netbsd",
    target_os = "illumos",
    target_os = "solaris"
))]
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    let mut filled = 0;
    while filled < buf.len() {
        let rest = &mut buf[filled..];
        // SAFETY: `rest` is valid for writes of `rest.len()` bytes for the whole call, and
        // getrandom writes at most that many bytes.
        let got = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        match usize::try_from(got) {
            Ok(0) => return Err(CryptoError::Random), // never happens for a non-empty buffer; do not spin
            Ok(n) => filled += n.min(rest.len()),
            Err(_) if interrupted() => {} // EINTR: try again
            Err(_) => return Err(CryptoError::Random),
        }
    }
    Ok(())
}

/// Fills `buf` with bytes from the OS CSPRNG through `getentropy(3)`, at most 256 bytes a call.
#[cfg(any(target_vendor = "apple", target_os = "openbsd"))]
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    for chunk in buf.chunks_mut(256) {
        loop {
            // SAFETY: `chunk` is valid for writes of `chunk.len()` (≤ 256) bytes.
            let rc = unsafe { libc::getentropy(chunk.as_mut_ptr().cast(), chunk.len()) };
            if rc == 0 {
                break;
            }
            if !interrupted() {
                return Err(CryptoError::Random);
            }
        }
    }
    Ok(())
}

/// No OS random source is wired up for this platform: always [`CryptoError::Random`].
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "netbsd",
    target_os = "illumos",
    target_os = "solaris",
    target_vendor = "apple",
    target_os = "openbsd"
)))]
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    if buf.is_empty() {
        Ok(())
    } else {
        Err(CryptoError::Random)
    }
}

/// Whether the last OS call failed with `EINTR`.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "netbsd",
    target_os = "illumos",
    target_os = "solaris",
    target_vendor = "apple",
    target_os = "openbsd"
))]
fn interrupted() -> bool {
    std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_empty_and_large_buffers() {
        let mut empty = [0u8; 0];
        assert_eq!(fill(&mut empty), Ok(()));
        let mut big = vec![0u8; 1 << 20];
        assert_eq!(fill(&mut big), Ok(()));
        // 1 MiB of zeros from a working CSPRNG is impossible in practice.
        assert!(big.iter().any(|&b| b != 0));
    }

    #[test]
    fn two_draws_differ() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        fill(&mut a).unwrap();
        fill(&mut b).unwrap();
        assert_ne!(a, b);
    }
}
