/*
 * sofia_parse.c — reads SIP messages with sofia-sip's parser (an independent implementation) and
 * prints what it understood, so tests/independent_parsers.rs can compare it with what sippnp
 * meant to write.
 *
 *   usage: sofia_parse FILE...
 *
 * Each FILE holds one complete SIP message (a 200 OK or a NOTIFY written by sippnp). For each it
 * prints a block
 *
 *   file=FILE
 *   start=<status code, or the method of a request>
 *   call-id=… / from-tag=… / to-tag=… / cseq=<number> <method>
 *   content-length=<n>
 *   body=<the payload, as is>
 *   end
 *
 * or `error FILE <why>` when sofia-sip refuses the message, reports an erroneous header or misses
 * one of those headers. Exits 1 if any file failed, 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

/* The whole file; NULL on error. */
static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            break;
        }
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static const char *or_empty(const char *s) { return s != NULL ? s : ""; }

/* Parses one message; returns 0 when it read cleanly and had every header we print. */
static int parse(const char *path) {
    size_t len = 0;
    char *data = slurp(path, &len);
    if (data == NULL) {
        printf("error %s cannot read the file\n", path);
        return 1;
    }
    msg_t *msg = msg_make(sip_default_mclass(), 0, data, (ssize_t)len);
    free(data);
    if (msg == NULL) {
        printf("error %s msg_make refused the message\n", path);
        return 1;
    }
    int failed = 0;
    sip_t *sip = sip_object(msg);
    if (sip == NULL) {
        printf("error %s no sip_t\n", path);
        failed = 1;
    } else if (msg_has_error(msg) || sip->sip_error != NULL) {
        printf("error %s erroneous header: %s\n", path,
               sip->sip_error != NULL ? or_empty(sip->sip_error->er_name) : "(msg_has_error)");
        failed = 1;
    } else if (sip->sip_call_id == NULL || sip->sip_from == NULL || sip->sip_to == NULL || sip->sip_cseq == NULL ||
               sip->sip_content_length == NULL || (sip->sip_request == NULL && sip->sip_status == NULL)) {
        printf("error %s a header is missing\n", path);
        failed = 1;
    } else {
        printf("file=%s\n", path);
        if (sip->sip_request != NULL) {
            printf("start=%s\n", or_empty(sip->sip_request->rq_method_name));
        } else {
            printf("start=%d\n", sip->sip_status->st_status);
        }
        printf("call-id=%s\n", or_empty(sip->sip_call_id->i_id));
        printf("from-tag=%s\n", or_empty(sip->sip_from->a_tag));
        printf("to-tag=%s\n", or_empty(sip->sip_to->a_tag));
        printf("cseq=%lu %s\n", (unsigned long)sip->sip_cseq->cs_seq, or_empty(sip->sip_cseq->cs_method_name));
        printf("content-length=%lu\n", (unsigned long)sip->sip_content_length->l_length);
        printf("body=");
        if (sip->sip_payload != NULL) {
            fwrite(sip->sip_payload->pl_data, 1, sip->sip_payload->pl_len, stdout);
        }
        printf("\nend\n");
    }
    msg_destroy(msg);
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
