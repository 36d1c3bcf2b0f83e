/*
 * libre_parse.c — reads SIP messages with libre's parser (sip_msg_decode, an independent
 * implementation) and prints what it understood, so tests/independent_parsers.rs can compare it
 * with what sippnp meant to write.
 *
 *   usage: libre_parse FILE...
 *
 * Output as sofia_parse.c: per FILE a block `file=`, `start=`, `call-id=`, `from-tag=`,
 * `to-tag=`, `cseq=<number> <method>`, `content-length=`, `body=`, `end`, or `error FILE <why>`
 * when libre refuses the message or misses one of those headers. Exits 1 if any file failed,
 * 2 on usage errors.
 */
/* libre's headers expect what its own build defines: <inttypes.h> and the BSD/POSIX types. */
#define _DEFAULT_SOURCE
#define HAVE_INTTYPES_H 1

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <re.h>

/* Prints a `struct pl` (not NUL-terminated). */
static void put_pl(const struct pl *pl) {
    if (pl->p != NULL && pl->l > 0) {
        fwrite(pl->p, 1, pl->l, stdout);
    }
}

static int parse(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        printf("error %s cannot read the file\n", path);
        return 1;
    }
    struct mbuf *mb = mbuf_alloc(4096);
    uint8_t chunk[4096];
    size_t n;
    int err = mb == NULL ? ENOMEM : 0;
    while (err == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        err = mbuf_write_mem(mb, chunk, n);
    }
    fclose(f);
    if (err != 0) {
        printf("error %s cannot buffer the file (%d)\n", path, err);
        mem_deref(mb);
        return 1;
    }
    mb->pos = 0;
    struct sip_msg *msg = NULL;
    err = sip_msg_decode(&msg, mb);
    mem_deref(mb); /* the message holds its own reference */
    if (err != 0 || msg == NULL) {
        printf("error %s sip_msg_decode failed (%d)\n", path, err);
        return 1;
    }
    int failed = 0;
    if (!pl_isset(&msg->callid) || !pl_isset(&msg->cseq.met) || !pl_isset(&msg->clen)) {
        printf("error %s a header is missing\n", path);
        failed = 1;
    } else {
        printf("file=%s\nstart=", path);
        if (msg->req) {
            put_pl(&msg->met);
        } else {
            printf("%u", (unsigned)msg->scode);
        }
        printf("\ncall-id=");
        put_pl(&msg->callid);
        printf("\nfrom-tag=");
        put_pl(&msg->from.tag);
        printf("\nto-tag=");
        put_pl(&msg->to.tag);
        printf("\ncseq=%u ", (unsigned)msg->cseq.num);
        put_pl(&msg->cseq.met);
        printf("\ncontent-length=%u\nbody=", (unsigned)pl_u32(&msg->clen));
        if (mbuf_get_left(msg->mb) > 0) {
            fwrite(mbuf_buf(msg->mb), 1, mbuf_get_left(msg->mb), stdout);
        }
        printf("\nend\n");
    }
    mem_deref(msg);
    return failed;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        failed |= parse(argv[i]);
    }
    return failed;
}
