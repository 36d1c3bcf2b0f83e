/*
 * engine_module.c — a PBX module that lets the stateful sippnp engine run SIP Plug-and-Play.
 *
 *   usage: engine_module LISTEN_PORT [MAX_EVENTS [RUN_MS [T1_MS]]]
 *   e.g.   engine_module 5060                 # forever, RFC 3261 timers
 *          engine_module 15060 5 20000 100    # stop after 5 events or 20 s; T1 = 100 ms
 *
 * Where pbx_module.c answers each SUBSCRIBE on its own (sippnp_ctx_handle), this module hands
 * every datagram to a sippnp_engine, which remembers the exchanges: a retransmitted SUBSCRIBE
 * gets the same 200 OK again without a second lookup, the NOTIFY is retransmitted on the
 * RFC 3261 timers until the phone answers it, and what happens is reported as events.
 *
 * The module still owns the socket, the clock and the inventory; the engine is sans-IO. The
 * loop is the one every host runs:
 *
 *   1. wait for a datagram, at most until sippnp_engine_next_timeout() (poll());
 *   2. give a datagram to sippnp_engine_handle_datagram(), or, once the timer is due, call
 *      sippnp_engine_handle_timeout();
 *   3. send what sippnp_engine_poll_transmit() yields until SIPPNP_EMPTY;
 *   4. log what sippnp_engine_poll_event() yields until SIPPNP_EMPTY.
 *
 * Times are milliseconds of CLOCK_MONOTONIC. A real module would listen on the PnP multicast
 * group 224.0.1.75:5060; this example binds 127.0.0.1 so it can run (and be tested) on
 * loopback. T1_MS shortens every timer (T2 = 8·T1, Timer F and the linger time = 64·T1, as
 * with the defaults) so a test does not wait 32 seconds.
 *
 * It prints one line per event on stdout, never a packet and never a password. It stops after
 * MAX_EVENTS events or RUN_MS milliseconds (0 or absent: no limit) and frees everything it
 * allocated.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "sippnp.h"

/* The address this example binds, and writes into Via and Contact of what it sends. */
#define LISTEN_IP "127.0.0.1"
/* What the NOTIFY carries: where the phone fetches its config file. */
#define URL_TEMPLATE "http://127.0.0.1:8080/prov/{mac}/cfg{mac}.xml"
/* Where phones fetch their config files later (device-wide SIPPNP_FIELD_PROVISIONING_URL). */
#define PROVISIONING_URL "http://127.0.0.1:8080/prov/"

/* One setting: a field number (sippnp_field, sippnp_account_field or sippnp_key_field) and
 * its text. */
struct setting {
    uint32_t field;
    const char *value;
};

/* The PBX's inventory, reduced to one phone: the GXP2110 with MAC 000b82273b89 gets
 * extension 201, German time, wideband audio first and a BLF key watching extension 202. */
static const char KNOWN_MAC[] = "000b82273b89";

static const struct setting DEVICE_SETTINGS[] = {
    {SIPPNP_FIELD_PROVISIONING_URL, PROVISIONING_URL},
    {SIPPNP_FIELD_TIMEZONE, "Europe/Berlin"},
    {SIPPNP_FIELD_NTP_SERVERS, "0.de.pool.ntp.org,1.de.pool.ntp.org"},
    {SIPPNP_FIELD_LANGUAGE, "de"},
};

static const struct setting ACCOUNT_SETTINGS[] = {
    {SIPPNP_ACCOUNT_USER_ID, "201"},
    {SIPPNP_ACCOUNT_PASSWORD, "gxp-201-secret"}, /* never logged, by us or the library */
    {SIPPNP_ACCOUNT_DISPLAY_NAME, "Reception"},
    {SIPPNP_ACCOUNT_REGISTRAR_HOST, "127.0.0.1"},
    {SIPPNP_ACCOUNT_CODECS, "G722,PCMA"},
    {SIPPNP_ACCOUNT_DTMF, "rfc2833"},
};

