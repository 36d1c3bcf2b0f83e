#!/usr/bin/env bash
# Runs sippnp's criterion benchmarks and, in the same run on the same machine, OpenSSL's own
# AES-256-CBC speed on a 100 KiB buffer; prints every median and the encryption ratio.
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
ns=$(awk '$2 == "encrypt/aes256cbc_md5_100KiB" { gsub(",", "", $5); print $5 }' target/bench/criterion.txt)
ours=$(awk -v ns="$ns" 'BEGIN { printf "%.0f", 102400 / ns * 1000 }')
# "AES-256-CBC  869580.80k": thousands of bytes per second.
theirs=$(openssl speed -elapsed -evp aes-256-cbc -bytes 102400 -seconds 3 2>/dev/null |
  awk 'tolower($1) == "aes-256-cbc" { sub("k$", "", $2); printf "%.0f", $2 / 1000 }')
ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')
{
  echo "AES-256-CBC encrypt, 100 KiB: sippnp ${ours} MB/s, openssl speed ${theirs} MB/s, ratio ${ratio}"
} | tee target/bench/summary.txt
