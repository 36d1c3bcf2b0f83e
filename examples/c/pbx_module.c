/*
 * pbx_module.c — how a PBX answers SIP Plug-and-Play with libsippnp.
 *
 *   usage: pbx_module LISTEN_IP LISTEN_PORT URL_TEMPLATE [MAX_DATAGRAMS]
 *   e.g.   pbx_module 127.0.0.1 5060 'http://127.0.0.1:8080/prov/{mac}/cfg{mac}.xml'
 *
 * The PBX owns the socket and the inventory; the library is sans-IO. For every datagram the
 * module calls sippnp_ctx_handle() and, when told to, sends the 200 OK and then the NOTIFY
 * that carries the provisioning URL. The library asks back which phones the PBX knows through
 * a lookup callback. A real module would listen on the PnP multicast group 224.0.1.75:5060;
 * this example binds a single address so it can run (and be tested) on loopback.
 *
 * It prints one line per event on stdout, never a packet and never a password. It stops after
 * MAX_DATAGRAMS received datagrams (default: never) and frees everything it allocated.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "sippnp.h"

/* Where phones fetch their config files later (device-wide SIPPNP_FIELD_PROVISIONING_URL).
 * A real PBX takes this from its HTTP provisioning settings. */
#define PROVISIONING_URL "http://127.0.0.1:8080/prov/"

/* The PBX's inventory: which phone (by MAC, 12 lower-case hex digits) gets which extension. */
struct phone {
    const char *mac;
    const char *user_id;
    const char *password;
    const char *display_name;
    const char *registrar;
};

static const struct phone PHONES[] = {
    {"000b82273b89", "201", "gxp-201-secret", "Reception", "127.0.0.1"},
    {"000b8270dd01", "202", "gxp-202-secret", "Warehouse", "127.0.0.1"},
    {"c074ad8a5e10", "203", "grp-203-secret", "Meeting Room", "127.0.0.1"},
};

/* The userdata handed to the library. It is heap-allocated so the finalizer has something
 * to release: the library calls inventory_free() exactly once, when the last configuration
 * or context holding the lookup is freed. */
struct inventory {
    const struct phone *phones;
    size_t count;
};

static void inventory_free(void *userdata) {
    free(userdata);
    printf("userdata_free: inventory released\n");
}

/* Sets a field of account 1 (accounts are 1-based) from a C string. */
static bool set_account(sippnp_assignment *out, uint32_t field, const char *value) {
    return sippnp_assignment_set_account(out, 1, field, value, strlen(value)) == SIPPNP_OK;
}

/* Lookup callback: runs synchronously inside sippnp_ctx_handle() and sippnp_ctx_render().
 * Everything set on `out` is copied by the library at once. */
static uint32_t lookup_phone(void *userdata, const sippnp_device *device, sippnp_assignment *out) {
    const struct inventory *inv = userdata;
    sippnp_str mac = sippnp_device_mac(device);
    if (mac.ptr == NULL) {
        return SIPPNP_LOOKUP_UNKNOWN; /* no MAC in the SUBSCRIBE: not ours to provision */
    }
    const struct phone *p = NULL;
    for (size_t i = 0; i < inv->count; i++) {
        if (strcmp(inv->phones[i].mac, mac.ptr) == 0) {
            p = &inv->phones[i];
            break;
        }
    }
    if (p == NULL) {
        return SIPPNP_LOOKUP_UNKNOWN; /* the unknown-device policy decides (here: silence) */
    }
    /* Device-wide fields first, then account 1. Vendor and model come from the SUBSCRIBE (or
     * the MAC's OUI), so they need not be set here. A failure is a bug in our data:
     * SIPPNP_LOOKUP_ERROR makes the call fail with SIPPNP_ERR_LOOKUP_FAILED instead of
     * provisioning half an account. */
    const char *url = PROVISIONING_URL;
    if (sippnp_assignment_set(out, SIPPNP_FIELD_PROVISIONING_URL, url, strlen(url)) != SIPPNP_OK ||
        !set_account(out, SIPPNP_ACCOUNT_USER_ID, p->user_id) ||
        !set_account(out, SIPPNP_ACCOUNT_PASSWORD, p->password) ||
        !set_account(out, SIPPNP_ACCOUNT_DISPLAY_NAME, p->display_name) ||
        !set_account(out, SIPPNP_ACCOUNT_REGISTRAR_HOST, p->registrar)) {
        return SIPPNP_LOOKUP_ERROR;
    }
    return SIPPNP_LOOKUP_ASSIGN;
}