static const struct setting KEY_SETTINGS[] = {
    {SIPPNP_KEY_KIND, "blf"},
    {SIPPNP_KEY_VALUE, "202"},
    {SIPPNP_KEY_LABEL, "Warehouse"},
    {SIPPNP_KEY_ACCOUNT, "1"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The userdata handed to the library. It is heap-allocated so the finalizer has something to
 * release: the library calls inventory_free() exactly once, when the last configuration or
 * engine holding the lookup is freed. The lookup runs only inside engine calls on our one
 * thread, so a plain counter will do. */
struct inventory {
    unsigned long lookups;
};

static void inventory_free(void *userdata) {
    struct inventory *inv = userdata;
    printf("userdata_free: inventory released after %lu lookups\n", inv->lookups);
    free(inv);
}

/* Which setter a table of settings goes through. */
enum target { DEVICE, ACCOUNT, KEY };
static const char *const TARGET_NAMES[] = {"device", "account", "key"};

/* Applies a table of settings with one of the three setters; false (after saying which) at
 * the first the library refuses. `index` is the account or key number (1-based; unused for
 * DEVICE). */
static bool apply(sippnp_assignment *out, enum target target, uint32_t index, const struct setting *settings,
                  size_t count) {
    for (size_t i = 0; i < count; i++) {
        const struct setting *s = &settings[i];
        size_t len = strlen(s->value);
        sippnp_result rc;
        switch (target) {
        case DEVICE: rc = sippnp_assignment_set(out, s->field, s->value, len); break;
        case ACCOUNT: rc = sippnp_assignment_set_account(out, index, s->field, s->value, len); break;
        default: rc = sippnp_assignment_set_key(out, index, s->field, s->value, len); break;
        }
        if (rc != SIPPNP_OK) {
            /* The field number, not its value: it may be a password. */
            fprintf(stderr, "engine_module: %s %u field %u refused: %s\n", TARGET_NAMES[target], (unsigned)index,
                    (unsigned)s->field, sippnp_result_str(rc));
            return false;
        }
    }
    return true;
}

/* Lookup callback: runs synchronously inside sippnp_engine_handle_datagram(), with the engine
 * locked (so it must not call the engine). Everything set on `out` is copied at once. A
 * retransmitted SUBSCRIBE does not get here: the engine answers it from memory. */
static uint32_t lookup_phone(void *userdata, const sippnp_device *device, sippnp_assignment *out) {
    struct inventory *inv = userdata;
    inv->lookups++;
    sippnp_str mac = sippnp_device_mac(device);
    if (mac.ptr == NULL || strcmp(mac.ptr, KNOWN_MAC) != 0) {
        return SIPPNP_LOOKUP_UNKNOWN; /* the unknown-device policy decides (here: silence) */
    }
    /* A refused setting is a bug in our data: SIPPNP_LOOKUP_ERROR makes the engine call fail
     * with SIPPNP_ERR_LOOKUP_FAILED instead of provisioning half an account. */
    if (!apply(out, DEVICE, 0, DEVICE_SETTINGS, COUNT(DEVICE_SETTINGS)) ||
        !apply(out, ACCOUNT, 1, ACCOUNT_SETTINGS, COUNT(ACCOUNT_SETTINGS)) ||
        !apply(out, KEY, 1, KEY_SETTINGS, COUNT(KEY_SETTINGS))) {
        return SIPPNP_LOOKUP_ERROR;
    }
    return SIPPNP_LOOKUP_ASSIGN;
}

/* A borrowed sippnp_str for printf: it is NUL-terminated when present. */
static const char *str_or(sippnp_str s, const char *absent) { return s.ptr != NULL ? s.ptr : absent; }

/* Prints a failed call's code and message, then frees the error (NULL is fine). */
static void report_error(const char *what, sippnp_result rc, sippnp_error *err) {
    sippnp_str msg = sippnp_error_message(err);
    printf("error: %s: %s (%s)\n", what, sippnp_result_str(rc), str_or(msg, "no details"));
    sippnp_error_free(err);
}

/* Milliseconds of CLOCK_MONOTONIC: the engine's clock. False if the clock fails. */
static bool monotonic_ms(uint64_t *out) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        fprintf(stderr, "engine_module: clock_gettime: %s\n", strerror(errno));
        return false;
    }
    *out = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    return true;
}

