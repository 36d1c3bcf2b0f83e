//! The OS random source (the kernel CSPRNG), and nothing else.
//!
//! Salts and generated keys come only from here: `getrandom(2)` on Linux and Android, the
//! kernel's `/dev/urandom` on other Unix systems. Where neither exists, [`fill`] fails with
//! [`CryptoError::Random`] rather than fall back to a weaker source.

use super::CryptoError;

/// Fills `buf` with bytes from the OS CSPRNG. Blocks only while the kernel pool is not yet
/// initialised (early boot); retries on `EINTR` and on short reads.
#[cfg(any(target_os = "linux", target_os = "android"))]
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
            Err(_) if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(CryptoError::Random),
        }
    }
    Ok(())
}

/// Fills `buf` from the kernel's `/dev/urandom` (Unix systems without `getrandom`).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    use std::io::Read;
    if buf.is_empty() {
        return Ok(());
    }
    std::fs::File::open("/dev/urandom")
        .and_then(|mut source| source.read_exact(buf))
        .map_err(|_| CryptoError::Random)
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
