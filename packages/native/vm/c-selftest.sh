#!/usr/bin/env bash
# Builds the kernel's own TLS selftest binary (tools/testing/selftests/net/tls.c) of each kernel
# the harness boots, from Debian's linux-source package of that kernel line, static, so that
# `node vm/run.mjs --c-selftest` can run it in the same VMs and set its verdicts beside the port's
# (docs/vm-harness.md §10). Also records each kernel's tls.c case list in vm/tls-cases.json.
#
#   bash vm/c-selftest.sh [CACHE_ROOT]     (default <repo>/.cache)
#
# linux-source-6.1 comes from the system's apt sources (Debian 12); linux-source-7.2 from the
# private sid lists vm/fetch-kernel.sh keeps under CACHE_ROOT/kernels/apt-sid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-$here/../../../.cache}
out=$cache/c-selftest
mkdir -p "$out"
cd "$out"

sid=$cache/kernels/apt-sid
sid_opts=(-o "Dir::Etc::SourceList=$sid/sid.list" -o Dir::Etc::SourceParts=/nonexistent
  -o "Dir::State::Lists=$sid/lists" -o "Dir::Cache=$sid/cache")

for ver in 6.1 7.2; do
  if [ -x "tls-$ver" ]; then continue; fi
  opts=()
  if [ "$ver" != 6.1 ]; then opts=("${sid_opts[@]}"); fi
  ls linux-source-"$ver"_*.deb >/dev/null 2>&1 ||
    apt-get "${opts[@]}" -o APT::Sandbox::User=root download "linux-source-$ver"
  rm -rf "src-$ver" && mkdir -p "src-$ver"
  dpkg-deb --fsys-tarfile linux-source-"$ver"_*.deb |
    tar x -O --wildcards "./usr/src/linux-source-$ver.tar.*" |
    tar xJ -C "src-$ver" --strip-components=1 --wildcards \
      '*/tools/testing/selftests/net/tls.c' '*/tools/testing/selftests/kselftest*.h' \
      '*/include/uapi/linux/tls.h'
  st=src-$ver/tools/testing/selftests
  mkdir -p "inc-$ver/linux" && cp "src-$ver/include/uapi/linux/tls.h" "inc-$ver/linux/"
  cp "$st/net/tls.c" "tls-$ver.c"
  if [ "$ver" = 6.1 ]; then
    # Debian's 6.1.192 tls.c does not build as shipped: the backported rekey and no-pad cases call
    # tls_crypto_info_init with a key-generation argument the file's own helper does not take, and
    # call __test_passed, which 6.1's kselftest_harness.h lacks. Give both what 7.2's tls.c has.
    python3 "$here/c-selftest-fix61.py" "tls-$ver.c"
  fi
  gcc -static -O2 -D_GNU_SOURCE -I"$st" -I"$st/net" -I"inc-$ver" -o "tls-$ver" "tls-$ver.c" \
    -lpthread 2>"build-$ver.log" || { tail -20 "build-$ver.log"; exit 1; }
  node "$here/tls-cases.mjs" --from "$st/net/tls.c" --kernel "$ver"
done
ls -la "$out"/tls-6.1 "$out"/tls-7.2