/* A short name for a packet, for the log: `response 200` or the request method. */
static void describe_packet(const sippnp_packet *pkt, char *buf, size_t size) {
    static const char status_prefix[] = "SIP/2.0 ";
    const size_t prefix = sizeof status_prefix - 1;
    size_t i = 0;
    if (pkt->len > prefix + 3 && memcmp(pkt->data, status_prefix, prefix) == 0) {
        snprintf(buf, size, "response %.3s", (const char *)pkt->data + prefix);
        return;
    }
    while (i < pkt->len && i + 1 < size && pkt->data[i] >= 'A' && pkt->data[i] <= 'Z') {
        buf[i] = (char)pkt->data[i];
        i++;
    }
    buf[i] = '\0';
    if (i == 0) {
        snprintf(buf, size, "packet");
    }
}

/* Sends one packet over our UDP socket. The host is an IP literal or, when the phone's
 * Contact names one, a host name, so resolve it with getaddrinfo in our socket's family.
 * A packet that cannot be sent is logged and dropped: the engine retransmits NOTIFYs, and
 * the phone retransmits its SUBSCRIBE. */
static void send_packet(int sock, const sippnp_packet *pkt) {
    char what[32];
    describe_packet(pkt, what, sizeof what);
    const char *host = str_or(pkt->host, "");
    if (strcasecmp(str_or(pkt->transport, "UDP"), "UDP") != 0) {
        printf("not sending %s to %s:%u: this example only speaks UDP, the phone asked for %s\n", what, host,
               (unsigned)pkt->port, pkt->transport.ptr);
        return;
    }
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)pkt->port);
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        printf("error: cannot resolve %s for %s: %s\n", host, what, gai_strerror(gai));
        return;
    }
    if (sendto(sock, pkt->data, pkt->len, 0, res->ai_addr, res->ai_addrlen) < 0) {
        printf("error: sending %s to %s:%s: %s\n", what, host, port, strerror(errno));
    } else {
        printf("sent %s to %s:%s (%zu bytes)\n", what, host, port, pkt->len);
    }
    freeaddrinfo(res);
}

/* Step 3: sends every queued packet, oldest first. False on an unexpected result. */
static bool drain_transmits(sippnp_engine *engine, int sock) {
    for (;;) {
        sippnp_transmit *tx = NULL;
        sippnp_result rc = sippnp_engine_poll_transmit(engine, &tx);
        if (rc == SIPPNP_EMPTY) {
            return true;
        }
        if (rc != SIPPNP_OK) {
            report_error("sippnp_engine_poll_transmit", rc, NULL);
            return false;
        }
        /* The packet is borrowed from the transmit, which does not depend on the engine. */
        sippnp_packet pkt;
        if ((rc = sippnp_transmit_packet(tx, &pkt)) != SIPPNP_OK) {
            report_error("sippnp_transmit_packet", rc, NULL);
            sippnp_transmit_free(tx);
            return false;
        }
        send_packet(sock, &pkt);
        sippnp_transmit_free(tx);
    }
}

static const char *event_name(uint32_t kind) {
    switch (kind) {
    case SIPPNP_EVENT_DISCOVERED: return "discovered";
    case SIPPNP_EVENT_ANSWERED: return "answered";
    case SIPPNP_EVENT_NOTIFIED: return "notified";
    case SIPPNP_EVENT_ACKNOWLEDGED: return "acknowledged";
    case SIPPNP_EVENT_FAILED: return "failed";
    case SIPPNP_EVENT_SILENCED: return "silenced";
    case SIPPNP_EVENT_RATE_LIMITED: return "rate-limited";
    default: return "unknown";
    }
}

/* The reason is a SIPPNP_FAIL_* for FAILED and a sippnp_silence for SILENCED. */
static const char *reason_name(uint32_t kind, uint32_t reason) {
    if (kind == SIPPNP_EVENT_FAILED) {
        switch (reason) {
        case SIPPNP_FAIL_TIMEOUT: return "timeout";
        case SIPPNP_FAIL_REJECTED: return "rejected";
        case SIPPNP_FAIL_EVICTED: return "evicted";
        default: break;
        }
    } else if (kind == SIPPNP_EVENT_SILENCED) {
        switch (reason) {
        case SIPPNP_SILENCE_IGNORED: return "ignored";
        case SIPPNP_SILENCE_UNKNOWN_DEVICE: return "unknown-device";
        default: break;
        }
    }
    return reason == 0 ? "none" : "other";
}

/* Step 4: prints every queued event, oldest first, one line each, and counts them. False on
 * an unexpected result. */
