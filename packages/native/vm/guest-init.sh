#!/bin/busybox sh
# /init of the test VM. The kernel command line passes hjob= (job script, host path), hwd= (its
# working directory), hout= (results folder, a rw 9p share mounted at the same path) and hchan=.
# The job's output goes to ttyS0 with the kernel console; ttyS1 carries only harness lines
# (HARNESS_*), so printk can never interleave with them (docs/vm-harness.md §3). No network: only
# lo.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo >/dev/ttyS0
up() { cut -d' ' -f1 /proc/uptime; }
echo "HARNESS_INIT uptime=$(up)" >/dev/ttyS1
# Every module in the order file must load: a failure is reported on the harness UART (the host
# counts it as a failed run) and handed to the job, whose `harness.modules_loaded` row fails
# (docs/vm-harness.md §3, §6).
insmod_failed=
while read -r m; do
  if ! out=$(insmod "/modules/$m" 2>&1); then
    echo "[init] insmod $m failed: $out" >/dev/ttyS0
    echo "HARNESS_INSMOD_FAILED $m $out" >/dev/ttyS1
    insmod_failed="$insmod_failed $m"
  fi
done </modules/order
ip link set lo up
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host || {
  echo "HARNESS_ERROR no 9p root" >/dev/ttyS1
  echo "HARNESS_EXIT=124" >/dev/ttyS1
  poweroff -f
}
for d in proc sys dev; do mount --bind /$d /host/$d; done
mount -t tmpfs tmpfs /host/run
# A scratch /tmp, unless the project itself lives under /tmp (a CI clone may): hiding it would
# hide the job. TMPDIR points at /run either way.
case "$hwd" in
  /tmp/*) ;;
  *) mount -t tmpfs tmpfs /host/tmp ;;
esac
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 hout "/host$hout"
echo "HARNESS_READY uptime=$(up) kernel=$(uname -r)" >/dev/ttyS1
chroot /host /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/run TMPDIR=/run \
  HARNESS_OUT="$hout" KTLS_KERNEL_CHANNEL="$hchan" KTLS_BENCH="$hbench" KTLS_IN_VM=1 \
  KTLS_TEST_FILTER="${hfilter:-}" CI="${hci:-}" KTLS_INSMOD_FAILED="$insmod_failed" KTLS_MODULES_WANTED="$(wc -l </modules/order)" \
  /bin/sh -c "cd '$hwd' && exec sh '$hjob'" >/dev/ttyS0 2>&1
rc=$?
echo "HARNESS_DONE uptime=$(up)" >/dev/ttyS1
sync
echo "HARNESS_EXIT=$rc" >/dev/ttyS1
sync
poweroff -f
