#!/usr/bin/env bash
# build-peers.sh [--refresh] [openssl] [gnutls]   (no name: both)
# Builds the kTLS peers the VM rows test against (docs/vm-harness.md §11): Debian bookworm's own
# OpenSSL and GnuTLS source packages, configured with kernel TLS switched on (Debian builds both
# without it), statically linked against their own library so the binaries run without
# LD_LIBRARY_PATH, into
#   ${KTLS_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktls-lab}/peers/<package>-<version>-<hash>/
# where <hash> is this script's SHA-256 (12 hex digits). A finished entry has a .done marker and
# is reused, without touching apt, for as long as this script is unchanged; --refresh resolves the
# newest source version again (a new Debian upload gets a new entry). The cache lives outside the
# clone so a clean clone (CI) reuses it. It then points <repo>/.cache/ktls-peers/{openssl,gnutls}
# at the entries (the VM guest sees the host's / at the same paths) and prints that folder last.
# Sources come through a private apt state with deb-src lines for the system's mirror; the
# system's sources are not touched (the same way fetch-kernel.sh reads sid).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache=${KTLS_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktls-lab}/peers
hash=$(sha256sum "$here/build-peers.sh" | cut -c1-12)
refresh=0
if [ "${1:-}" = --refresh ]; then
  refresh=1
  shift