static bool drain_events(sippnp_engine *engine, unsigned long *count) {
    for (;;) {
        sippnp_event *ev = NULL;
        sippnp_result rc = sippnp_engine_poll_event(engine, &ev);
        if (rc == SIPPNP_EMPTY) {
            return true;
        }
        if (rc != SIPPNP_OK) {
            report_error("sippnp_engine_poll_event", rc, NULL);
            return false;
        }
        (*count)++;
        uint32_t kind = sippnp_event_kind(ev);
        printf("event %s mac=%s", event_name(kind), str_or(sippnp_event_mac(ev), "-"));
        if (kind == SIPPNP_EVENT_DISCOVERED || kind == SIPPNP_EVENT_SILENCED) {
            printf(" vendor=%s model=%s firmware=%s from=%s:%u", str_or(sippnp_event_vendor(ev), "-"),
                   str_or(sippnp_event_model(ev), "-"), str_or(sippnp_event_firmware(ev), "-"),
                   str_or(sippnp_event_ip(ev), "-"), (unsigned)sippnp_event_port(ev));
        } else if (kind == SIPPNP_EVENT_ANSWERED) {
            printf(" url=%s", str_or(sippnp_event_url(ev), "-"));
        } else if (kind == SIPPNP_EVENT_RATE_LIMITED) {
            printf(" ip=%s", str_or(sippnp_event_ip(ev), "-"));
        }
        uint32_t reason = sippnp_event_reason(ev);
        printf(" attempt=%u status=%u reason=%s\n", (unsigned)sippnp_event_attempt(ev),
               (unsigned)sippnp_event_status(ev), reason_name(kind, reason));
        sippnp_event_free(ev);
    }
}

/* Step 2 for a datagram: the engine answers, absorbs or ignores it. Anything it refuses
 * (not SIP, another request, a lookup failure) is logged and answered with nothing. */
static void handle_datagram(sippnp_engine *engine, const uint8_t *data, size_t len,
                            const struct sockaddr_storage *from, uint64_t now) {
    char ip[INET6_ADDRSTRLEN] = "";
    uint16_t port = 0;
    if (from->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)from;
        if (inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip) == NULL) {
            return;
        }
        port = ntohs(sin->sin_port);
    } else {
        return; /* our socket is IPv4 */
    }
    sippnp_error *err = NULL;
    sippnp_result rc = sippnp_engine_handle_datagram(engine, data, len, ip, strlen(ip), port, now, &err);
    if (rc == SIPPNP_ERR_SIP_EMPTY) {
        printf("ignored a keep-alive from %s:%u\n", ip, (unsigned)port);
        sippnp_error_free(err);
    } else if (rc != SIPPNP_OK) {
        printf("ignored a datagram from %s:%u: %s (%s)\n", ip, (unsigned)port, sippnp_result_str(rc),
               str_or(sippnp_error_message(err), "no details"));
        sippnp_error_free(err);
    }
}

/* Builds the configuration (only read by sippnp_engine_new) and the engine. On failure
 * returns false; whatever was built is left in *cfg / *engine for the caller to free. */
