#!/bin/sh
# Builds the memory-management replay fuzzer (libFuzzer + AddressSanitizer) over the Core
# sources and runs it. Usage: fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#   fuzz/run.sh            # 20-second smoke run (CI)
#   fuzz/run.sh 3600 -jobs=2 -workers=2
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.build-fuzz"
seconds=${1:-20}
[ $# -gt 0 ] && shift
mkdir -p "$out/corpus"
# shellcheck disable=SC2046
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name ReplayFuzzer \
  $(find "$root/Sources/Core" -name '*.swift' | sort) \
  "$root/fuzz/ByteDecoder.swift" "$root/fuzz/ReplayFuzzer.swift" \
  -o "$out/replay-fuzzer" 2>"$out/build.log" || { grep -v 'Cannot export local symbol' "$out/build.log" >&2; exit 1; }
cd "$out"
exec ./replay-fuzzer -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 "$@" corpus
