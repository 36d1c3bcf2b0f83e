/*
 * abi_misuse.c — calls every function sippnp.h declares the way a careless host would: NULL in
 * each pointer argument, empty and huge lengths, enum values out of range, lookup callbacks that
 * return garbage or set invalid fields. Every call must return a result code (or the documented
 * NULL/0/absent), never crash, and leave its outputs untouched when it fails: out-pointers are
 * pre-filled with a sentinel and checked afterwards.
 *
 *   usage: abi_misuse
 *
 * Prints `case <function>` for every call it makes (tests/c_abi_misuse.rs compares the set of
 * functions with the header's declarations), `FAIL …` for every broken expectation, and
 * `deviation …` where the library's answer differs from the header but is a known, reported
 * deviation. Ends with `done cases=N failures=M deviations=D`; exits 1 when M > 0.
 *
 * Huge lengths are passed only where the library must reject them before reading: SIZE_MAX
 * (more than any object can hold) anywhere, and datagram lengths beyond the documented 65,535
 * byte limit. A length larger than the buffer below that limit would be our own bug, so the
 * 65,536-byte datagram is a real buffer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sippnp.h"

/* The Grandstream seed SUBSCRIBE (tests/fixtures/seeds/gxp2110.sip). */
static const char SUBSCRIBE[] =
    "SUBSCRIBE sip:MAC%3A000B82273B89@224.0.1.75 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 172.18.32.197:5060;branch=z9hG4bK458721093;rport\r\n"
    "From: <sip:MAC%3A000B82273B89@224.0.1.75>;tag=1692014507\r\n"
    "To: <sip:MAC%3A000B82273B89@224.0.1.75>\r\n"
    "Call-ID: 1278367207-5060-1@BHC.BI.DC.BJH\r\n"
    "CSeq: 20000 SUBSCRIBE\r\n"
    "Contact: <sip:172.18.32.197:5060>\r\n"
    "Max-Forwards: 70\r\n"
    "User-Agent: Grandstream GXP2110 1.0.1.108\r\n"
    "Expires: 0\r\n"
    "Event: ua-profile;profile-type=\"device\";vendor=\"Grandstream\";model=\"GXP2110\";"
    "version=\"1.0.1.108\"\r\n"
    "Accept: application/url\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static const char RESPONSE[] = "SIP/2.0 200 OK\r\n"
                               "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx\r\n"
                               "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\n"
                               "Call-ID: x\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n";

static const char IP[] = "172.18.32.197";
static const char MAC[] = "000b82273b89";
static const char SECRET[] = "abi-misuse-secret-0123456789";
static const char TEMPLATE[] = "http://127.0.0.1/prov/{mac}/{token}";
#define LEN(s) (sizeof(s) - 1)

/* A length no object can have; the library must refuse it before touching the pointer. */
#define HUGE_LEN SIZE_MAX
/* Far beyond 65,535 bytes, and far beyond the short buffer passed with it. */
#define BIG_LEN ((size_t)1 << 40)

static int cases;
static int failures;
static int deviations;

/* What every pointer out-parameter is pre-filled with. */
static char sentinel_byte;
#define SENTINEL(T) ((T *)(void *)&sentinel_byte)

static void fail_at(int line, const char *fn, const char *what) {
    failures++;
    printf("FAIL line %d %s: %s\n", line, fn, what);
}

static void case_of(const char *fn) {
    cases++;
    printf("case %s\n", fn);
}

/* A result code must equal `want`. */
static void code_is(int line, const char *fn, uint32_t got, uint32_t want) {
    case_of(fn);
    if (got != want) {
        failures++;
        printf("FAIL line %d %s: got %u (%s), want %u (%s)\n", line, fn, (unsigned)got, sippnp_result_str(got),
               (unsigned)want, sippnp_result_str(want));
    }
}
#define CODE(fn, want, call) code_is(__LINE__, #fn, (call), (want))

/* As code_is, but the header documents `want` while the library is known to answer `actual`:
 * reported as a deviation, a failure for any third answer. */
static void code_deviates(int line, const char *fn, uint32_t got, uint32_t want, uint32_t actual) {
    case_of(fn);
    if (got == want) {
        return;
    }
    if (got == actual) {
        deviations++;
        printf("deviation line %d %s: got %u (%s), the header documents %u (%s)\n", line, fn, (unsigned)got,
               sippnp_result_str(got), (unsigned)want, sippnp_result_str(want));
        return;
    }
    code_is(line, fn, got, want);
}

/* A failing call with `out_err`: the code is `want`, `err` holds the same code and a message. */
static void failed_with(int line, const char *fn, uint32_t got, uint32_t want, sippnp_error *err) {
    code_is(line, fn, got, want);
    if (got == SIPPNP_OK) {
        return;
    }
    if (err == NULL) {
        fail_at(line, fn, "*out_err not written on failure");
        return;
    }
    if (sippnp_error_code(err) != got) {
        fail_at(line, fn, "sippnp_error_code differs from the result");
    }
    sippnp_str m = sippnp_error_message(err);
    if (m.ptr == NULL || m.len == 0 || m.ptr[m.len] != '\0' || strlen(m.ptr) != m.len) {
        fail_at(line, fn, "sippnp_error_message is not a NUL-terminated text");
    }
    sippnp_error_free(err);
}