static bool setup(uint16_t port, unsigned long t1_ms, sippnp_ctx_config **cfg, sippnp_engine **engine) {
    sippnp_result rc;
    struct inventory *inv = calloc(1, sizeof *inv);
    if (inv == NULL) {
        fprintf(stderr, "engine_module: out of memory\n");
        return false;
    }
    if ((rc = sippnp_ctx_config_new(cfg)) != SIPPNP_OK ||
        (rc = sippnp_ctx_config_set_lookup(*cfg, lookup_phone, inv, inventory_free)) != SIPPNP_OK) {
        free(inv); /* the library did not take it */
        report_error("creating the configuration", rc, NULL);
        return false;
    }
    /* From here on the library owns `inv`: inventory_free() runs once the configuration and
     * the engine, which shares the lookup, are both freed. */
    const char *ip = LISTEN_IP, *url = URL_TEMPLATE, *ua = "engine_module/1";
    if ((rc = sippnp_ctx_config_set_server(*cfg, ip, strlen(ip), port)) != SIPPNP_OK ||
        (rc = sippnp_ctx_config_set_url_template(*cfg, url, strlen(url))) != SIPPNP_OK ||
        (rc = sippnp_ctx_config_set_user_agent(*cfg, ua, strlen(ua))) != SIPPNP_OK ||
        (rc = sippnp_ctx_config_set_unknown_policy(*cfg, SIPPNP_UNKNOWN_SILENT)) != SIPPNP_OK) {
        report_error("configuring sippnp", rc, NULL);
        return false;
    }
    /* Start from the defaults and change only the timers, keeping their RFC 3261 ratios. */
    sippnp_engine_options options = sippnp_engine_options_default();
    if (t1_ms != 0) {
        options.t1_ms = t1_ms;
        options.t2_ms = 8 * (uint64_t)t1_ms;
        options.timer_f_ms = 64 * (uint64_t)t1_ms;
        options.linger_ms = 64 * (uint64_t)t1_ms;
    }
    sippnp_error *err = NULL;
    if ((rc = sippnp_engine_new(*cfg, &options, engine, &err)) != SIPPNP_OK) {
        report_error("sippnp_engine_new", rc, err);
        return false;
    }
    printf("engine: T1 %llu ms, T2 %llu ms, Timer F %llu ms\n", (unsigned long long)options.t1_ms,
           (unsigned long long)options.t2_ms, (unsigned long long)options.timer_f_ms);
    return true;
}

/* Opens a UDP socket bound to LISTEN_IP:port. Returns -1 on failure. */
static int open_socket(uint16_t port) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, LISTEN_IP, &addr.sin_addr) != 1) {
        fprintf(stderr, "engine_module: bad address %s\n", LISTEN_IP);
        return -1;
    }
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0 || bind(sock, (const struct sockaddr *)&addr, sizeof addr) != 0) {
        fprintf(stderr, "engine_module: cannot bind %s port %u: %s\n", LISTEN_IP, (unsigned)port, strerror(errno));
        if (sock >= 0) {
            close(sock);
        }
        return -1;
    }
    return sock;
}

/* Milliseconds from `now` until `at`, for poll(): 0 when due, capped at INT_MAX. */
static int ms_until(uint64_t at, uint64_t now) {
    if (at <= now) {
        return 0;
    }
    return at - now > (uint64_t)INT_MAX ? INT_MAX : (int)(at - now);
}

/* The loop. Runs until max_events events were reported or run_ms passed (0: no limit).
 * Returns false on a socket, clock or engine error. */
static bool serve(sippnp_engine *engine, int sock, unsigned long max_events, unsigned long run_ms) {
    static uint8_t buf[65536]; /* the largest UDP payload fits */
    unsigned long events = 0;
    uint64_t start = 0, now = 0;
    if (!monotonic_ms(&start)) {
        return false;
    }
    const uint64_t deadline = start + run_ms;
    while (max_events == 0 || events < max_events) {
        if (!monotonic_ms(&now)) {
            return false;
        }
        if (run_ms != 0 && now >= deadline) {
            printf("stopped after %lu ms, %lu events\n", run_ms, events);
            return true;
        }
        /* 1. Wait for a datagram, at most until the engine's next timer (or our deadline). */
        uint64_t due = 0;
        sippnp_result rc = sippnp_engine_next_timeout(engine, &due);
        int timeout = -1; /* SIPPNP_NO_TIMER: nothing to do until a datagram comes */
        if (rc == SIPPNP_OK) {
            timeout = ms_until(due, now);
        } else if (rc != SIPPNP_NO_TIMER) {
            report_error("sippnp_engine_next_timeout", rc, NULL);
            return false;
        }
        if (run_ms != 0) {
            int left = ms_until(deadline, now);
            timeout = timeout < 0 || left < timeout ? left : timeout;
        }
        struct pollfd pfd = {.fd = sock, .events = POLLIN};
        int ready = poll(&pfd, 1, timeout);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "engine_module: poll: %s\n", strerror(errno));
            return false;
        }
        if (!monotonic_ms(&now)) {
            return false;
        }
        /* 2. A datagram, if one came. */
        if (ready > 0 && (pfd.revents & (POLLIN | POLLERR)) != 0) {
            struct sockaddr_storage from;
            socklen_t from_len = sizeof from;
            ssize_t n = recvfrom(sock, buf, sizeof buf, 0, (struct sockaddr *)&from, &from_len);
            if (n < 0) {
                /* ECONNREFUSED: an earlier sendto hit a closed port (ICMP); not fatal. */
                if (errno != EINTR && errno != ECONNREFUSED) {
                    fprintf(stderr, "engine_module: recvfrom: %s\n", strerror(errno));
                    return false;
                }
            } else {
                handle_datagram(engine, buf, (size_t)n, &from, now);
            }
        }
        /* 2. The timers, once due (asking again: the datagram may have changed them). */
        rc = sippnp_engine_next_timeout(engine, &due);
        if (rc == SIPPNP_OK && due <= now) {
            if ((rc = sippnp_engine_handle_timeout(engine, now)) != SIPPNP_OK) {
                report_error("sippnp_engine_handle_timeout", rc, NULL);
                return false;
            }
        } else if (rc != SIPPNP_OK && rc != SIPPNP_NO_TIMER) {
            report_error("sippnp_engine_next_timeout", rc, NULL);
            return false;
        }
        /* 3. and 4. Send, then report. */
        if (!drain_transmits(engine, sock) || !drain_events(engine, &events)) {
            return false;
        }
    }
    printf("stopped after %lu events\n", events);
    return true;
}

