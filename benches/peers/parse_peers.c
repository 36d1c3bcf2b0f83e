/* Times the C SIP parsers sippnp is compared with on one message: libre's sip_msg_decode and
 * sofia-sip's msg_make (the SIP message class, which parses the start line and every header
 * it knows). Prints one line per peer: "peer NAME: N ns/parse (median of B batches of K)".
 * Built by benches/run.sh (gcc -O2, pkg-config libre sofia-sip-ua); either peer may be left
 * out at build time (-DNO_LIBRE, -DNO_SOFIA).
 * Usage: parse_peers FILE */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef NO_LIBRE
/* libre's headers expect the build's config defines; these are the ones they need here. */
#define HAVE_INTTYPES_H 1
#define HAVE_STDBOOL_H 1
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <re.h>
#endif
#ifndef NO_SOFIA
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_parser.h>
#endif

enum { BATCHES = 15, PER_BATCH = 20000 };

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef int (*parse_fn)(const unsigned char *data, size_t len);

static void run(const char *name, parse_fn parse, const unsigned char *data, size_t len)
{
	double per[BATCHES];
	if (parse(data, len) != 0) {
		printf("peer %s: failed to parse the message\n", name);
		return;
	}
	for (int i = 0; i < 2000; i++) /* warm-up */
		parse(data, len);
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_ns();
		for (int i = 0; i < PER_BATCH; i++)
			parse(data, len);
		per[b] = (now_ns() - t0) / PER_BATCH;
	}
	qsort(per, BATCHES, sizeof per[0], cmp);
	printf("peer %s: %.0f ns/parse (median of %d batches of %d; min %.0f, max %.0f)\n", name,
	       per[BATCHES / 2], BATCHES, PER_BATCH, per[0], per[BATCHES - 1]);
}

#ifndef NO_LIBRE
static struct mbuf *libre_mb;

/* Decodes from the start of one mbuf holding the message (the decoder keeps a reference to
 * it, as when libre's transport hands it a received datagram), then frees the message. */
static int libre_parse(const unsigned char *data, size_t len)
{
	struct sip_msg *msg = NULL;
	(void)data;
	(void)len;
	libre_mb->pos = 0;
	int err = sip_msg_decode(&msg, libre_mb);
	mem_deref(msg);
	return err;
}
#endif

#ifndef NO_SOFIA
static int sofia_parse(const unsigned char *data, size_t len)
{
	msg_t *msg = msg_make(sip_default_mclass(), 0, data, (ssize_t)len);
	if (!msg)
		return -1;
	sip_t *sip = sip_object(msg);
	int ok = sip && sip->sip_request && sip->sip_via && sip->sip_call_id && sip->sip_event;
	msg_destroy(msg);
	return ok ? 0 : -1;
}
#endif

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	static unsigned char data[65536];
	size_t len = fread(data, 1, sizeof data, f);
	fclose(f);
	printf("message: %zu bytes\n", len);
#ifndef NO_LIBRE
	libre_mb = mbuf_alloc(len);
	mbuf_write_mem(libre_mb, data, len);
	run("libre_sip_msg_decode", libre_parse, data, len);
	mem_deref(libre_mb);
#endif
#ifndef NO_SOFIA
	run("sofia_msg_make", sofia_parse, data, len);
#endif
	return 0;
}
