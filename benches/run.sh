#!/usr/bin/env bash
# Runs sippnp's criterion benchmarks and, in the same run on the same machine, OpenSSL's own
# AES-256-CBC speed on a 100 KiB buffer and the C SIP parsers (libre, sofia-sip) on the same
# SUBSCRIBE; prints every median, the encryption ratio and the parse ratios.
# The C peers need gcc and pkg-config with libre and sofia-sip-ua
# (`apt-get install -y libre-dev libsofia-sip-ua-dev pkg-config`); without them that part is
# skipped.
# Usage: bash benches/run.sh [FILTER]   (figures go to stdout and target/bench/summary.txt;
#        FILTER is a criterion name filter, e.g. `encrypt` for the encryption figures only)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "rustc: $(rustc --version)"
echo "openssl: $(openssl version)"

cargo bench --bench sippnp -- --output-format bencher "$@" 2>/dev/null | grep '^test ' | tee target/bench/criterion.txt

# bencher lines: "test GROUP/NAME ... bench:   N ns/iter (+/- M)"
: > target/bench/summary.txt
ns=$(awk '$2 == "encrypt/aes256cbc_md5_100KiB" { gsub(",", "", $5); print $5 }' target/bench/criterion.txt)
if [ -n "$ns" ]; then
  ours=$(awk -v ns="$ns" 'BEGIN { printf "%.0f", 102400 / ns * 1000 }')
  # "AES-256-CBC  869580.80k": thousands of bytes per second.
  theirs=$(openssl speed -elapsed -evp aes-256-cbc -bytes 102400 -seconds 3 2>/dev/null |
    awk 'tolower($1) == "aes-256-cbc" { sub("k$", "", $2); printf "%.0f", $2 / 1000 }')
  ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')
  {
    echo "AES-256-CBC encrypt, 100 KiB: sippnp ${ours} MB/s, openssl speed ${theirs} MB/s, ratio ${ratio}"
  } | tee -a target/bench/summary.txt
fi

# The C SIP parsers on the same message (benches/peers/parse_peers.c), next to ours and rsip.
# The host's speed drifts between minutes, so the comparison is made in rounds: each round
# times our parser (criterion, 3 s) and then the C peers, back to back, and gives one ratio;
# the summary is the median round. SIPPNP_PEER_ROUNDS sets the number of rounds (default 3).
rounds=${SIPPNP_PEER_ROUNDS:-3}
peers_line=""
if ! grep -q ' sip/parse_gxp2110 ' target/bench/criterion.txt; then
  : # the filter left the parse benchmark out: no peer comparison
elif command -v gcc >/dev/null && command -v pkg-config >/dev/null; then
  flags=()
  libs=()
  if pkg-config --exists libre; then libs+=(libre); else flags+=(-DNO_LIBRE); fi
  if pkg-config --exists sofia-sip-ua; then libs+=(sofia-sip-ua); else flags+=(-DNO_SOFIA); fi
  if [ ${#libs[@]} -gt 0 ]; then
    # shellcheck disable=SC2046
    gcc -O2 -Wall "${flags[@]}" -o target/bench/parse_peers benches/peers/parse_peers.c \
      $(pkg-config --cflags --libs "${libs[@]}")
    rsip_parse=$(awk '$2 == "sip/rsip_parse_gxp2110" { gsub(",", "", $5); print $5 }' target/bench/criterion.txt)
    : > target/bench/rounds.txt
    for round in $(seq "$rounds"); do
      ours=$(cargo bench --bench sippnp -- --output-format bencher --warm-up-time 1 --measurement-time 3 \
        'sip/parse_gxp2110$' 2>/dev/null | awk '$2 == "sip/parse_gxp2110" { gsub(",", "", $5); print $5 }')
      target/bench/parse_peers tests/fixtures/seeds/gxp2110.sip > target/bench/peers.txt
      line="round ${round}: sippnp ${ours} ns"
      while read -r _ name ns _; do
        name=${name%:}
        line+=", ${name} ${ns} (×$(awk -v a="$ns" -v b="$ours" 'BEGIN { printf "%.1f", a / b }'))"
      done < <(grep '^peer ' target/bench/peers.txt)
      echo "$line" | tee -a target/bench/rounds.txt
    done
    # The median round by our parser's time, with its peers.
    median=$(sort -t' ' -k4 -n target/bench/rounds.txt | sed -n "$(( (rounds + 1) / 2 ))p")
    peers_line="parse GXP2110 (ns/parse, median of ${rounds} rounds): ${median#*: }, rsip ${rsip_parse:-?}"
  else
    echo "C peers skipped: neither libre nor sofia-sip-ua is installed"
  fi
fi
if [ -n "$peers_line" ]; then
  echo "$peers_line" | tee -a target/bench/summary.txt
fi
