#!/usr/bin/env bash
# Writes the seed corpora into fuzz/seeds/<target>/ (small, committed; the fuzzer's grown
# corpus lives in fuzz/corpus/, which is ignored). Needs python3 and the openssl CLI.
# Usage: fuzz/seed.sh
set -euo pipefail
cd "$(dirname "$0")"
root=..
KEY=0123456789abcdef # the fixed key of fuzz_targets/decrypt.rs

rm -rf seeds && mkdir -p seeds/parse_subscribe seeds/engine_input seeds/render_assignment seeds/decrypt

# parse_subscribe: the test fixtures as they are.
for f in "$root"/tests/fixtures/seeds/*.sip "$root"/tests/fixtures/variants/*.sip; do
  cp "$f" "seeds/parse_subscribe/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# engine_input and render_assignment: encoded sessions and assignments (formats in the
# targets' doc comments).
python3 - "$root" <<'PY'
import glob, os, struct, sys
root = sys.argv[1]

def datagram(op, src, delta, data):
    return bytes([op, src]) + struct.pack("<HH", delta, len(data)) + data

def rec(op, src, delta):
    return bytes([op, src]) + struct.pack("<H", delta)

sips = sorted(glob.glob(os.path.join(root, "tests/fixtures/seeds/*.sip")) +
              glob.glob(os.path.join(root, "tests/fixtures/variants/*.sip")))
for i, path in enumerate(sips):
    sip = open(path, "rb").read()
    name = os.path.basename(path)[:-4]
    flags = i % 4
    # SUBSCRIBE, its retransmission, a Timer E retransmission, a 200 to the NOTIFY, linger.
    session = (bytes([flags]) + datagram(0, 1, 0, sip) + datagram(0, 1, 100, sip) + rec(2, 0, 600)
               + rec(3, 2, 10) + rec(2, 0, 40000))
    open(f"seeds/engine_input/{name}", "wb").write(session)
# Unanswered NOTIFY until Timer F, and a rejected one, with the tiny config.
gxp = open(os.path.join(root, "tests/fixtures/seeds/gxp2110.sip"), "rb").read()
open("seeds/engine_input/timeout", "wb").write(
    bytes([1]) + datagram(0, 3, 0, gxp) + b"".join(rec(2, 0, 60) for _ in range(20)))
open("seeds/engine_input/rejected", "wb").write(
    bytes([3]) + datagram(0, 3, 0, gxp) + rec(3, 6, 5) + rec(6, 0, 5) + rec(2, 0, 2000))

DEVICE, ACCOUNT, KEY, OVERRIDE = 0, 1, 2, 3
# Field positions in their scope's table order (fields::all(), ids ascending).
def f(scope, field, index, text):
    t = text.encode()
    return bytes([scope, field, index, len(t)]) + t

account = (f(ACCOUNT, 0, 0, "Line 1") + f(ACCOUNT, 2, 0, "101") + f(ACCOUNT, 4, 0, "s3cret&<pw>")
           + f(ACCOUNT, 5, 0, "pbx.example.com") + f(ACCOUNT, 7, 0, "5060") + f(ACCOUNT, 8, 0, "udp")
           + f(ACCOUNT, 14, 0, "PCMA,G722,opus"))
device = (f(DEVICE, 2, 0, "https://prov.example.com/p/") + f(DEVICE, 3, 0, "pool.ntp.org,192.0.2.1")
          + f(DEVICE, 4, 0, "Europe/Berlin") + f(DEVICE, 5, 0, "adm\"in") + f(DEVICE, 9, 0, "de"))
keys = f(KEY, 0, 0, "programmable") + f(KEY, 2, 0, "blf") + f(KEY, 4, 0, "102") + f(KEY, 5, 0, "Bob")
seeds = {
    "account": bytes([0x00]) + account,
    "device-shared-yealink": bytes([0x63]) + device,
    "full": bytes([0x21]) + device + account + keys,
    "override": bytes([0x10]) + account + f(OVERRIDE, 0, 0, "P8=1") + f(OVERRIDE, 0, 0, "x.y=\r\nevil=1"),
    "crlf-label": bytes([0x00]) + f(ACCOUNT, 0, 0, "a\r\nP2=x") + account,
    "empty": bytes([0x00]),
}
for name, data in seeds.items():
    open(f"seeds/render_assignment/{name}", "wb").write(data)
PY

# decrypt: small files encrypted with the fixed key by the openssl CLI, in each cipher's
# format, and a few non-ciphertexts.
plain=seeds/decrypt/plain.xml
printf '<?xml version="1.0" encoding="UTF-8"?>\n<gs_provision><config><P271>1</P271></config></gs_provision>\n' >"$plain"
openssl enc -e -aes-256-cbc -md md5 -salt -pass "pass:$KEY" -in "$plain" -out seeds/decrypt/grandstream-md5 2>/dev/null
openssl enc -e -aes-256-cbc -md sha256 -salt -pass "pass:$KEY" -in "$plain" -out seeds/decrypt/grandstream-sha256 2>/dev/null
openssl enc -e -aes-128-cbc -md md5 -salt -a -pass "pass:$KEY" -in "$plain" -out seeds/decrypt/panasonic 2>/dev/null
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d + b" " * (-len(d) % 16))' "$plain" \
  | openssl enc -e -aes-128-ecb -nopad -K "$(printf %s "$KEY" | od -An -tx1 | tr -d ' \n')" -out seeds/decrypt/yealink
printf 'Salted__' >seeds/decrypt/magic-only
printf '' >seeds/decrypt/empty
for d in seeds/*/; do printf '%s: %s files\n' "$d" "$(ls "$d" | wc -l)"; done