fi
want=" ${*:-openssl gnutls} "
links=$repo/.cache/ktls-peers
log() { echo "[build-peers] $*" >&2; }
mkdir -p "$cache" "$links"
# The guest mounts a scratch /tmp over the host's (docs/vm-harness.md §1): peers cached there are
# invisible to the rows unless the project itself lives under /tmp.
case $cache in /tmp/*) case $repo in /tmp/*) ;; *) log "warning: $cache is under /tmp, which the VM does not see" ;; esac ;; esac
work=
trap 'if [ -n "$work" ]; then rm -rf "$work"; fi' EXIT

# The finished entry of a source package built by this script, if any (newest version first).
cached() {
  ls -d "$cache/$1"-*-"$hash"/.done 2>/dev/null | xargs -r -n1 dirname | sort -V | tail -1 || true
}

apt_ready=0
apt_opts=(-o APT::Sandbox::User=root -q)
setup_apt() {
  [ $apt_ready = 1 ] && return
  apt_ready=1
  local state=$cache/apt-src mirror sec
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
    sed -nE 's/^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)(https?:[^ ]*debian\/?)( .*)?$/\3/p' |
    grep -v security | head -1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  sec=${mirror%/}-security
  case $mirror in *deb.debian.org*) ;; *) sec=http://deb.debian.org/debian-security ;; esac
  cat >"$state/sources.list" <<EOF
deb-src ${mirror%/} bookworm main
deb-src ${mirror%/} bookworm-updates main
deb-src $sec bookworm-security main
EOF
  apt_opts+=(-o "Dir::Etc::SourceList=$state/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache")
  if [ $refresh = 1 ] || [ -z "$(find "$state/lists" -name '*Sources*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get "${apt_opts[@]}" update >&2
  fi
}

# Build dependencies: only what is missing, from the system's apt (as .ci/run does).
ensure_deps() {
  local need=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
  done
  ((${#need[@]})) || return 0
  log "apt-get install ${need[*]}"
  local install=(apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0)
  DEBIAN_FRONTEND=noninteractive "${install[@]}" "${need[@]}" >/dev/null ||
    { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive "${install[@]}" "${need[@]}" >/dev/null; }
}

build_openssl() { # $1 source dir, $2 prefix
  cd "$1"
  # no-shared: the openssl binary carries its own libssl/libcrypto (no rpath, no LD_LIBRARY_PATH).
  # (build_sw builds no docs; 3.0 has no no-docs option.)
  # enable-ktls: the TCP_ULP path (ssl/record/ktls.c); Debian's package leaves it out.
  ./Configure linux-x86_64 --prefix="$2" --libdir=lib --openssldir="$2/ssl" \
    enable-ktls no-shared no-tests
  if grep -q 'define OPENSSL_NO_KTLS' include/openssl/configuration.h; then
    log "openssl configured without kTLS"
    return 1
  fi
  nice -n 10 make -j2 build_sw
  make install_sw
  # OpenSSL 3.0's s_server/s_client have no -ktls switch: SSL_OP_ENABLE_KTLS comes from the
  # system_default section of the build's own openssl.cnf (its OPENSSLDIR is $2/ssl).
  mkdir -p "$2/ssl"
  printf '%s\n' 'openssl_conf = openssl_init' '[openssl_init]' 'ssl_conf = ssl_module' \
    '[ssl_module]' 'system_default = ktls' '[ktls]' 'Options = KTLS' >"$2/ssl/openssl.cnf"
}

build_gnutls() { # $1 source dir, $2 prefix
  cd "$1"
  # Debian's patches change configure.ac and gl/Makefile.am (a gnulib module the x509 fixes use),
  # so the build system is regenerated the way debian/rules does it (no gtk-doc).
  rm -f $(grep -rl gettext-0.20 m4/)
  GTKDOCIZE=true nice -n 10 autoreconf -fi
  # --disable-shared: gnutls-cli/-serv link libgnutls statically; nettle, gmp, tasn1, unistring,
  # idn2 and zlib stay the system's shared libraries, which the -dev packages match.
  nice -n 10 ./configure --prefix="$2" --enable-ktls --disable-shared --enable-static \
    --disable-doc --disable-manpages --disable-gtk-doc --disable-tests --disable-full-test-suite \
    --disable-guile --disable-nls --without-p11-kit --without-tpm --without-tpm2 \
    --disable-libdane --without-zstd --without-brotli --without-zlib --without-idn --disable-cxx \
    --without-included-unistring --with-system-priority-file="$2/etc/gnutls/config" \
    --disable-valgrind-tests --disable-dependency-tracking
  grep -q '^#define ENABLE_KTLS 1' config.h || { log "gnutls configure did not enable kTLS"; return 1; }
  # Only what the two tools need: gnulib, the library, the tools' own gnulib and option parsers.
  nice -n 10 make -j2 -C gl
  nice -n 10 make -j2 -C lib
  nice -n 10 make -j2 -C src/gl
  nice -n 10 make -j2 -C src gnutls-cli gnutls-serv
  mkdir -p "$2/bin" "$2/etc/gnutls"
  install -m 755 src/gnutls-cli src/gnutls-serv "$2/bin/"
  # GnuTLS 3.7 reads kTLS's switch from the system priority file's [global] section; the rows also
  # set GNUTLS_SYSTEM_PRIORITY_FILE to it.
  printf '[global]\nktls = true\n' >"$2/etc/gnutls/config"
}

# peer PACKAGE LINK DEPS... : makes sure a finished entry exists and links it.
peer() {
  local src=$1 link=$2 dir ver v dest t0 logf
  shift 2
  dir=$(cached "$src")
  if [ -n "$dir" ] && [ $refresh = 0 ]; then
    ln -sfn "$dir" "$links/$link"
    log "$link: $(basename "$dir") (cached)"
    return 0
  fi
  setup_apt
  # The newest source version whose files the mirror serves (a security upload's .dsc can be
  # missing from a mirror or proxy while its Sources entry is there).
  work=$(mktemp -d "$cache/.work.XXXXXX")
  ver=
  for v in $(apt-cache "${apt_opts[@]}" showsrc "$src" 2>/dev/null | awk '/^Version:/ {print $2}' | sort -Vru); do
    dest=$cache/$src-$v-$hash
    if [ -f "$dest/.done" ]; then
      rm -rf "$work"
      ln -sfn "$dest" "$links/$link"
      log "$link: $(basename "$dest") (cached)"
      return 0
    fi
    if (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "$src=$v" >/dev/null 2>&1); then
      ver=$v
      break
    fi
    log "$link: $src $v cannot be downloaded; trying an older version"
    rm -rf "${work:?}"/*
  done
  [ -n "$ver" ] || { rm -rf "$work"; log "cannot download any version of the source package $src"; return 1; }
  ensure_deps "$@"
  t0=$(date +%s)
  logf=$cache/$src-$ver-$hash.log
  log "$link: building $src $ver (log: $logf)"
  rm -rf "$dest"
  # A failed or interrupted build leaves neither .done nor a half-built entry.
  set +e
  (
    set -e
    cd "$work"
    dpkg-source --no-check -x ./*.dsc src >/dev/null
    "build_$link" "$work/src" "$dest"
    cp "$here/build-peers.sh" "$dest/build-peers.sh"
    echo "$ver" >"$dest/version"
  ) >"$logf" 2>&1
  local rc=$?
  set -e
  if [ $rc != 0 ]; then
    rm -rf "$work" "$dest"
    log "$link: build failed; last lines of $logf:"
    tail -20 "$logf" >&2
    return 1
  fi
  rm -rf "$work"
  touch "$dest/.done"
  ln -sfn "$dest" "$links/$link"
  log "$link: $src $ver built in $(($(date +%s) - t0)) s"
}

case $want in *" openssl "*) peer openssl openssl perl make gcc dpkg-dev ;; esac
case $want in *" gnutls "*)
  peer gnutls28 gnutls nettle-dev libgmp-dev libtasn1-6-dev libunistring-dev pkg-config make gcc \
    dpkg-dev autoconf automake libtool autopoint
  ;;
esac
echo "$links"