/* A borrowed sippnp_str for printf: it is NUL-terminated when present. */
static const char *str_or(sippnp_str s, const char *absent) { return s.ptr != NULL ? s.ptr : absent; }

/* Formats host:port for log lines, with brackets around IPv6 literals. */
static const char *host_port(char *buf, size_t size, const char *host, unsigned port) {
    if (strchr(host, ':') != NULL) {
        snprintf(buf, size, "[%s]:%u", host, port);
    } else {
        snprintf(buf, size, "%s:%u", host, port);
    }
    return buf;
}

/* Prints a failed call's code and message, then frees the error (NULL is fine). */
static void report_error(const char *what, sippnp_result rc, sippnp_error *err) {
    sippnp_str msg = sippnp_error_message(err);
    printf("error: %s: %s (%s)\n", what, sippnp_result_str(rc), str_or(msg, "no details"));
    sippnp_error_free(err);
}

/* Sends one packet over our UDP socket. The host is an IP literal or, when the phone's
 * Contact names one, a host name, so resolve it with getaddrinfo in our socket's family. */
static void send_packet(int sock, int family, const sippnp_packet *pkt, const char *what) {
    const char *host = str_or(pkt->host, "");
    char where[300];
    host_port(where, sizeof where, host, pkt->port);
    if (strcasecmp(str_or(pkt->transport, "UDP"), "UDP") != 0) {
        printf("not sending %s to %s: this example only speaks UDP, the phone asked for %s\n", what, where,
               pkt->transport.ptr);
        return;
    }
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)pkt->port);
    struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        printf("error: cannot resolve %s for %s: %s\n", host, what, gai_strerror(gai));
        return;
    }
    if (sendto(sock, pkt->data, pkt->len, 0, res->ai_addr, res->ai_addrlen) < 0) {
        printf("error: sending %s to %s: %s\n", what, where, strerror(errno));
    } else {
        printf("sent %s to %s (%zu bytes)\n", what, where, pkt->len);
    }
    freeaddrinfo(res);
}

/* What the PBX serves when the phone fetches its URL: render it once here to show how. */
static void render_config(const sippnp_ctx *ctx, sippnp_str mac) {
    sippnp_rendered *file = NULL;
    sippnp_error *err = NULL;
    sippnp_result rc = sippnp_ctx_render(ctx, mac.ptr, mac.len, &file, &err);
    if (rc != SIPPNP_OK) {
        report_error("rendering the config", rc, err);
        return;
    }
    sippnp_bytes content = sippnp_rendered_content(file);
    printf("rendered %s (%zu bytes, %s)\n", str_or(sippnp_rendered_file_name(file), "?"), content.len,
           str_or(sippnp_rendered_content_type(file), "?"));
    sippnp_rendered_free(file);
}