/* Calls `call` (which names `err_`) once with an out_err and expects `want` in both. */
#define FAILS(fn, want, call)                                                                                      \
    do {                                                                                                           \
        sippnp_error *err_ = NULL;                                                                                 \
        uint32_t got_ = (call);                                                                                    \
        failed_with(__LINE__, #fn, got_, (want), err_);                                                            \
    } while (0)

/* Any failure code (not SIPPNP_OK) is acceptable; err must match it. */
static void any_failure(int line, const char *fn, uint32_t got, sippnp_error *err) {
    case_of(fn);
    if (got == SIPPNP_OK) {
        fail_at(line, fn, "succeeded where it must fail");
        return;
    }
    if (err == NULL) {
        fail_at(line, fn, "*out_err not written on failure");
    } else {
        if (sippnp_error_code(err) != got) {
            fail_at(line, fn, "sippnp_error_code differs from the result");
        }
        sippnp_error_free(err);
    }
}
#define FAILS_SOMEHOW(fn, call)                                                                                    \
    do {                                                                                                           \
        sippnp_error *err_ = NULL;                                                                                 \
        uint32_t got_ = (call);                                                                                    \
        any_failure(__LINE__, #fn, got_, err_);                                                                    \
    } while (0)

static void untouched(int line, const char *what, const void *p) {
    if (p != (const void *)&sentinel_byte) {
        fail_at(line, what, "output written on failure");
    }
}
#define UNTOUCHED(p) untouched(__LINE__, #p, (const void *)(p))

static void absent(int line, const char *fn, sippnp_str s) {
    case_of(fn);
    if (s.ptr != NULL || s.len != 0) {
        fail_at(line, fn, "not {NULL, 0}");
    }
}
#define ABSENT(fn, call) absent(__LINE__, #fn, (call))

static void no_bytes(int line, const char *fn, sippnp_bytes b) {
    case_of(fn);
    if (b.data != NULL || b.len != 0) {
        fail_at(line, fn, "not {NULL, 0}");
    }
}
#define NO_BYTES(fn, call) no_bytes(__LINE__, #fn, (call))

static void zero(int line, const char *fn, uint32_t v) {
    case_of(fn);
    if (v != 0) {
        fail_at(line, fn, "not 0");
    }
}
#define ZERO(fn, call) zero(__LINE__, #fn, (uint32_t)(call))

static void present(int line, const char *fn, sippnp_str s) {
    case_of(fn);
    if (s.ptr == NULL || s.len == 0 || s.ptr[s.len] != '\0') {
        fail_at(line, fn, "absent or not NUL-terminated");
    }
}
#define PRESENT(fn, call) present(__LINE__, #fn, (call))

#define OK(fn, call) CODE(fn, SIPPNP_OK, call)

/* ---- lookup callbacks ---------------------------------------------------------------------- */

enum mode { MODE_ASSIGN, MODE_RETURN, MODE_BAD_SETS, MODE_REENTER, MODE_TOO_MUCH };

struct lookup_state {
    enum mode mode;
    uint32_t code; /* what MODE_RETURN returns */
    sippnp_engine *engine;
    int calls;
    int frees;
};

static void set_in_callback(int line, const char *fn, uint32_t got, uint32_t want) { code_is(line, fn, got, want); }
#define IN_CB(fn, want, call) set_in_callback(__LINE__, #fn, (call), (want))

static uint32_t lookup(void *userdata, const sippnp_device *device, sippnp_assignment *out) {
    struct lookup_state *st = userdata;
    st->calls++;
    (void)device;
    switch (st->mode) {
    case MODE_ASSIGN:
        return SIPPNP_LOOKUP_ASSIGN;
    case MODE_RETURN:
        return st->code;
    case MODE_BAD_SETS:
        /* Every one of these is refused; the assignment stays empty and valid. */
        IN_CB(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER, sippnp_assignment_set(out, 999, "x", 1));
        IN_CB(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER, sippnp_assignment_set(out, 0, "x", 1));
        IN_CB(sippnp_assignment_set, SIPPNP_ERR_NULL_PARAMETER,
              sippnp_assignment_set(out, SIPPNP_FIELD_MODEL, NULL, 4));
        IN_CB(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_assignment_set(out, SIPPNP_FIELD_MAC, "not-a-mac", 9));
        IN_CB(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_assignment_set(out, SIPPNP_FIELD_TIMEZONE, "\xff\xfe", 2));
        IN_CB(sippnp_assignment_set_account, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_assignment_set_account(out, 0, SIPPNP_ACCOUNT_USER_ID, "201", 3));
        IN_CB(sippnp_assignment_set_account, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_assignment_set_account(out, 1, 999, "201", 3));
        IN_CB(sippnp_assignment_set_key, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_assignment_set_key(out, 1025, SIPPNP_KEY_VALUE, "202", 3));
        IN_CB(sippnp_assignment_set_account_transport, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_assignment_set_account_transport(out, 1, 99));
        IN_CB(sippnp_assignment_set_account_port, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_assignment_set_account_port(out, 65, 5060));
        IN_CB(sippnp_assignment_set_override, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_assignment_set_override(out, "", 0, "v", 1));
        return SIPPNP_LOOKUP_ASSIGN;
    case MODE_REENTER: {
        sippnp_engine_counters c;
        uint64_t t = 0;
        sippnp_transmit *tr = SENTINEL(sippnp_transmit);
        IN_CB(sippnp_engine_stats, SIPPNP_ERR_REENTRANT, sippnp_engine_stats(st->engine, &c));
        IN_CB(sippnp_engine_next_timeout, SIPPNP_ERR_REENTRANT, sippnp_engine_next_timeout(st->engine, &t));
        IN_CB(sippnp_engine_poll_transmit, SIPPNP_ERR_REENTRANT, sippnp_engine_poll_transmit(st->engine, &tr));
        UNTOUCHED(tr);
        IN_CB(sippnp_engine_handle_timeout, SIPPNP_ERR_REENTRANT, sippnp_engine_handle_timeout(st->engine, 0));
        sippnp_engine_free(st->engine); /* documented: does nothing from inside the lookup */
        case_of("sippnp_engine_free");
        return SIPPNP_LOOKUP_ASSIGN;
    }
    case MODE_TOO_MUCH:
        /* Accepted one by one, refused at rendering: more accounts than any phone holds. */
        for (uint32_t i = 1; i <= SIPPNP_MAX_ACCOUNTS; i++) {
            IN_CB(sippnp_assignment_set_account, SIPPNP_OK,
                  sippnp_assignment_set_account(out, i, SIPPNP_ACCOUNT_USER_ID, "201", 3));
        }
        return SIPPNP_LOOKUP_ASSIGN;
    }
    return SIPPNP_LOOKUP_ERROR;
}

static void lookup_free(void *userdata) {
    struct lookup_state *st = userdata;
    st->frees++;
}

static uint32_t never_called(void *userdata, const sippnp_device *device, sippnp_assignment *out) {
    (void)userdata;
    (void)device;
    (void)out;
    return SIPPNP_LOOKUP_ASSIGN;
}

static int unexpected_frees;
static void count_unexpected_free(void *userdata) {
    (void)userdata;
    unexpected_frees++;
}

/* ---- groups ------------------------------------------------------------------------------------ */

static void misc(void) {
    case_of("sippnp_version");
    if (strcmp(sippnp_version(), SIPPNP_VERSION_STRING) != 0) {
        fail_at(__LINE__, "sippnp_version", "differs from SIPPNP_VERSION_STRING");
    }
    case_of("sippnp_abi_version");
    if (sippnp_abi_version() != SIPPNP_ABI_VERSION) {
        fail_at(__LINE__, "sippnp_abi_version", "differs from SIPPNP_ABI_VERSION");
    }
    const uint32_t codes[] = {0, 4, 99, 102, 999, 100000, UINT32_MAX};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        case_of("sippnp_result_str");
        const char *s = sippnp_result_str(codes[i]);
        if (s == NULL || s[0] == '\0') {
            fail_at(__LINE__, "sippnp_result_str", "NULL or empty");
        }
    }
    if (strcmp(sippnp_result_str(999), "unknown result code") != 0 ||
        strcmp(sippnp_result_str(UINT32_MAX), "unknown result code") != 0) {
        fail_at(__LINE__, "sippnp_result_str", "999/UINT32_MAX are not \"unknown result code\"");
    }
    CODE(sippnp_error_code, SIPPNP_ERR_NULL_PARAMETER, sippnp_error_code(NULL));
    ABSENT(sippnp_error_message, sippnp_error_message(NULL));
    sippnp_error_free(NULL);
    case_of("sippnp_error_free");
}

static void assignment(void) {
    sippnp_assignment *a = NULL;
    CODE(sippnp_assignment_new, SIPPNP_ERR_NULL_PARAMETER, sippnp_assignment_new(NULL));
    sippnp_assignment_free(NULL);
    case_of("sippnp_assignment_free");

    /* An assignment that renders; every refused call below must leave its rendering as is. */
    OK(sippnp_assignment_new, sippnp_assignment_new(&a));
    OK(sippnp_assignment_set, sippnp_assignment_set(a, SIPPNP_FIELD_VENDOR, "grandstream", 11));
    OK(sippnp_assignment_set, sippnp_assignment_set(a, SIPPNP_FIELD_MAC, MAC, LEN(MAC)));
    OK(sippnp_assignment_set_account,
       sippnp_assignment_set_account(a, 1, SIPPNP_ACCOUNT_USER_ID, "201", 3));
    sippnp_rendered *before = NULL;
    OK(sippnp_assignment_render, sippnp_assignment_render(a, &before, NULL));

    const uint32_t bad_fields[] = {0, 21, 999, UINT32_MAX};
    const uint32_t bad_accounts[] = {0, SIPPNP_MAX_ACCOUNTS + 1, UINT32_MAX};
    const uint32_t bad_keys[] = {0, SIPPNP_MAX_KEYS + 1, UINT32_MAX};
    const uint32_t bad_transports[] = {3, 99, UINT32_MAX};

    CODE(sippnp_assignment_set, SIPPNP_ERR_NULL_PARAMETER, sippnp_assignment_set(NULL, SIPPNP_FIELD_MODEL, "x", 1));
    for (size_t i = 0; i < 4; i++) {
        CODE(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER, sippnp_assignment_set(a, bad_fields[i], "x", 1));
    }
    CODE(sippnp_assignment_set, SIPPNP_ERR_NULL_PARAMETER, sippnp_assignment_set(a, SIPPNP_FIELD_MODEL, NULL, 5));
    CODE(sippnp_assignment_set, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set(a, SIPPNP_FIELD_MODEL, NULL, HUGE_LEN));
    case_of("sippnp_assignment_set");
    if (sippnp_assignment_set(a, SIPPNP_FIELD_MODEL, "x", HUGE_LEN) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_assignment_set", "accepted SIZE_MAX");
    }
    CODE(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER, sippnp_assignment_set(a, SIPPNP_FIELD_MAC, "zz", 2));
    CODE(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set(a, SIPPNP_FIELD_VENDOR, "\xc3\x28", 2));
    CODE(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set(a, SIPPNP_FIELD_KEEP_PNP_ENABLED, "maybe", 5));
    CODE(sippnp_assignment_set, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set(a, SIPPNP_FIELD_TIMEZONE, "Mars/Olympus", 12));

    CODE(sippnp_assignment_set_account, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_account(NULL, 1, SIPPNP_ACCOUNT_USER_ID, "1", 1));
    for (size_t i = 0; i < 3; i++) {
        CODE(sippnp_assignment_set_account, SIPPNP_ERR_INVALID_PARAMETER,
             sippnp_assignment_set_account(a, bad_accounts[i], SIPPNP_ACCOUNT_USER_ID, "1", 1));
        CODE(sippnp_assignment_set_account, SIPPNP_ERR_INVALID_PARAMETER,
             sippnp_assignment_set_account(a, 1, bad_fields[i] == 21 ? 18 : bad_fields[i], "1", 1));
    }
    CODE(sippnp_assignment_set_account, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_account(a, 1, SIPPNP_ACCOUNT_USER_ID, NULL, 3));
    case_of("sippnp_assignment_set_account");
    if (sippnp_assignment_set_account(a, 1, SIPPNP_ACCOUNT_USER_ID, "1", HUGE_LEN) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_assignment_set_account", "accepted SIZE_MAX");
    }
    CODE(sippnp_assignment_set_account, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set_account(a, 1, SIPPNP_ACCOUNT_REGISTRAR_PORT, "70000", 5));
    CODE(sippnp_assignment_set_account, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set_account(a, 1, SIPPNP_ACCOUNT_TRANSPORT, "carrier-pigeon", 14));

    CODE(sippnp_assignment_set_key, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_key(NULL, 1, SIPPNP_KEY_VALUE, "1", 1));
    for (size_t i = 0; i < 3; i++) {
        CODE(sippnp_assignment_set_key, SIPPNP_ERR_INVALID_PARAMETER,
             sippnp_assignment_set_key(a, bad_keys[i], SIPPNP_KEY_VALUE, "1", 1));
        CODE(sippnp_assignment_set_key, SIPPNP_ERR_INVALID_PARAMETER,
             sippnp_assignment_set_key(a, 1, bad_fields[i] == 21 ? 7 : bad_fields[i], "1", 1));
    }
    CODE(sippnp_assignment_set_key, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_key(a, 1, SIPPNP_KEY_VALUE, NULL, 2));
    case_of("sippnp_assignment_set_key");
    if (sippnp_assignment_set_key(a, 1, SIPPNP_KEY_VALUE, "1", HUGE_LEN) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_assignment_set_key", "accepted SIZE_MAX");
    }
    CODE(sippnp_assignment_set_key, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set_key(a, 1, SIPPNP_KEY_KIND, "teleport", 8));

    CODE(sippnp_assignment_set_account_port, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_account_port(NULL, 1, 5060));
    for (size_t i = 0; i < 3; i++) {
        CODE(sippnp_assignment_set_account_port, SIPPNP_ERR_INVALID_PARAMETER,
             sippnp_assignment_set_account_port(a, bad_accounts[i], 5060));
    }

    CODE(sippnp_assignment_set_account_transport, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_account_transport(NULL, 1, SIPPNP_TRANSPORT_TCP));
    for (size_t i = 0; i < 3; i++) {
        CODE(sippnp_assignment_set_account_transport, SIPPNP_ERR_INVALID_PARAMETER,
             sippnp_assignment_set_account_transport(a, 1, bad_transports[i]));
        CODE(sippnp_assignment_set_account_transport, SIPPNP_ERR_INVALID_PARAMETER,
             sippnp_assignment_set_account_transport(a, bad_accounts[i], SIPPNP_TRANSPORT_TCP));
    }

    CODE(sippnp_assignment_set_override, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_override(NULL, "P1", 2, "v", 1));
    CODE(sippnp_assignment_set_override, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_override(a, NULL, 2, "v", 1));
    CODE(sippnp_assignment_set_override, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_assignment_set_override(a, "P1", 2, NULL, 1));
    CODE(sippnp_assignment_set_override, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set_override(a, "", 0, "v", 1));
    CODE(sippnp_assignment_set_override, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set_override(a, NULL, 0, "v", 1));
    CODE(sippnp_assignment_set_override, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_assignment_set_override(a, "P\xff", 2, "v", 1));
    case_of("sippnp_assignment_set_override");
    if (sippnp_assignment_set_override(a, "P1", HUGE_LEN, "v", 1) == SIPPNP_OK ||
        sippnp_assignment_set_override(a, "P1", 2, "v", HUGE_LEN) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_assignment_set_override", "accepted SIZE_MAX");
    }

    /* Nothing above changed the assignment. */
    sippnp_rendered *after = NULL;
    OK(sippnp_assignment_render, sippnp_assignment_render(a, &after, NULL));
    if (before != NULL && after != NULL) {
        sippnp_bytes x = sippnp_rendered_content(before), y = sippnp_rendered_content(after);
        if (x.len != y.len || memcmp(x.data, y.data, x.len) != 0) {
            fail_at(__LINE__, "sippnp_assignment_*", "a refused call changed the assignment");
        }
    }
    sippnp_rendered_free(after);

    /* Rendering. */
    sippnp_rendered *out = SENTINEL(sippnp_rendered);
    FAILS(sippnp_assignment_render, SIPPNP_ERR_NULL_PARAMETER, sippnp_assignment_render(NULL, &out, &err_));
    UNTOUCHED(out);
    FAILS(sippnp_assignment_render, SIPPNP_ERR_NULL_PARAMETER, sippnp_assignment_render(a, NULL, &err_));
    CODE(sippnp_assignment_render, SIPPNP_ERR_NULL_PARAMETER, sippnp_assignment_render(a, NULL, NULL));
    sippnp_assignment *empty = NULL;
    OK(sippnp_assignment_new, sippnp_assignment_new(&empty));
    FAILS_SOMEHOW(sippnp_assignment_render, sippnp_assignment_render(empty, &out, &err_));
    UNTOUCHED(out);
    /* The limits themselves are accepted. */
    OK(sippnp_assignment_set_account,
       sippnp_assignment_set_account(empty, SIPPNP_MAX_ACCOUNTS, SIPPNP_ACCOUNT_USER_ID, "1", 1));
    OK(sippnp_assignment_set_key, sippnp_assignment_set_key(empty, SIPPNP_MAX_KEYS, SIPPNP_KEY_VALUE, "1", 1));
    OK(sippnp_assignment_set_account_port, sippnp_assignment_set_account_port(empty, SIPPNP_MAX_ACCOUNTS, 0));
    OK(sippnp_assignment_set_account_transport,
       sippnp_assignment_set_account_transport(empty, SIPPNP_MAX_ACCOUNTS, SIPPNP_TRANSPORT_TLS));
    OK(sippnp_assignment_set, sippnp_assignment_set(empty, SIPPNP_FIELD_MODEL, NULL, 0)); /* clears */
    OK(sippnp_assignment_set, sippnp_assignment_set(empty, SIPPNP_FIELD_VENDOR, "yealink", 7));
    OK(sippnp_assignment_set, sippnp_assignment_set(empty, SIPPNP_FIELD_MAC, "001565f4f9e1", 12));
    FAILS_SOMEHOW(sippnp_assignment_render, sippnp_assignment_render(empty, &out, &err_)); /* 64 accounts */
    UNTOUCHED(out);
    sippnp_assignment_free(empty);

    /* Encryption. */
    const uint32_t bad_ciphers[] = {0, 6, 999, UINT32_MAX};
    for (size_t i = 0; i < 4; i++) {
        FAILS(sippnp_rendered_encrypt, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_rendered_encrypt(before, bad_ciphers[i], "0123456789abcdef", 16, &out, &err_));
        UNTOUCHED(out);
        FAILS(sippnp_decrypt, SIPPNP_ERR_INVALID_PARAMETER,
              sippnp_decrypt(bad_ciphers[i], "k", 1, (const uint8_t *)"data", 4, &out, &err_));
        UNTOUCHED(out);
    }
    FAILS(sippnp_rendered_encrypt, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_rendered_encrypt(NULL, SIPPNP_CIPHER_GRANDSTREAM, "pw", 2, &out, &err_));
    FAILS(sippnp_rendered_encrypt, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_rendered_encrypt(before, SIPPNP_CIPHER_GRANDSTREAM, "pw", 2, NULL, &err_));
    FAILS(sippnp_rendered_encrypt, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_rendered_encrypt(before, SIPPNP_CIPHER_GRANDSTREAM, NULL, 2, &out, &err_));
    FAILS_SOMEHOW(sippnp_rendered_encrypt,
                  sippnp_rendered_encrypt(before, SIPPNP_CIPHER_GRANDSTREAM, "pw", HUGE_LEN, &out, &err_));
    FAILS(sippnp_rendered_encrypt, SIPPNP_ERR_CRYPTO_UNSUPPORTED,
          sippnp_rendered_encrypt(before, SIPPNP_CIPHER_FANVIL, "pw", 2, &out, &err_));
    FAILS(sippnp_rendered_encrypt, SIPPNP_ERR_CRYPTO_INVALID_KEY,
          sippnp_rendered_encrypt(before, SIPPNP_CIPHER_YEALINK, "short", 5, &out, &err_));
    UNTOUCHED(out);
    CODE(sippnp_rendered_encrypt, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_rendered_encrypt(NULL, SIPPNP_CIPHER_GRANDSTREAM, "pw", 2, &out, NULL));

    FAILS(sippnp_decrypt, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_decrypt(SIPPNP_CIPHER_GRANDSTREAM, NULL, 3, (const uint8_t *)"data", 4, &out, &err_));
    FAILS(sippnp_decrypt, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_decrypt(SIPPNP_CIPHER_GRANDSTREAM, "pw", 2, NULL, 4, &out, &err_));
    FAILS(sippnp_decrypt, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_decrypt(SIPPNP_CIPHER_GRANDSTREAM, "pw", 2, (const uint8_t *)"data", 4, NULL, &err_));
    FAILS_SOMEHOW(sippnp_decrypt,
                  sippnp_decrypt(SIPPNP_CIPHER_GRANDSTREAM, "pw", 2, (const uint8_t *)"data", HUGE_LEN, &out, &err_));
    FAILS_SOMEHOW(sippnp_decrypt,
                  sippnp_decrypt(SIPPNP_CIPHER_GRANDSTREAM, "pw", HUGE_LEN, (const uint8_t *)"data", 4, &out, &err_));
    FAILS(sippnp_decrypt, SIPPNP_ERR_CRYPTO_BAD_HEADER,
          sippnp_decrypt(SIPPNP_CIPHER_GRANDSTREAM, "pw", 2, (const uint8_t *)"not a container", 15, &out, &err_));
    FAILS_SOMEHOW(sippnp_decrypt, sippnp_decrypt(SIPPNP_CIPHER_GRANDSTREAM, "pw", 2, NULL, 0, &out, &err_));
    FAILS(sippnp_decrypt, SIPPNP_ERR_CRYPTO_UNSUPPORTED,
          sippnp_decrypt(SIPPNP_CIPHER_FANVIL, "pw", 2, (const uint8_t *)"data", 4, &out, &err_));
    UNTOUCHED(out);

    /* Rendered getters on NULL. */
    ABSENT(sippnp_rendered_file_name, sippnp_rendered_file_name(NULL));
    ABSENT(sippnp_rendered_content_type, sippnp_rendered_content_type(NULL));
    NO_BYTES(sippnp_rendered_content, sippnp_rendered_content(NULL));
    ABSENT(sippnp_rendered_key_file_name, sippnp_rendered_key_file_name(NULL));
    NO_BYTES(sippnp_rendered_key_file, sippnp_rendered_key_file(NULL));
    /* ... and on a real one without a key file. */
    PRESENT(sippnp_rendered_file_name, sippnp_rendered_file_name(before));
    PRESENT(sippnp_rendered_content_type, sippnp_rendered_content_type(before));
    ABSENT(sippnp_rendered_key_file_name, sippnp_rendered_key_file_name(before));
    NO_BYTES(sippnp_rendered_key_file, sippnp_rendered_key_file(before));
    sippnp_rendered_free(NULL);
    case_of("sippnp_rendered_free");
    sippnp_rendered_free(before);
    sippnp_assignment_free(a);
}

static void config(struct lookup_state *st, sippnp_ctx_config **out_cfg) {
    sippnp_ctx_config *cfg = SENTINEL(sippnp_ctx_config);
    CODE(sippnp_ctx_config_new, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_config_new(NULL));
    sippnp_ctx_config_free(NULL);
    case_of("sippnp_ctx_config_free");
    OK(sippnp_ctx_config_new, sippnp_ctx_config_new(&cfg));

    /* An incomplete configuration builds nothing. */
    sippnp_ctx *ctx = SENTINEL(sippnp_ctx);
    sippnp_engine *engine = SENTINEL(sippnp_engine);
    FAILS(sippnp_ctx_new, SIPPNP_ERR_INVALID_CONFIG, sippnp_ctx_new(cfg, &ctx, &err_));
    UNTOUCHED(ctx);
    FAILS(sippnp_engine_new, SIPPNP_ERR_INVALID_CONFIG, sippnp_engine_new(cfg, NULL, &engine, &err_));
    UNTOUCHED(engine);

    CODE(sippnp_ctx_config_set_server, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_config_set_server(NULL, "127.0.0.1", 9, 5060));
    CODE(sippnp_ctx_config_set_server, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_config_set_server(cfg, NULL, 9, 5060));
    CODE(sippnp_ctx_config_set_server, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_ctx_config_set_server(cfg, NULL, 0, 5060));
    CODE(sippnp_ctx_config_set_server, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_ctx_config_set_server(cfg, "127.0.0.1", 9, 0));
    CODE(sippnp_ctx_config_set_server, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_ctx_config_set_server(cfg, "a b", 3, 5060));
    CODE(sippnp_ctx_config_set_server, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_ctx_config_set_server(cfg, "h\r\nX: y", 7, 5060));
    case_of("sippnp_ctx_config_set_server");
    if (sippnp_ctx_config_set_server(cfg, "127.0.0.1", HUGE_LEN, 5060) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_ctx_config_set_server", "accepted SIZE_MAX");
    }

    CODE(sippnp_ctx_config_set_url_template, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_config_set_url_template(NULL, TEMPLATE, LEN(TEMPLATE)));
    CODE(sippnp_ctx_config_set_url_template, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_config_set_url_template(cfg, NULL, 4));
    CODE(sippnp_ctx_config_set_url_template, SIPPNP_ERR_INVALID_TEMPLATE,
         sippnp_ctx_config_set_url_template(cfg, NULL, 0));
    CODE(sippnp_ctx_config_set_url_template, SIPPNP_ERR_INVALID_TEMPLATE,
         sippnp_ctx_config_set_url_template(cfg, "http://x/ y", 11));
    CODE(sippnp_ctx_config_set_url_template, SIPPNP_ERR_INVALID_TEMPLATE,
         sippnp_ctx_config_set_url_template(cfg, "http://x/\r\n", 11));
    CODE(sippnp_ctx_config_set_url_template, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_ctx_config_set_url_template(cfg, "http://\xff/", 9));
    case_of("sippnp_ctx_config_set_url_template");
    if (sippnp_ctx_config_set_url_template(cfg, TEMPLATE, HUGE_LEN) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_ctx_config_set_url_template", "accepted SIZE_MAX");
    }

    CODE(sippnp_ctx_config_set_user_agent, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_config_set_user_agent(NULL, "x", 1));
    CODE(sippnp_ctx_config_set_user_agent, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_config_set_user_agent(cfg, NULL, 1));
    CODE(sippnp_ctx_config_set_user_agent, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_ctx_config_set_user_agent(cfg, "a\r\nb", 4));
    CODE(sippnp_ctx_config_set_user_agent, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_ctx_config_set_user_agent(cfg, "\xff", 1));
    case_of("sippnp_ctx_config_set_user_agent");
    if (sippnp_ctx_config_set_user_agent(cfg, "x", HUGE_LEN) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_ctx_config_set_user_agent", "accepted SIZE_MAX");
    }

    const uint32_t bad_policies[] = {2, 77, UINT32_MAX};
    CODE(sippnp_ctx_config_set_unknown_policy, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_config_set_unknown_policy(NULL, SIPPNP_UNKNOWN_ANSWER));
    for (size_t i = 0; i < 3; i++) {
        CODE(sippnp_ctx_config_set_unknown_policy, SIPPNP_ERR_INVALID_PARAMETER,
             sippnp_ctx_config_set_unknown_policy(cfg, bad_policies[i]));
    }

    /* A failed set_lookup keeps nothing and never calls the finalizer. */
    CODE(sippnp_ctx_config_set_lookup, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_config_set_lookup(NULL, never_called, NULL, count_unexpected_free));
    if (unexpected_frees != 0) {
        fail_at(__LINE__, "sippnp_ctx_config_set_lookup", "finalizer ran after a failed call");
    }

    CODE(sippnp_ctx_config_set_secret, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_config_set_secret(NULL, (const uint8_t *)SECRET, 16));
    CODE(sippnp_ctx_config_set_secret, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_config_set_secret(cfg, NULL, 16));
    CODE(sippnp_ctx_config_set_secret, SIPPNP_ERR_INVALID_PARAMETER,
         sippnp_ctx_config_set_secret(cfg, (const uint8_t *)SECRET, 15));
    CODE(sippnp_ctx_config_set_secret, SIPPNP_ERR_INVALID_PARAMETER, sippnp_ctx_config_set_secret(cfg, NULL, 0));
    case_of("sippnp_ctx_config_set_secret");
    if (sippnp_ctx_config_set_secret(cfg, (const uint8_t *)SECRET, HUGE_LEN) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_ctx_config_set_secret", "accepted SIZE_MAX");
    }

    /* Now the real settings. */
    OK(sippnp_ctx_config_set_server, sippnp_ctx_config_set_server(cfg, "127.0.0.1", 9, 5060));
    OK(sippnp_ctx_config_set_url_template, sippnp_ctx_config_set_url_template(cfg, TEMPLATE, LEN(TEMPLATE)));
    OK(sippnp_ctx_config_set_user_agent, sippnp_ctx_config_set_user_agent(cfg, "abi-misuse", 10));
    OK(sippnp_ctx_config_set_unknown_policy, sippnp_ctx_config_set_unknown_policy(cfg, SIPPNP_UNKNOWN_ANSWER));
    OK(sippnp_ctx_config_set_secret, sippnp_ctx_config_set_secret(cfg, (const uint8_t *)SECRET, LEN(SECRET)));
    /* Replacing a lookup runs the old finalizer once; NULL callbacks are allowed. */
    OK(sippnp_ctx_config_set_lookup, sippnp_ctx_config_set_lookup(cfg, NULL, NULL, count_unexpected_free));
    OK(sippnp_ctx_config_set_lookup, sippnp_ctx_config_set_lookup(cfg, lookup, st, lookup_free));
    if (unexpected_frees != 1) {
        fail_at(__LINE__, "sippnp_ctx_config_set_lookup", "the replaced finalizer did not run once");
    }

    FAILS(sippnp_ctx_new, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_new(NULL, &ctx, &err_));
    UNTOUCHED(ctx);
    FAILS(sippnp_ctx_new, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_new(cfg, NULL, &err_));
    CODE(sippnp_ctx_new, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_new(NULL, &ctx, NULL));
    UNTOUCHED(ctx);
    sippnp_ctx_free(NULL);
    case_of("sippnp_ctx_free");
    *out_cfg = cfg;
}

static void device_getters_null(void) {
    ABSENT(sippnp_device_mac, sippnp_device_mac(NULL));
    ABSENT(sippnp_device_mac_source, sippnp_device_mac_source(NULL));
    ABSENT(sippnp_device_vendor, sippnp_device_vendor(NULL));
    ABSENT(sippnp_device_model, sippnp_device_model(NULL));
    ABSENT(sippnp_device_firmware, sippnp_device_firmware(NULL));
    ABSENT(sippnp_device_profile_type, sippnp_device_profile_type(NULL));
    ABSENT(sippnp_device_user_agent, sippnp_device_user_agent(NULL));
    ABSENT(sippnp_device_contact_host, sippnp_device_contact_host(NULL));
    ABSENT(sippnp_device_transport, sippnp_device_transport(NULL));
    ABSENT(sippnp_device_call_id, sippnp_device_call_id(NULL));
    ABSENT(sippnp_device_ip, sippnp_device_ip(NULL));
    ZERO(sippnp_device_contact_port, sippnp_device_contact_port(NULL));
    sippnp_device_free(NULL);
    case_of("sippnp_device_free");
}

static void device_getters_real(const sippnp_device *d) {
    PRESENT(sippnp_device_mac, sippnp_device_mac(d));
    PRESENT(sippnp_device_mac_source, sippnp_device_mac_source(d));
    PRESENT(sippnp_device_vendor, sippnp_device_vendor(d));
    PRESENT(sippnp_device_model, sippnp_device_model(d));
    PRESENT(sippnp_device_firmware, sippnp_device_firmware(d));
    PRESENT(sippnp_device_profile_type, sippnp_device_profile_type(d));
    PRESENT(sippnp_device_user_agent, sippnp_device_user_agent(d));
    PRESENT(sippnp_device_contact_host, sippnp_device_contact_host(d));
    PRESENT(sippnp_device_transport, sippnp_device_transport(d));
    PRESENT(sippnp_device_call_id, sippnp_device_call_id(d));
    PRESENT(sippnp_device_ip, sippnp_device_ip(d));
    case_of("sippnp_device_contact_port");
    if (sippnp_device_contact_port(d) != 5060) {
        fail_at(__LINE__, "sippnp_device_contact_port", "not 5060");
    }
}

/* The datagram checks shared by sippnp_device_parse, sippnp_ctx_handle and the engine: `call`
 * runs one datagram (pointer, length) and returns the code, with *err set. */
typedef uint32_t (*datagram_fn)(void *target, const uint8_t *d, size_t len, sippnp_error **err);

static void datagrams(const char *fn, datagram_fn call, void *target) {
    static const uint8_t garbage[] = "\x00\x01 not SIP at all";
    const uint8_t *sub = (const uint8_t *)SUBSCRIBE;
    uint8_t *big = malloc(65536);
    if (big == NULL) {
        fail_at(__LINE__, fn, "out of memory");
        return;
    }
    memcpy(big, SUBSCRIBE, LEN(SUBSCRIBE));
    memset(big + LEN(SUBSCRIBE), 'a', 65536 - LEN(SUBSCRIBE));
    struct {
        const uint8_t *d;
        size_t len;
        uint32_t want;
        uint32_t known; /* a known deviation from `want`, or SIPPNP_OK for none */
    } table[] = {
        {NULL, 10, SIPPNP_ERR_NULL_PARAMETER, SIPPNP_OK},
        {NULL, HUGE_LEN, SIPPNP_ERR_NULL_PARAMETER, SIPPNP_OK},
        {NULL, 0, SIPPNP_ERR_SIP_EMPTY, SIPPNP_OK},
        {sub, 0, SIPPNP_ERR_SIP_EMPTY, SIPPNP_OK},
        {(const uint8_t *)"\r\n\r\n", 4, SIPPNP_ERR_SIP_EMPTY, SIPPNP_OK},
        {garbage, sizeof garbage - 1, SIPPNP_ERR_SIP_NOT_SIP, SIPPNP_OK},
        {(const uint8_t *)RESPONSE, LEN(RESPONSE) - 30, SIPPNP_ERR_SIP_TRUNCATED, SIPPNP_ERR_SIP_MISSING_HEADER},
        {sub, 40, SIPPNP_ERR_SIP_TRUNCATED, SIPPNP_OK},
        {big, 65536, SIPPNP_ERR_SIP_TOO_LARGE, SIPPNP_OK},
        /* Beyond the limit and beyond the buffer: refused by size, never read. */
        {sub, BIG_LEN, SIPPNP_ERR_SIP_TOO_LARGE, SIPPNP_OK},
        {sub, HUGE_LEN, SIPPNP_ERR_SIP_TOO_LARGE, SIPPNP_OK},
        {sub, (size_t)PTRDIFF_MAX + 1, SIPPNP_ERR_SIP_TOO_LARGE, SIPPNP_OK},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        sippnp_error *err = NULL;
        uint32_t got = call(target, table[i].d, table[i].len, &err);
        if (table[i].known != SIPPNP_OK && got == table[i].known) {
            code_deviates(__LINE__, fn, got, table[i].want, table[i].known);
            sippnp_error_free(err);
        } else if (table[i].want == SIPPNP_ERR_SIP_TRUNCATED && got != SIPPNP_OK) {
            /* A cut message may be reported as truncated or as lacking a header. */
            any_failure(__LINE__, fn, got, err);
        } else {
            failed_with(__LINE__, fn, got, table[i].want, err);
        }
    }
    free(big);
}

static uint32_t parse_one(void *target, const uint8_t *d, size_t len, sippnp_error **err) {
    sippnp_device *dev = SENTINEL(sippnp_device);
    (void)target;
    uint32_t got = sippnp_device_parse(d, len, &dev, err);
    if (got == SIPPNP_OK) {
        sippnp_device_free(dev);
    } else {
        UNTOUCHED(dev);
    }
    return got;
}

static uint32_t handle_one(void *target, const uint8_t *d, size_t len, sippnp_error **err) {
    sippnp_answer *ans = SENTINEL(sippnp_answer);
    uint32_t got = sippnp_ctx_handle(target, d, len, IP, LEN(IP), 5060, &ans, err);
    if (got == SIPPNP_OK) {
        sippnp_answer_free(ans);
    } else {
        UNTOUCHED(ans);
    }
    return got;
}

static uint32_t engine_one(void *target, const uint8_t *d, size_t len, sippnp_error **err) {
    return sippnp_engine_handle_datagram(target, d, len, IP, LEN(IP), 5060, 0, err);
}

static void devices(void) {
    device_getters_null();
    sippnp_device *dev = SENTINEL(sippnp_device);
    FAILS(sippnp_device_parse, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_device_parse((const uint8_t *)SUBSCRIBE, LEN(SUBSCRIBE), NULL, &err_));
    CODE(sippnp_device_parse, SIPPNP_ERR_NULL_PARAMETER, sippnp_device_parse(NULL, 5, &dev, NULL));
    UNTOUCHED(dev);
    datagrams("sippnp_device_parse", parse_one, NULL);
    OK(sippnp_device_parse, sippnp_device_parse((const uint8_t *)SUBSCRIBE, LEN(SUBSCRIBE), &dev, NULL));
    device_getters_real(dev);
    sippnp_device_free(dev);
}

static void answers(struct lookup_state *st, const sippnp_ctx *ctx) {
    sippnp_answer *ans = SENTINEL(sippnp_answer);
    const uint8_t *sub = (const uint8_t *)SUBSCRIBE;
    FAILS(sippnp_ctx_handle, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_ctx_handle(NULL, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, &ans, &err_));
    FAILS(sippnp_ctx_handle, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_ctx_handle(ctx, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, NULL, &err_));
    FAILS(sippnp_ctx_handle, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_ctx_handle(ctx, sub, LEN(SUBSCRIBE), NULL, 5, 5060, &ans, &err_));
    FAILS(sippnp_ctx_handle, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_ctx_handle(ctx, sub, LEN(SUBSCRIBE), NULL, 0, 5060, &ans, &err_));
    FAILS(sippnp_ctx_handle, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_ctx_handle(ctx, sub, LEN(SUBSCRIBE), "not-an-ip", 9, 5060, &ans, &err_));
    FAILS(sippnp_ctx_handle, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_ctx_handle(ctx, sub, LEN(SUBSCRIBE), IP, HUGE_LEN, 5060, &ans, &err_));
    CODE(sippnp_ctx_handle, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_ctx_handle(NULL, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, &ans, NULL));
    UNTOUCHED(ans);
    datagrams("sippnp_ctx_handle", handle_one, (void *)(uintptr_t)ctx);

    /* Lookups returning garbage: a result code, no answer. */
    const uint32_t garbage[] = {SIPPNP_LOOKUP_ERROR, 4, 999, UINT32_MAX};
    st->mode = MODE_RETURN;
    for (size_t i = 0; i < 4; i++) {
        st->code = garbage[i];
        FAILS(sippnp_ctx_handle, SIPPNP_ERR_LOOKUP_FAILED,
              sippnp_ctx_handle(ctx, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, &ans, &err_));
        UNTOUCHED(ans);
    }

    /* A silent answer: nothing to send, packets untouched. */
    st->code = SIPPNP_LOOKUP_IGNORE;
    OK(sippnp_ctx_handle, sippnp_ctx_handle(ctx, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, &ans, NULL));
    sippnp_packet pkt, ref;
    memset(&pkt, 0xa5, sizeof pkt);
    memcpy(&ref, &pkt, sizeof pkt);
    case_of("sippnp_answer_action");
    if (sippnp_answer_action(ans) != SIPPNP_ACTION_SILENT) {
        fail_at(__LINE__, "sippnp_answer_action", "not silent");
    }
    case_of("sippnp_answer_silence_reason");
    if (sippnp_answer_silence_reason(ans) != SIPPNP_SILENCE_IGNORED) {
        fail_at(__LINE__, "sippnp_answer_silence_reason", "not IGNORED");
    }
    ABSENT(sippnp_answer_url, sippnp_answer_url(ans));
    CODE(sippnp_answer_response, SIPPNP_ERR_NOTHING_TO_SEND, sippnp_answer_response(ans, &pkt));
    CODE(sippnp_answer_notify, SIPPNP_ERR_NOTHING_TO_SEND, sippnp_answer_notify(ans, &pkt));
    if (memcmp(&pkt, &ref, sizeof pkt) != 0) {
        fail_at(__LINE__, "sippnp_answer_response/notify", "packet written on failure");
    }
    sippnp_answer_free(ans);

    /* Invalid settings inside the lookup are refused there; the answer still goes out. */
    st->mode = MODE_BAD_SETS;
    ans = SENTINEL(sippnp_answer);
    OK(sippnp_ctx_handle, sippnp_ctx_handle(ctx, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, &ans, NULL));
    case_of("sippnp_answer_action");
    if (ans == SENTINEL(sippnp_answer) || sippnp_answer_action(ans) != SIPPNP_ACTION_SEND) {
        fail_at(__LINE__, "sippnp_answer_action", "not SEND");
        return;
    }
    PRESENT(sippnp_answer_url, sippnp_answer_url(ans));
    case_of("sippnp_answer_device");
    if (sippnp_answer_device(ans) == NULL) {
        fail_at(__LINE__, "sippnp_answer_device", "NULL");
    }
    device_getters_real(sippnp_answer_device(ans));
    CODE(sippnp_answer_response, SIPPNP_ERR_NULL_PARAMETER, sippnp_answer_response(ans, NULL));
    CODE(sippnp_answer_notify, SIPPNP_ERR_NULL_PARAMETER, sippnp_answer_notify(ans, NULL));
    CODE(sippnp_answer_response, SIPPNP_ERR_NULL_PARAMETER, sippnp_answer_response(NULL, &pkt));
    CODE(sippnp_answer_notify, SIPPNP_ERR_NULL_PARAMETER, sippnp_answer_notify(NULL, &pkt));
    if (memcmp(&pkt, &ref, sizeof pkt) != 0) {
        fail_at(__LINE__, "sippnp_answer_response/notify", "packet written on failure");
    }
    OK(sippnp_answer_response, sippnp_answer_response(ans, &pkt));
    OK(sippnp_answer_notify, sippnp_answer_notify(ans, &pkt));
    sippnp_answer_free(ans);

    /* Getters on NULL. */
    ZERO(sippnp_answer_action, sippnp_answer_action(NULL));
    ZERO(sippnp_answer_silence_reason, sippnp_answer_silence_reason(NULL));
    ABSENT(sippnp_answer_url, sippnp_answer_url(NULL));
    case_of("sippnp_answer_device");
    if (sippnp_answer_device(NULL) != NULL) {
        fail_at(__LINE__, "sippnp_answer_device", "not NULL for NULL");
    }
    sippnp_answer_free(NULL);
    case_of("sippnp_answer_free");
}

static void renders(struct lookup_state *st, const sippnp_ctx *ctx) {
    sippnp_rendered *r = SENTINEL(sippnp_rendered);
    st->mode = MODE_ASSIGN;
    FAILS(sippnp_ctx_render, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_render(NULL, MAC, LEN(MAC), &r, &err_));
    FAILS(sippnp_ctx_render, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_render(ctx, MAC, LEN(MAC), NULL, &err_));
    FAILS_SOMEHOW(sippnp_ctx_render, sippnp_ctx_render(ctx, NULL, 12, &r, &err_));
    FAILS(sippnp_ctx_render, SIPPNP_ERR_INVALID_PARAMETER, sippnp_ctx_render(ctx, "zz", 2, &r, &err_));
    FAILS(sippnp_ctx_render, SIPPNP_ERR_INVALID_PARAMETER, sippnp_ctx_render(ctx, NULL, 0, &r, &err_));
    FAILS_SOMEHOW(sippnp_ctx_render, sippnp_ctx_render(ctx, MAC, HUGE_LEN, &r, &err_));
    UNTOUCHED(r);

    const uint32_t garbage[] = {SIPPNP_LOOKUP_ERROR, 4, 999, UINT32_MAX};
    st->mode = MODE_RETURN;
    for (size_t i = 0; i < 4; i++) {
        st->code = garbage[i];
        FAILS(sippnp_ctx_render, SIPPNP_ERR_LOOKUP_FAILED, sippnp_ctx_render(ctx, MAC, LEN(MAC), &r, &err_));
        FAILS(sippnp_ctx_render_path, SIPPNP_ERR_LOOKUP_FAILED,
              sippnp_ctx_render_path(ctx, "/cfg000b82273b89.xml", 20, &r, &err_));
        UNTOUCHED(r);
    }
    st->code = SIPPNP_LOOKUP_IGNORE;
    FAILS(sippnp_ctx_render, SIPPNP_ERR_NOT_ASSIGNED, sippnp_ctx_render(ctx, MAC, LEN(MAC), &r, &err_));
    st->code = SIPPNP_LOOKUP_UNKNOWN;
    FAILS(sippnp_ctx_render, SIPPNP_ERR_NOT_ASSIGNED, sippnp_ctx_render(ctx, MAC, LEN(MAC), &r, &err_));
    UNTOUCHED(r);

    /* Invalid settings in the lookup are refused; the file renders without them. */
    st->mode = MODE_BAD_SETS;
    OK(sippnp_ctx_render, sippnp_ctx_render(ctx, MAC, LEN(MAC), &r, NULL));
    if (r != SENTINEL(sippnp_rendered)) {
        sippnp_rendered_free(r);
    }
    r = SENTINEL(sippnp_rendered);
    /* Accepted settings the renderer cannot write: a render error, nothing returned. */
    st->mode = MODE_TOO_MUCH;
    FAILS_SOMEHOW(sippnp_ctx_render, sippnp_ctx_render(ctx, MAC, LEN(MAC), &r, &err_));
    FAILS_SOMEHOW(sippnp_ctx_render_path, sippnp_ctx_render_path(ctx, "/cfg000b82273b89.xml", 20, &r, &err_));
    UNTOUCHED(r);

    st->mode = MODE_ASSIGN;
    FAILS(sippnp_ctx_render_path, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_ctx_render_path(NULL, "/cfg000b82273b89.xml", 20, &r, &err_));
    FAILS(sippnp_ctx_render_path, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_ctx_render_path(ctx, "/cfg000b82273b89.xml", 20, NULL, &err_));
    FAILS(sippnp_ctx_render_path, SIPPNP_ERR_NULL_PARAMETER, sippnp_ctx_render_path(ctx, NULL, 20, &r, &err_));
    FAILS(sippnp_ctx_render_path, SIPPNP_ERR_RENDER_UNKNOWN_PATH, sippnp_ctx_render_path(ctx, NULL, 0, &r, &err_));
    FAILS(sippnp_ctx_render_path, SIPPNP_ERR_RENDER_UNKNOWN_PATH,
          sippnp_ctx_render_path(ctx, "/etc/passwd", 11, &r, &err_));
    FAILS(sippnp_ctx_render_path, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_ctx_render_path(ctx, "/cfg\xff.xml", 9, &r, &err_));
    FAILS_SOMEHOW(sippnp_ctx_render_path, sippnp_ctx_render_path(ctx, "/cfg000b82273b89.xml", HUGE_LEN, &r, &err_));
    UNTOUCHED(r);
}

static void engine_checks(struct lookup_state *st, const sippnp_ctx_config *cfg) {
    sippnp_engine *e = SENTINEL(sippnp_engine);
    sippnp_engine_options o = sippnp_engine_options_default();
    case_of("sippnp_engine_options_default");
    if (o.max_exchanges != 16384 || o.max_sources != 4096 || o.rate_per_source != 10 || o.rate_burst != 20 ||
        o.t1_ms != 500 || o.t2_ms != 4000 || o.timer_f_ms != 32000 || o.linger_ms != 32000 ||
        o.token_ttl_ms != 300000 || o.max_events != 1024) {
        fail_at(__LINE__, "sippnp_engine_options_default", "not the documented defaults");
    }
    FAILS(sippnp_engine_new, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_new(NULL, NULL, &e, &err_));
    FAILS(sippnp_engine_new, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_new(cfg, NULL, NULL, &err_));
    UNTOUCHED(e);
    for (int i = 0; i < 7; i++) {
        sippnp_engine_options bad = sippnp_engine_options_default();
        switch (i) {
        case 0: bad.max_exchanges = 0; break;
        case 1: bad.max_sources = 0; break;
        case 2: bad.t1_ms = 0; break;
        case 3: bad.t2_ms = bad.t1_ms - 1; break;
        case 4: bad.timer_f_ms = bad.t1_ms - 1; break;
        case 5: bad.rate_burst = 0; break;
        default: bad.max_events = 0; break;
        }
        FAILS(sippnp_engine_new, SIPPNP_ERR_INVALID_PARAMETER, sippnp_engine_new(cfg, &bad, &e, &err_));
        UNTOUCHED(e);
    }
    sippnp_engine_free(NULL);
    case_of("sippnp_engine_free");

    OK(sippnp_engine_new, sippnp_engine_new(cfg, &o, &e, NULL));
    if (e == SENTINEL(sippnp_engine)) {
        return;
    }
    st->engine = e;

    /* Empty engine: nothing queued, no timer; outputs untouched. */
    sippnp_transmit *t = SENTINEL(sippnp_transmit);
    sippnp_event *ev = SENTINEL(sippnp_event);
    uint64_t when = 0xdeadbeefu;
    CODE(sippnp_engine_poll_transmit, SIPPNP_EMPTY, sippnp_engine_poll_transmit(e, &t));
    CODE(sippnp_engine_poll_event, SIPPNP_EMPTY, sippnp_engine_poll_event(e, &ev));
    CODE(sippnp_engine_next_timeout, SIPPNP_NO_TIMER, sippnp_engine_next_timeout(e, &when));
    CODE(sippnp_engine_poll_transmit, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_poll_transmit(NULL, &t));
    CODE(sippnp_engine_poll_transmit, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_poll_transmit(e, NULL));
    CODE(sippnp_engine_poll_event, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_poll_event(NULL, &ev));
    CODE(sippnp_engine_poll_event, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_poll_event(e, NULL));
    CODE(sippnp_engine_next_timeout, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_next_timeout(NULL, &when));
    CODE(sippnp_engine_next_timeout, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_next_timeout(e, NULL));
    CODE(sippnp_engine_handle_timeout, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_handle_timeout(NULL, 0));
    OK(sippnp_engine_handle_timeout, sippnp_engine_handle_timeout(e, UINT64_MAX));
    UNTOUCHED(t);
    UNTOUCHED(ev);
    if (when != 0xdeadbeefu) {
        fail_at(__LINE__, "sippnp_engine_next_timeout", "*out_ms written without a timer");
    }
    sippnp_engine_counters c, cref;
    memset(&c, 0xa5, sizeof c);
    memcpy(&cref, &c, sizeof c);
    CODE(sippnp_engine_stats, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_stats(NULL, &c));
    CODE(sippnp_engine_stats, SIPPNP_ERR_NULL_PARAMETER, sippnp_engine_stats(e, NULL));
    if (memcmp(&c, &cref, sizeof c) != 0) {
        fail_at(__LINE__, "sippnp_engine_stats", "counters written on failure");
    }

    /* Datagrams. */
    const uint8_t *sub = (const uint8_t *)SUBSCRIBE;
    FAILS(sippnp_engine_handle_datagram, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_engine_handle_datagram(NULL, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, 0, &err_));
    FAILS(sippnp_engine_handle_datagram, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_engine_handle_datagram(e, sub, LEN(SUBSCRIBE), NULL, 7, 5060, 0, &err_));
    FAILS(sippnp_engine_handle_datagram, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_engine_handle_datagram(e, sub, LEN(SUBSCRIBE), "999.1.1.1", 9, 5060, 0, &err_));
    FAILS(sippnp_engine_handle_datagram, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_engine_handle_datagram(e, sub, LEN(SUBSCRIBE), IP, HUGE_LEN, 5060, 0, &err_));
    CODE(sippnp_engine_handle_datagram, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_engine_handle_datagram(NULL, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, 0, NULL));
    datagrams("sippnp_engine_handle_datagram", engine_one, e);

    /* Garbage from the lookup: a result code, nothing remembered, nothing queued. */
    const uint32_t garbage[] = {SIPPNP_LOOKUP_ERROR, 4, 999, UINT32_MAX};
    st->mode = MODE_RETURN;
    for (size_t i = 0; i < 4; i++) {
        st->code = garbage[i];
        FAILS(sippnp_engine_handle_datagram, SIPPNP_ERR_LOOKUP_FAILED,
              sippnp_engine_handle_datagram(e, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, 1, &err_));
    }
    CODE(sippnp_engine_poll_transmit, SIPPNP_EMPTY, sippnp_engine_poll_transmit(e, &t));
    UNTOUCHED(t);

    /* A lookup that calls back into its engine: refused there; the exchange goes on. */
    st->mode = MODE_REENTER;
    OK(sippnp_engine_handle_datagram,
       sippnp_engine_handle_datagram(e, sub, LEN(SUBSCRIBE), IP, LEN(IP), 5060, 2, NULL));
    OK(sippnp_engine_stats, sippnp_engine_stats(e, &c));
    if (c.exchanges != 1) {
        fail_at(__LINE__, "sippnp_engine_stats", "the exchange is not tracked");
    }

    /* A transmit and its packet. */
    OK(sippnp_engine_poll_transmit, sippnp_engine_poll_transmit(e, &t));
    if (t != SENTINEL(sippnp_transmit)) {
        sippnp_packet pkt, ref;
        memset(&pkt, 0x5a, sizeof pkt);
        memcpy(&ref, &pkt, sizeof pkt);
        CODE(sippnp_transmit_packet, SIPPNP_ERR_NULL_PARAMETER, sippnp_transmit_packet(NULL, &pkt));
        CODE(sippnp_transmit_packet, SIPPNP_ERR_NULL_PARAMETER, sippnp_transmit_packet(t, NULL));
        if (memcmp(&pkt, &ref, sizeof pkt) != 0) {
            fail_at(__LINE__, "sippnp_transmit_packet", "packet written on failure");
        }
        OK(sippnp_transmit_packet, sippnp_transmit_packet(t, &pkt));
        sippnp_transmit_free(t);
    }
    sippnp_transmit_free(NULL);
    case_of("sippnp_transmit_free");

    /* Events: the real ones, then NULL. */
    while (sippnp_engine_poll_event(e, &ev) == SIPPNP_OK) {
        case_of("sippnp_engine_poll_event");
        uint32_t kind = sippnp_event_kind(ev);
        case_of("sippnp_event_kind");
        if (kind < SIPPNP_EVENT_DISCOVERED || kind > SIPPNP_EVENT_RATE_LIMITED) {
            fail_at(__LINE__, "sippnp_event_kind", "not a SIPPNP_EVENT_*");
        }
        if (kind == SIPPNP_EVENT_ANSWERED) {
            PRESENT(sippnp_event_url, sippnp_event_url(ev));
            PRESENT(sippnp_event_mac, sippnp_event_mac(ev));
            PRESENT(sippnp_event_vendor, sippnp_event_vendor(ev));
            PRESENT(sippnp_event_model, sippnp_event_model(ev));
            PRESENT(sippnp_event_firmware, sippnp_event_firmware(ev));
            PRESENT(sippnp_event_ip, sippnp_event_ip(ev));
            case_of("sippnp_event_device");
            if (sippnp_event_device(ev) == NULL) {
                fail_at(__LINE__, "sippnp_event_device", "NULL for ANSWERED");
            }
            ZERO(sippnp_event_status, sippnp_event_status(ev));
            ZERO(sippnp_event_reason, sippnp_event_reason(ev));
            ZERO(sippnp_event_attempt, sippnp_event_attempt(ev));
            case_of("sippnp_event_port");
            if (sippnp_event_port(ev) != 5060) {
                fail_at(__LINE__, "sippnp_event_port", "not 5060");
            }
        }
        sippnp_event_free(ev);
    }
    ZERO(sippnp_event_kind, sippnp_event_kind(NULL));
    case_of("sippnp_event_device");
    if (sippnp_event_device(NULL) != NULL) {
        fail_at(__LINE__, "sippnp_event_device", "not NULL for NULL");
    }
    ABSENT(sippnp_event_mac, sippnp_event_mac(NULL));
    ABSENT(sippnp_event_vendor, sippnp_event_vendor(NULL));
    ABSENT(sippnp_event_model, sippnp_event_model(NULL));
    ABSENT(sippnp_event_firmware, sippnp_event_firmware(NULL));
    ABSENT(sippnp_event_ip, sippnp_event_ip(NULL));
    ZERO(sippnp_event_port, sippnp_event_port(NULL));
    ABSENT(sippnp_event_url, sippnp_event_url(NULL));
    ZERO(sippnp_event_status, sippnp_event_status(NULL));
    ZERO(sippnp_event_reason, sippnp_event_reason(NULL));
    ZERO(sippnp_event_attempt, sippnp_event_attempt(NULL));
    sippnp_event_free(NULL);
    case_of("sippnp_event_free");

    /* Tokens. */
    char mac[SIPPNP_MAC_BUFFER_LEN];
    char ref[SIPPNP_MAC_BUFFER_LEN];
    memset(mac, 'Z', sizeof mac);
    memcpy(ref, mac, sizeof mac);
    static const char token[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    CODE(sippnp_engine_verify_token, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_engine_verify_token(NULL, token, LEN(token), IP, LEN(IP), 0, mac));
    CODE(sippnp_engine_verify_token, SIPPNP_ERR_NULL_PARAMETER,
         sippnp_engine_verify_token(e, token, LEN(token), IP, LEN(IP), 0, NULL));
    case_of("sippnp_engine_verify_token");
    if (sippnp_engine_verify_token(e, NULL, 5, IP, LEN(IP), 0, mac) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_engine_verify_token", "accepted a NULL token");
    }
    case_of("sippnp_engine_verify_token");
    if (sippnp_engine_verify_token(e, token, LEN(token), NULL, 5, 0, mac) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_engine_verify_token", "accepted a NULL ip");
    }
    CODE(sippnp_engine_verify_token, SIPPNP_ERR_TOKEN_MALFORMED,
         sippnp_engine_verify_token(e, "!!", 2, IP, LEN(IP), 0, mac));
    CODE(sippnp_engine_verify_token, SIPPNP_ERR_TOKEN_MALFORMED,
         sippnp_engine_verify_token(e, NULL, 0, IP, LEN(IP), 0, mac));
    case_of("sippnp_engine_verify_token");
    if (sippnp_engine_verify_token(e, token, HUGE_LEN, IP, LEN(IP), 0, mac) == SIPPNP_OK ||
        sippnp_engine_verify_token(e, token, LEN(token), IP, HUGE_LEN, 0, mac) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_engine_verify_token", "accepted SIZE_MAX");
    }
    case_of("sippnp_engine_verify_token");
    if (sippnp_engine_verify_token(e, token, LEN(token), IP, LEN(IP), UINT64_MAX, mac) == SIPPNP_OK) {
        fail_at(__LINE__, "sippnp_engine_verify_token", "accepted a forged token");
    }
    if (memcmp(mac, ref, sizeof mac) != 0) {
        fail_at(__LINE__, "sippnp_engine_verify_token", "out_mac written on failure");
    }

    /* check-sync. */
    FAILS(sippnp_engine_check_sync, SIPPNP_ERR_NULL_PARAMETER,
          sippnp_engine_check_sync(NULL, MAC, LEN(MAC), IP, LEN(IP), 5060, 0, &err_));
    FAILS_SOMEHOW(sippnp_engine_check_sync, sippnp_engine_check_sync(e, NULL, 12, IP, LEN(IP), 5060, 0, &err_));
    FAILS_SOMEHOW(sippnp_engine_check_sync, sippnp_engine_check_sync(e, MAC, LEN(MAC), NULL, 9, 5060, 0, &err_));
    FAILS(sippnp_engine_check_sync, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_engine_check_sync(e, "zz", 2, IP, LEN(IP), 5060, 0, &err_));
    FAILS(sippnp_engine_check_sync, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_engine_check_sync(e, MAC, LEN(MAC), "nope", 4, 5060, 0, &err_));
    FAILS(sippnp_engine_check_sync, SIPPNP_ERR_INVALID_PARAMETER,
          sippnp_engine_check_sync(e, MAC, LEN(MAC), IP, LEN(IP), 0, 0, &err_));
    FAILS_SOMEHOW(sippnp_engine_check_sync,
                  sippnp_engine_check_sync(e, MAC, HUGE_LEN, IP, LEN(IP), 5060, 0, &err_));
    FAILS_SOMEHOW(sippnp_engine_check_sync,
                  sippnp_engine_check_sync(e, MAC, LEN(MAC), IP, HUGE_LEN, 5060, 0, &err_));
    OK(sippnp_engine_check_sync, sippnp_engine_check_sync(e, MAC, LEN(MAC), IP, LEN(IP), 5060, 3, NULL));
    OK(sippnp_engine_next_timeout, sippnp_engine_next_timeout(e, &when));

    st->engine = NULL;
    sippnp_engine_free(e); /* with its queued packets and events */
}

int main(void) {
    struct lookup_state st = {MODE_ASSIGN, 0, NULL, 0, 0};
    sippnp_ctx_config *cfg = NULL;
    sippnp_ctx *ctx = SENTINEL(sippnp_ctx);

    misc();
    assignment();
    config(&st, &cfg);
    devices();
    OK(sippnp_ctx_new, sippnp_ctx_new(cfg, &ctx, NULL));
    if (ctx != SENTINEL(sippnp_ctx)) {
        answers(&st, ctx);
        renders(&st, ctx);
        sippnp_ctx_free(ctx);
    }
    engine_checks(&st, cfg);
    sippnp_ctx_config_free(cfg);
    if (st.frees != 1) {
        failures++;
        printf("FAIL the lookup's finalizer ran %d times, want 1\n", st.frees);
    }
    printf("done cases=%d failures=%d deviations=%d lookups=%d\n", cases, failures, deviations, st.calls);
    return failures == 0 ? 0 : 1;
}
