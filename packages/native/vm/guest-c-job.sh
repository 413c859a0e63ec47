#!/bin/sh
# Runs inside the VM instead of guest-job.sh with `node vm/run.mjs --c-selftest`: the kernel's own
# tls.c binary of this kernel line (built by vm/c-selftest.sh), its TAP output to c.tap in the
# results share (docs/vm-harness.md §10). Under TCG it takes 13–25 minutes.
set -u
case "$KTLS_KERNEL_CHANNEL" in
bookworm) bin=tls-6.1 ;;
*) bin=tls-7.2 ;;
esac
dir=$(cd ../../.cache/c-selftest && pwd)
echo "[guest] $(uname -r): $dir/$bin"
cd /tmp && "$dir/$bin" >"$HARNESS_OUT/c.tap" 2>&1
echo "# exit $?" >>"$HARNESS_OUT/c.tap"
