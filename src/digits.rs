//! Decimal numbers written without allocating or the formatting machinery: the renderers and
//! the SIP writer put ports, indexes, sequence numbers and timers straight into their output or
//! into a small stack buffer instead of a `String` per number.

/// Room for the decimal digits of any `u64`.
pub(crate) const MAX_DIGITS: usize = 20;

/// `00` to `99`, for [`small_decimal`] and [`digit_pair`].
const TWO_DIGITS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// The two decimal digits of `n`, below 100, leading zero included (from [`TWO_DIGITS`]).
#[inline]
pub(crate) fn digit_pair(n: u32) -> [u8; 2] {
    debug_assert!(n < 100);
    let at = 2 * n as usize;
    [TWO_DIGITS.as_bytes()[at], TWO_DIGITS.as_bytes()[at + 1]]
}

/// The decimal text of `n` as a `'static` string when `n` is below 100 (no allocation for the
/// small numbers of months, weekdays and hours), else `None`.
pub(crate) fn small_decimal(n: i64) -> Option<&'static str> {
    let n = usize::try_from(n).ok().filter(|&n| n < 100)?;
    let start = if n < 10 { 2 * n + 1 } else { 2 * n };
    TWO_DIGITS.get(start..2 * n + 2)
}

/// `n` in decimal, borrowed from [`small_decimal`] when it can be.
pub(crate) fn decimal_text(n: i64) -> std::borrow::Cow<'static, str> {
    small_decimal(n).map_or_else(|| n.to_string().into(), std::borrow::Cow::Borrowed)
}

/// `n` in decimal as text: from a table below 100, else written at the end of `buf`.
pub(crate) fn decimal(n: u64, buf: &mut [u8; MAX_DIGITS]) -> &str {
    // Below 100 the digits are borrowed from a table: no conversion to check.
    match i64::try_from(n).ok().and_then(small_decimal) {
        Some(digits) => digits,
        None => std::str::from_utf8(decimal_bytes(n, buf)).expect("ASCII digits"),
    }
}

/// Writes `n` in decimal at the end of `buf` and returns the digits.
pub(crate) fn decimal_bytes(n: u64, buf: &mut [u8; MAX_DIGITS]) -> &[u8] {
    let mut at = MAX_DIGITS;
    let mut rest = n;
    loop {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    &buf[at..]
}

/// Appends `n` in decimal to `out`, left-padded with zeros to at least `width` digits
/// (what `format!("{n:0width$}")` writes).
#[inline]
pub(crate) fn push_padded(out: &mut String, n: u64, width: usize) {
    if n < 100 && width <= MAX_DIGITS {
        // Indexes, months and small counts: a character or two, pushed in place after their
        // zeros.
        let digits = if n < 10 { 1 } else { 2 };
        for _ in digits..width {
            out.push('0');
        }
        if n >= 10 {
            out.push(char::from(b'0' + (n / 10) as u8));
        }
        out.push(char::from(b'0' + (n % 10) as u8));
    } else {
        push_padded_long(out, n, width);
    }
}

/// [`push_padded`] for three digits or more (or a width beyond [`MAX_DIGITS`]).
fn push_padded_long(out: &mut String, n: u64, width: usize) {
    for _ in MAX_DIGITS..width {
        out.push('0');
    }
    // Zeros in front of the digits are the padding.
    let mut buf = [b'0'; MAX_DIGITS];
    let len = decimal_bytes(n, &mut buf).len().max(width.min(MAX_DIGITS));
    out.reserve(len);
    for &digit in &buf[MAX_DIGITS - len..] {
        out.push(char::from(digit));
    }
}

/// Appends `n` in decimal to `out` (what `n.to_string()` holds).
#[inline]
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    push_padded(out, n, 0);
}

/// Appends `n` in decimal to `out`, with a `-` when negative (what `n.to_string()` holds).
#[inline]
pub(crate) fn push_signed(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_decimal(out, n.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_the_formatter() {
        for n in [0, 7, 10, 42, 99, 100, 5060, 65535, 4_294_967_295, u64::MAX] {
            let mut buf = [0; MAX_DIGITS];
            assert_eq!(decimal(n, &mut buf), n.to_string());
            for width in [0, 1, 2, 3, 5, 20, 23] {
                let mut out = String::from("x");
                push_padded(&mut out, n, width);
                assert_eq!(out, format!("x{n:0width$}"));
            }
        }
        for n in [-1, 0, 5, 9, 10, 42, 99, 100, 1234] {
            assert_eq!(decimal_text(n), n.to_string());
            assert_eq!(small_decimal(n).is_some(), (0..100).contains(&n));
        }
        for n in [0, -1, 42, -300, i64::MIN, i64::MAX] {
            let mut out = String::new();
            push_signed(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }
}
