#!/bin/sh
# Runs inside the VM (chrooted into the host's / over 9p), in packages/native. One Node process
# runs the whole kernel suite (docs/vm-harness.md §5: ~1 s per extra node process under TCG).
set -u
echo "[guest] $(uname -r): modules $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
node dist-vm/test/kernel/main.js --out "$HARNESS_OUT/results.json" --bench="${KTLS_BENCH:-0}"