/* Handles one received datagram from ip:port. */
static void handle_datagram(const sippnp_ctx *ctx, int sock, int family, const uint8_t *data, size_t len,
                            const char *ip, uint16_t port) {
    char from[INET6_ADDRSTRLEN + 8];
    host_port(from, sizeof from, ip, port);
    sippnp_answer *answer = NULL;
    sippnp_error *err = NULL;
    sippnp_result rc = sippnp_ctx_handle(ctx, data, len, ip, strlen(ip), port, &answer, &err);
    if (rc == SIPPNP_ERR_SIP_NOT_REQUEST || rc == SIPPNP_ERR_SIP_EMPTY) {
        /* The phone's 200 OK for our NOTIFY, or a CRLF keep-alive: nothing to answer. */
        printf("ignored %s from %s\n", rc == SIPPNP_ERR_SIP_EMPTY ? "a keep-alive" : "a SIP response", from);
        sippnp_error_free(err);
        return;
    }
    if (rc != SIPPNP_OK) {
        /* Not a ua-profile SUBSCRIBE, malformed, or the lookup failed: answer nothing. */
        printf("error from %s: %s (%s)\n", from, sippnp_result_str(rc),
               str_or(sippnp_error_message(err), "no details"));
        sippnp_error_free(err);
        return;
    }

    /* The device is borrowed from the answer: valid until sippnp_answer_free(). */
    const sippnp_device *device = sippnp_answer_device(answer);
    sippnp_str mac = sippnp_device_mac(device);
    printf("device %s (%s %s) from %s\n", str_or(mac, "no-mac"), str_or(sippnp_device_vendor(device), "?"),
           str_or(sippnp_device_model(device), "?"), from);

    if (sippnp_answer_action(answer) == SIPPNP_ACTION_SEND) {
        /* Order matters: the 200 OK first (to the source), then the NOTIFY (to the Contact). */
        sippnp_packet response, notify;
        if ((rc = sippnp_answer_response(answer, &response)) != SIPPNP_OK) {
            report_error("the 200 OK", rc, NULL);
        } else if ((rc = sippnp_answer_notify(answer, &notify)) != SIPPNP_OK) {
            report_error("the NOTIFY", rc, NULL);
        } else {
            send_packet(sock, family, &response, "200 OK");
            send_packet(sock, family, &notify, "NOTIFY");
            printf("provisioning URL %s\n", str_or(sippnp_answer_url(answer), "?"));
            if (mac.ptr != NULL) {
                render_config(ctx, mac);
            }
        }
    } else {
        switch (sippnp_answer_silence_reason(answer)) {
        case SIPPNP_SILENCE_UNKNOWN_DEVICE: printf("silent: unknown device\n"); break;
        case SIPPNP_SILENCE_IGNORED: printf("silent: the lookup ignores this device\n"); break;
        default: printf("silent\n"); break;
        }
    }
    sippnp_answer_free(answer);
}

