//! AES-CBC encryption with PKCS#7 padding, the whole buffer in one pass of the AES backend.
//!
//! Why not `cbc::Encryptor` (which decryption still uses): CBC encryption is serial, each block
//! is `E(plain ⊕ previous ciphertext)`, so its speed is the latency of that chain. cbc 0.2 keeps
//! the chaining value behind a `&mut` that may alias the output, so every block stores it and the
//! next block loads it back: a store-to-load forward on the critical path, on top of the 14 AES
//! rounds (0.85× `openssl speed` on AMD EPYC). Here the loop runs inside one
//! [`BlockCipherEncClosure`], with the chaining value a local: it stays in a register, the round
//! keys too, and each block compiles to load-xor, xor, 13 `aesenc`, `aesenclast`, store, as in
//! OpenSSL's `aesni_cbc_encrypt`. The `aes` crate still picks the backend (AES-NI, VAES or
//! software) at run time, once per message rather than once per block.

use aes::cipher::consts::U16;
use aes::cipher::{Array, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser};

/// AES block size.
const BLOCK: usize = 16;

/// One AES block.
type Block = Array<u8, U16>;

/// Pads `buf[..msg_len]` with PKCS#7 and CBC-encrypts it in place with `cipher` and `iv`.
///
/// `buf` must be exactly the padded length, `(msg_len / 16 + 1) * 16` bytes (a full padding
/// block when `msg_len` is a multiple of 16); anything else is a caller bug and panics.
pub(super) fn encrypt_padded<C: BlockCipherEncrypt<BlockSize = U16>>(
    cipher: &C,
    iv: &[u8; BLOCK],
    buf: &mut [u8],
    msg_len: usize,
) {
    let pad = BLOCK - msg_len % BLOCK;
    assert_eq!(buf.len(), msg_len + pad, "cbc buffer must be the padded length");
    // `pad` is 1..=16, so the cast is exact.
    buf[msg_len..].fill(pad as u8);
    let (blocks, rest) = Block::slice_as_chunks_mut(buf);
    debug_assert!(rest.is_empty());
    cipher.encrypt_with_backend(CbcChain { iv: Array(*iv), blocks });
}

/// The CBC loop, run by the cipher with its backend (one backend choice per message).
struct CbcChain<'a> {
    iv: Block,
    blocks: &'a mut [Block],
}