/* Prints the engine's counters once it has stopped. */
static bool print_stats(const sippnp_engine *engine) {
    sippnp_engine_counters c;
    sippnp_result rc = sippnp_engine_stats(engine, &c);
    if (rc != SIPPNP_OK) {
        report_error("sippnp_engine_stats", rc, NULL);
        return false;
    }
    printf("stats: exchanges=%llu notifies_sent=%llu notify_retransmissions=%llu notifies_acked=%llu "
           "notifies_failed=%llu retransmissions_absorbed=%llu stray_responses=%llu\n",
           (unsigned long long)c.exchanges, (unsigned long long)c.notifies_sent,
           (unsigned long long)c.notify_retransmissions, (unsigned long long)c.notifies_acked,
           (unsigned long long)c.notifies_failed, (unsigned long long)c.retransmissions_absorbed,
           (unsigned long long)c.stray_responses);
    return true;
}

/* Parses a decimal number in [min, max]; returns 0 on success. */
static int parse_number(const char *text, unsigned long min, unsigned long max, unsigned long *out) {
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    unsigned long port = 0, max_events = 0, run_ms = 0, t1_ms = 0; /* 0: no limit, default T1 */
    if (argc < 2 || argc > 5 || parse_number(argv[1], 1, 65535, &port) != 0 ||
        (argc > 2 && parse_number(argv[2], 0, 1000000000UL, &max_events) != 0) ||
        (argc > 3 && parse_number(argv[3], 0, 1000000000UL, &run_ms) != 0) ||
        (argc > 4 && parse_number(argv[4], 1, 60000, &t1_ms) != 0)) {
        fprintf(stderr, "usage: %s LISTEN_PORT [MAX_EVENTS [RUN_MS [T1_MS]]]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* one event per line, visible at once through a pipe */

    /* Decline to run against a library of another ABI generation than our header. */
    if (sippnp_abi_version() != SIPPNP_ABI_VERSION) {
        fprintf(stderr, "engine_module: libsippnp ABI %u, header ABI %u\n", (unsigned)sippnp_abi_version(),
                (unsigned)SIPPNP_ABI_VERSION);
        return 1;
    }

    bool ok = false;
    int sock = -1;
    sippnp_ctx_config *cfg = NULL;
    sippnp_engine *engine = NULL;
    if (setup((uint16_t)port, t1_ms, &cfg, &engine)) {
        /* The engine copied what it needs: the configuration may go now. The lookup's
         * userdata stays with the engine. */
        sippnp_ctx_config_free(cfg);
        cfg = NULL;
        if ((sock = open_socket((uint16_t)port)) >= 0) {
            printf("listening on %s:%lu (libsippnp %s)\n", LISTEN_IP, port, sippnp_version());
            ok = serve(engine, sock, max_events, run_ms) && print_stats(engine);
        }
    }

    if (sock >= 0) {
        close(sock);
    }
    sippnp_ctx_config_free(cfg); /* NULL is fine for every _free */
    sippnp_engine_free(engine);  /* the last holder of the lookup: inventory_free() runs here */
    return ok ? 0 : 1;
}