/* Opens a UDP socket bound to ip:port (an IPv4 or IPv6 literal). Returns -1 on failure. */
static int open_socket(const char *ip, const char *port, int *family) {
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(ip, port, &hints, &res);
    if (gai != 0) {
        fprintf(stderr, "pbx_module: bad address %s port %s: %s\n", ip, port, gai_strerror(gai));
        return -1;
    }
    int sock = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (sock < 0 || bind(sock, res->ai_addr, res->ai_addrlen) != 0) {
        fprintf(stderr, "pbx_module: cannot bind %s port %s: %s\n", ip, port, strerror(errno));
        if (sock >= 0) {
            close(sock);
        }
        sock = -1;
    }
    *family = res->ai_family;
    freeaddrinfo(res);
    return sock;
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

/* Builds the configuration and the context. On failure returns false; whatever was built is
 * left in *cfg / *ctx for the caller to free. */
static bool setup(const char *ip, uint16_t port, const char *url_template, sippnp_ctx_config **cfg,
                  sippnp_ctx **ctx) {
    sippnp_result rc;
    struct inventory *inv = malloc(sizeof *inv);
    if (inv == NULL) {
        fprintf(stderr, "pbx_module: out of memory\n");
        return false;
    }
    inv->phones = PHONES;
    inv->count = sizeof PHONES / sizeof PHONES[0];

    if ((rc = sippnp_ctx_config_new(cfg)) != SIPPNP_OK ||
        (rc = sippnp_ctx_config_set_lookup(*cfg, lookup_phone, inv, inventory_free)) != SIPPNP_OK) {
        free(inv); /* the library did not take it */
        report_error("creating the configuration", rc, NULL);
        return false;
    }
    /* From here on the library owns `inv`: inventory_free() runs once the configuration and
     * every context built from it are freed. Our address goes into Via and Contact of what
     * we send; the URL template (expanded per phone) into the NOTIFY body. */
    const char *ua = "pbx_module/1";
    if ((rc = sippnp_ctx_config_set_server(*cfg, ip, strlen(ip), port)) != SIPPNP_OK ||
        (rc = sippnp_ctx_config_set_url_template(*cfg, url_template, strlen(url_template))) != SIPPNP_OK ||
        (rc = sippnp_ctx_config_set_user_agent(*cfg, ua, strlen(ua))) != SIPPNP_OK ||
        (rc = sippnp_ctx_config_set_unknown_policy(*cfg, SIPPNP_UNKNOWN_SILENT)) != SIPPNP_OK) {
        report_error("configuring sippnp", rc, NULL);
        return false;
    }
    /* The context is immutable, so worker threads could share it. The configuration could be
     * freed right away (the context keeps what it needs); this example frees it at the end. */
    sippnp_error *err = NULL;
    if ((rc = sippnp_ctx_new(*cfg, ctx, &err)) != SIPPNP_OK) {
        report_error("sippnp_ctx_new", rc, err);
        return false;
    }
    return true;
}

/* Receives and handles datagrams until max_datagrams (0: forever). Returns false on a
 * socket error. */
static bool serve(const sippnp_ctx *ctx, int sock, int family, unsigned long max_datagrams) {
    static uint8_t buf[65536]; /* the largest UDP payload fits */
    unsigned long received = 0;
    while (max_datagrams == 0 || received < max_datagrams) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(sock, buf, sizeof buf, 0, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "pbx_module: recvfrom: %s\n", strerror(errno));
            return false;
        }
        received++;
        /* The library wants the source as text: it goes into Via received/rport. */
        char ip[INET6_ADDRSTRLEN] = "";
        uint16_t port = 0;
        if (from.ss_family == AF_INET) {
            const struct sockaddr_in *sin = (const struct sockaddr_in *)&from;
            inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
            port = ntohs(sin->sin_port);
        } else if (from.ss_family == AF_INET6) {
            const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&from;
            inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
            port = ntohs(sin6->sin6_port);
        } else {
            continue;
        }
        handle_datagram(ctx, sock, family, buf, (size_t)n, ip, port);
    }
    printf("stopped after %lu datagrams\n", received);
    return true;
}

int main(int argc, char **argv) {
    unsigned long port = 0, max_datagrams = 0; /* 0: run forever */
    if (argc < 4 || argc > 5 || parse_number(argv[2], 1, 65535, &port) != 0 ||
        (argc == 5 && parse_number(argv[4], 1, 1000000000UL, &max_datagrams) != 0)) {
        fprintf(stderr, "usage: %s LISTEN_IP LISTEN_PORT URL_TEMPLATE [MAX_DATAGRAMS]\n", argv[0]);
        return 2;
    }
    const char *listen_ip = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0); /* one event per line, visible at once through a pipe */

    /* Decline to run against a library of another ABI generation than our header. */
    if (sippnp_abi_version() != SIPPNP_ABI_VERSION) {
        fprintf(stderr, "pbx_module: libsippnp ABI %u, header ABI %u\n", (unsigned)sippnp_abi_version(),
                (unsigned)SIPPNP_ABI_VERSION);
        return 1;
    }

    int ok = 0, sock = -1, family = AF_UNSPEC;
    sippnp_ctx_config *cfg = NULL;
    sippnp_ctx *ctx = NULL;
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%lu", port);
    if (setup(listen_ip, (uint16_t)port, argv[3], &cfg, &ctx) &&
        (sock = open_socket(listen_ip, port_text, &family)) >= 0) {
        char here[INET6_ADDRSTRLEN + 8];
        printf("listening on %s (libsippnp %s)\n", host_port(here, sizeof here, listen_ip, (unsigned)port),
               sippnp_version());
        ok = serve(ctx, sock, family, max_datagrams);
    }

    if (sock >= 0) {
        close(sock);
    }
    sippnp_ctx_free(ctx);        /* NULL is fine for every _free */
    sippnp_ctx_config_free(cfg); /* the last holder of the lookup: inventory_free() runs here */
    return ok ? 0 : 1;
}
