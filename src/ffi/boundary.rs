//! The panic boundary every exported function runs its body in. A panic never unwinds into
//! C: it becomes `SIPPNP_ERR_PANIC`, or NULL/0/an empty view for functions without a result.

/// Runs `$body` inside `catch_unwind`; a panic yields `$on_panic`.
macro_rules! ffi_boundary {
    ($on_panic:expr, $body:block) => {{
        let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {
            $crate::ffi::boundary::injected_panic_point();
            $body
        }));
        match outcome {
            Ok(value) => value,
            Err(_) => $on_panic,
        }
    }};
}
pub(crate) use ffi_boundary;

#[cfg(not(test))]
#[inline(always)]
pub(crate) fn injected_panic_point() {}

#[cfg(test)]
thread_local! {
    static PANIC_NEXT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Tests arm this to make the next exported call on this thread panic inside its boundary.
#[cfg(test)]
#[allow(dead_code)]
pub(crate) fn arm_panic() {
    PANIC_NEXT.with(|p| p.set(true));
}

#[cfg(test)]
pub(crate) fn injected_panic_point() {
    if PANIC_NEXT.with(|p| p.replace(false)) {
        panic!("panic injected by a test");
    }
}