impl BlockSizeUser for CbcChain<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for CbcChain<'_> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        // Locals only: the compiler keeps `chain` in a register across iterations.
        let mut chain = self.iv;
        for block in self.blocks {
            let mut x: Block = Array(core::array::from_fn(|i| block[i] ^ chain[i]));
            backend.encrypt_block((&mut x).into());
            *block = x;
            chain = x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::block_padding::Pkcs7;
    use aes::cipher::{BlockModeEncrypt, KeyInit, KeyIvInit};

    /// NIST SP 800-38A F.2 plaintext, shared by the CBC-AES128/192/256 examples.
    const SP800_38A_PLAIN: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51\
                                   30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
    const SP800_38A_IV: &str = "000102030405060708090a0b0c0d0e0f";

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// SplitMix64: reproducible pseudo-random sizes, keys and data without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next() as u8).collect()
        }
    }

    /// Our path: `msg` padded and encrypted in place.
    fn ours<C: BlockCipherEncrypt<BlockSize = U16> + KeyInit>(key: &[u8], iv: &[u8; 16], msg: &[u8]) -> Vec<u8> {
        let mut buf = msg.to_vec();
        buf.resize((msg.len() / BLOCK + 1) * BLOCK, 0);
        encrypt_padded(&C::new_from_slice(key).unwrap(), iv, &mut buf, msg.len());
        buf
    }

    /// The RustCrypto reference: `cbc::Encryptor` with `Pkcs7`.
    fn reference<C: BlockCipherEncrypt<BlockSize = U16> + KeyInit>(key: &[u8], iv: &[u8; 16], msg: &[u8]) -> Vec<u8> {
        cbc::Encryptor::<C>::new_from_slices(key, iv)
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(msg)
    }

    /// The unpadded CBC ciphertext of whole blocks: our output minus its padding block.
    fn cbc_no_pad<C: BlockCipherEncrypt<BlockSize = U16> + KeyInit>(key: &[u8], iv: &[u8; 16], msg: &[u8]) -> Vec<u8> {
        let mut out = ours::<C>(key, iv, msg);
        out.truncate(msg.len());
        out
    }

    #[test]
    fn sp800_38a_cbc_vectors() {
        let plain = hex(SP800_38A_PLAIN);
        let iv: [u8; 16] = hex(SP800_38A_IV).try_into().unwrap();
        // F.2.1 CBC-AES128.Encrypt, F.2.3 CBC-AES192.Encrypt, F.2.5 CBC-AES256.Encrypt.
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        let expected = hex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2\
             73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
        assert_eq!(cbc_no_pad::<aes::Aes128Enc>(&key, &iv, &plain), expected);
        let key = hex("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b");
        let expected = hex("4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a\
             571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd");
        assert_eq!(cbc_no_pad::<aes::Aes192Enc>(&key, &iv, &plain), expected);
        let key = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let expected = hex("f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d\
             39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
        assert_eq!(cbc_no_pad::<aes::Aes256Enc>(&key, &iv, &plain), expected);
    }

    #[test]
    fn fips197_appendix_c_single_blocks() {
        // One block under a zero IV is the bare cipher: FIPS-197 C.1, C.2, C.3.
        let plain = hex("00112233445566778899aabbccddeeff");
        let key: Vec<u8> = (0..32).collect();
        assert_eq!(
            cbc_no_pad::<aes::Aes128Enc>(&key[..16], &[0; 16], &plain),
            hex("69c4e0d86a7b0430d8cdb78070b4c55a")
        );
        assert_eq!(
            cbc_no_pad::<aes::Aes192Enc>(&key[..24], &[0; 16], &plain),
            hex("dda97ca4864cdfe06eaf70a0ec0d7191")
        );
        assert_eq!(
            cbc_no_pad::<aes::Aes256Enc>(&key, &[0; 16], &plain),
            hex("8ea2b7ca516745bfeafc49904b496089")
        );
    }

    #[test]
    fn matches_rustcrypto_cbc_on_random_sizes() {
        let mut rng = Rng(0x5151_9e55_00c0_ffee);
        let mut sizes: Vec<usize> = (0..=48).collect();
        sizes.extend((0..300).map(|_| (rng.next() % 2000) as usize));
        sizes.extend([1999, 102_400, 102_401]);
        for len in sizes {
            let msg = rng.bytes(len);
            let key = rng.bytes(32);
            let iv: [u8; 16] = rng.bytes(16).try_into().unwrap();
            let out = ours::<aes::Aes256Enc>(&key, &iv, &msg);
            assert_eq!(out, reference::<aes::Aes256>(&key, &iv, &msg), "aes-256, {len} bytes");
            // The decrypting `Aes256` type takes the same path.
            assert_eq!(
                out,
                ours::<aes::Aes256>(&key, &iv, &msg),
                "aes-256 enc/dec type, {len} bytes"
            );
            assert_eq!(
                ours::<aes::Aes128Enc>(&key[..16], &iv, &msg),
                reference::<aes::Aes128>(&key[..16], &iv, &msg),
                "aes-128, {len} bytes"
            );
            assert_eq!(
                ours::<aes::Aes192Enc>(&key[..24], &iv, &msg),
                reference::<aes::Aes192>(&key[..24], &iv, &msg),
                "aes-192, {len} bytes"
            );
        }
    }

    #[test]
    #[should_panic(expected = "padded length")]
    fn a_buffer_without_room_for_the_padding_panics() {
        let mut buf = [0u8; 16];
        encrypt_padded(&aes::Aes256Enc::new(&[0; 32].into()), &[0; 16], &mut buf, 16);
    }
}
