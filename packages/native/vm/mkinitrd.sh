#!/usr/bin/env bash
# mkinitrd.sh KERNEL_DIR OUT.img: a small uncompressed initramfs with static busybox, this kernel's
# modules (KERNEL_DIR/modules, in load order) and guest-init.sh as /init. The project itself is not
# in it: the guest reads the host's / over 9p (docs/vm-harness.md §1).
set -euo pipefail
kdir=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
# busybox-static installs /bin/busybox; a dynamic one would not run in the initramfs.
bb=/bin/busybox
if [ ! -x "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
  echo "mkinitrd: no static busybox at /bin/busybox (apt-get install busybox-static)" >&2
  exit 1
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,proc,sys,dev,host,tmp,modules,etc}
cp "$bb" "$stage/bin/busybox"
cp "$here/guest-init.sh" "$stage/init"
chmod +x "$stage/init"
cp "$kdir"/modules/*.ko "$kdir/modules/order" "$stage/modules/" 2>/dev/null || true
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
