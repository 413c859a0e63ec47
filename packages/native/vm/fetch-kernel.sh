#!/usr/bin/env bash
# fetch-kernel.sh CHANNEL CACHE_ROOT
#   CHANNEL: bookworm  Debian 12's current generic kernel (linux-image-amd64 → 6.1.0-N-amd64)
#            sid       the newest generic kernel in Debian unstable (read with private apt lists;
#                      the system's sources are not touched)
# Resolves the versioned package through the metapackage, downloads it with apt-get, unpacks it,
# keeps only what the VM needs (the kernel image, the ELF vmlinux for a fast PVH boot, and the
# modules listed in modules.want with their dependencies, decompressed and in load order) under
# CACHE_ROOT/<version>/, and prints that directory on the last line of stdout. A finished cache
# entry (CACHE_ROOT/<version>/.done) is reused without downloading anything.
set -euo pipefail
channel=$1
cache=$(mkdir -p "$2" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
apt_opts=(-o APT::Sandbox::User=root -q)
log() { echo "[fetch-kernel] $*" >&2; }

case $channel in
bookworm)
  meta=linux-image-amd64
  if ! apt-cache show "$meta" >/dev/null 2>&1; then apt-get "${apt_opts[@]}" update >&2; fi
  pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  ;;
sid)
  # Private apt state for unstable (docs/vm-harness.md §6): same mirror the system uses.
  state=$cache/apt-sid
  mkdir -p "$state/lists/partial"
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
    sed -nE 's/^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)(https?:[^ ]*debian\/?)( .*)?$/\3/p' |
    grep -v security | head -1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "deb ${mirror%/} sid main" >"$state/sid.list"
  apt_opts+=(-o "Dir::Etc::SourceList=$state/sid.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache")
  mkdir -p "$state/cache/archives/partial"
  # Refresh the package lists at most once a day; a cached kernel is used as long as it exists.
  if [ -z "$(find "$state/lists" -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get "${apt_opts[@]}" update >&2 || log "apt-get update for sid failed; trying cached lists"
  fi
  meta=linux-image-amd64
  pkg=$(apt-cache "${apt_opts[@]}" depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  ;;
*)
  echo "unknown channel $channel" >&2
  exit 2
  ;;
esac
if [ -z "${pkg:-}" ]; then
  # Offline: fall back to the newest finished cache entry of this channel.
  found=$(ls -d "$cache"/*/.done 2>/dev/null | xargs -r -n1 dirname | while read -r d; do
    [ "$(cat "$d/channel" 2>/dev/null)" = "$channel" ] && echo "$d"; done | sort -V | tail -1)
  [ -n "$found" ] || { log "cannot resolve $meta for $channel and nothing is cached"; exit 1; }
  log "offline: using cached $(basename "$found")"
  echo "$found"
  exit 0
fi
ver=${pkg#linux-image-}
dest=$cache/$ver
# A cache entry is reused while the module list and this script it was made with are unchanged.
if [ -f "$dest/.done" ] && cmp -s "$here/modules.want" "$dest/modules.want" &&
  cmp -s "$here/fetch-kernel.sh" "$dest/fetch-kernel.sh"; then
  log "$channel: $ver (cached)"
  echo "$dest"
  exit 0
fi
log "$channel: downloading $pkg"
work=$(mktemp -d "$cache/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  # Debian 14 splits the image: the linux-image package is a stub that depends on linux-binary-*
  # (vmlinuz), linux-modules-* (modules as .ko.xz) and linux-base-* (config, modules.builtin,
  # modules.order). Without linux-base, modprobe cannot tell a built-in module from a missing one
  # (docs/vm-harness.md §6).
  pkgs=("$pkg")
  for dep in $(apt-cache "${apt_opts[@]}" depends "$pkg" 2>/dev/null |
    awk '/Depends: linux-(binary|modules|base)-[0-9]/ {print $2}'); do pkgs+=("$dep"); done
  apt-get "${apt_opts[@]}" download "${pkgs[@]}" >&2
  for d in ./*.deb; do dpkg-deb -x "$d" root; done
)
root=$work/root
# Modules live in /lib/modules (Debian 12) or /usr/lib/modules (Debian 14).
if [ -d "$root/usr/lib/modules/$ver" ] && [ ! -e "$root/lib/modules" ]; then
  mkdir -p "$root/lib" && ln -s ../usr/lib/modules "$root/lib/modules"
fi
depmod -b "$root" "$ver"
vmlinuz=
for f in "$root"/boot/vmlinuz-* "$root/usr/lib/modules/$ver/vmlinuz"; do [ -f "$f" ] && vmlinuz=$f && break; done
[ -n "$vmlinuz" ] || { log "no vmlinuz in $pkg"; exit 1; }
mkdir -p "$work/out/modules"
cp "$vmlinuz" "$work/out/vmlinuz"
cp "$root/boot/config-$ver" "$work/out/config" 2>/dev/null ||
  cp "$root/usr/lib/modules/$ver/config" "$work/out/config" 2>/dev/null || true
# The generic bzImage is XZ-compressed; decompressing it under TCG costs ~5.5 s per boot. Booting
# the ELF vmlinux through its PVH entry removes that (docs/vm-harness.md §4).
python3 "$here/extract-vmlinux.py" "$work/out/vmlinuz" "$work/out/vmlinux" >&2 || rm -f "$work/out/vmlinux"
# Module closure in load order. Each line of modules.want names one module, with the names it had
# across kernel versions (`a|b`); the first name this kernel has, as a module or built in, is used
# and written to modules/resolved (`want -> name module|builtin`). A line none of whose names
# exists fails the fetch: a module the suite needs is never skipped (docs/vm-harness.md §6).
: >"$work/out/modules/order"
: >"$work/out/modules/resolved"
unresolved=
while read -r line; do
  line=${line%%#*}
  line=$(echo "$line" | tr -d '[:space:]')
  [ -n "$line" ] || continue
  deps=
  got=
  for m in ${line//|/ }; do
    if deps=$(modprobe -d "$root" -S "$ver" --show-depends "$m" 2>/dev/null); then
      got=$m
      break
    fi
  done
  if [ -z "$got" ]; then
    unresolved="$unresolved $line"
    continue
  fi
  kind=module
  echo "$deps" | grep -q "^builtin $got\b" && kind=builtin
  echo "$line -> $got $kind" >>"$work/out/modules/resolved"
  while read -r ko; do
    [ -n "$ko" ] || continue
    name=$(basename "$ko")
    name=${name%.xz}
    name=${name%.zst}
    grep -qx "$name" "$work/out/modules/order" && continue
    case $ko in
    *.xz) xz -dc "$ko" >"$work/out/modules/$name" ;;
    *.zst) zstd -qdc "$ko" >"$work/out/modules/$name" ;;
    *) cp "$ko" "$work/out/modules/$name" ;;
    esac
    echo "$name" >>"$work/out/modules/order"
  done < <(echo "$deps" | awk '$1 == "insmod" {print $2}')
done <"$here/modules.want"
if [ -n "$unresolved" ]; then
  log "$channel: $ver has none of the names of:$unresolved (neither a module nor built in)"
  exit 1
fi
cp "$here/modules.want" "$work/out/modules.want"
cp "$here/fetch-kernel.sh" "$work/out/fetch-kernel.sh"
echo "$channel" >"$work/out/channel"
echo "$ver" >"$work/out/version"
rm -rf "$dest"
mv "$work/out" "$dest"
touch "$dest/.done"
log "$channel: $ver cached in $dest ($(wc -l <"$dest/modules/order") module files; $(grep -c ' builtin$' "$dest/modules/resolved") of the wanted built in)"
echo "$dest"
