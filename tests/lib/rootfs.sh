# shellcheck shell=bash
# tests/lib/rootfs.sh — build and cache root filesystems for the e2e tests and benchmarks
# (sourced, never executed).
#
# Kinds:
#   debian-base      debootstrap --variant=minbase bookworm (+procps); shared first stage
#   debian-sysvinit  debian-base + sysvinit-core (stock /etc/inittab, /sbin/init = sysvinit)
#   debian-openrc    debian-base + sysvinit-core + openrc (/sbin/openrc-init present)
#   debian-units     debian-base + nginx redis-server cron, no init system at all: the units
#                    and the .wants links their packaging made (deb-systemd-helper)
#   debian-daemons   debian-base + postgresql rsyslog exim4-daemon-light, no init system: real
#                    daemons whose packages need a generator (postgresql@15-main), syslog.socket
#                    (rsyslog) or ship only an /etc/init.d script (exim4)
#   gentoo-openrc    a Gentoo-like image: debian-base + sysvinit-core's init tools (not Debian's
#                    openrc) + OpenRC 0.63 built from the pinned tests/fixtures/upstream tarball in a
#                    throw-away build chroot, Gentoo's /etc/inittab, OpenRC's own runlevels, and the
#                    Gentoo init.d/conf.d corpus (tests/fixtures/gentoo-openrc) with real Debian
#                    daemons or stand-ins behind each script (tests/e2e/fixtures/gentoo/README.md)
#   busybox          busybox-static (host's /bin/busybox) with its applet symlinks
#
# API (paths are printed on stdout, progress goes to stderr):
#   rootfs_path KIND      the cached tree, built on first use
#   rootfs_tarball KIND   an uncompressed tarball of the tree (for `docker import`)
#   rootfs_hash KIND      the recipe hash (part of the cache key)
#   rootfs_merged_usr DIR true if DIR/sbin is a symlink (put files under usr/sbin then)
#
# Cache: ${CTINIT_CACHE:-/var/cache/ctinit-test}/rootfs/KIND-HASH{,.tar}, where HASH covers the
# source of the functions in this file that build KIND (and its parent stage), the kind, suite,
# architecture, package list, the busybox binary (busybox kind) and $CTINIT_ROOTFS_EPOCH (bump it
# to force a rebuild, e.g. to pick up Debian point releases).
# Builds run under one flock, in a temporary directory on the same filesystem, and are renamed
# into place when complete, so concurrent callers either wait or reuse the finished tree.
# Downloaded .debs are kept in CACHE/debs (debootstrap --cache-dir and apt's archive dir), so a
# rebuild after a recipe change does not download again.
# Mirror: $CTINIT_DEBIAN_MIRROR, else the Debian archive this machine's own apt uses (the first
# URIs: of /etc/apt/sources.list.d/*.sources, or the first `deb` line of sources.list), so local
# mirrors and proxies work; not part of the key.

[[ -n "${CT_ROOTFS_SH_LOADED:-}" ]] && return 0
CT_ROOTFS_SH_LOADED=1

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CTINIT_CACHE=${CTINIT_CACHE:-/var/cache/ctinit-test}
CT_DEBIAN_SUITE=bookworm
# The main archive of the machine's apt configuration (not its -security suite).
_rootfs_apt_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
    [[ -n $uri ]] && { echo "${uri%/}"; return 0; }
  done
  if [[ -r /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { if ($i !~ /security/) { print $i; exit } ; break } }' \
      /etc/apt/sources.list)
    [[ -n $uri ]] && { echo "${uri%/}"; return 0; }
  fi
  return 1
}
CT_DEBIAN_MIRROR=${CTINIT_DEBIAN_MIRROR:-$(_rootfs_apt_mirror || true)}
if [[ -z $CT_DEBIAN_MIRROR ]]; then
  echo "rootfs.sh: no Debian archive in this machine's apt configuration; set CTINIT_DEBIAN_MIRROR" >&2
fi
CT_ROOTFS_LOCK_TIMEOUT=${CT_ROOTFS_LOCK_TIMEOUT:-1800}

rootfs_hash() {
  local kind=$1
  _rootfs_recipe "$kind" | sha256sum | cut -c1-16
}

# The recipe of KIND: the bash source of the functions that build it (so editing an unrelated
# part of this file, or docker.sh, does not invalidate the cache), the parent stage's recipe,
# and the inputs.
_rootfs_recipe() {
  local kind=$1
  printf 'kind=%s epoch=%s\n' "$kind" "${CTINIT_ROOTFS_EPOCH:-}"
  case "$kind" in
    debian-base)
      printf 'suite=%s arch=%s\n' "$CT_DEBIAN_SUITE" "$(_rootfs_arch)"
      declare -f _rootfs_build_debian_base _rootfs_chroot
      ;;
    debian-sysvinit | debian-openrc | debian-units | debian-daemons)
      _rootfs_recipe debian-base
      declare -f _rootfs_build_debian_variant _rootfs_variant_packages _rootfs_verify
      _rootfs_variant_packages "$kind"
      ;;
    gentoo-openrc)
      _rootfs_recipe debian-base
      declare -f _rootfs_build_debian_variant _rootfs_build_gentoo_openrc _rootfs_gentoo_build_openrc \
        _rootfs_gentoo_install_files _rootfs_verify _rootfs_gentoo_inputs
      _rootfs_variant_packages "$kind"
      _rootfs_gentoo_inputs | sha256sum
      ;;
    busybox)
      sha256sum <"$(_rootfs_busybox_bin)"
      declare -f _rootfs_build_busybox _rootfs_verify
      ;;
    *) ct_die "rootfs: unknown kind '$kind'" ;;
  esac
}

_rootfs_variant_packages() {
  case "$1" in
    debian-sysvinit) echo sysvinit-core ;;
    debian-openrc) echo sysvinit-core openrc ;;
    debian-units) echo nginx redis-server cron ;;
    debian-daemons) echo postgresql rsyslog exim4-daemon-light ;;
    # The daemons of the Gentoo corpus that Debian 12 packages and that run with their Debian
    # config (+ the few edits _rootfs_gentoo_install_files makes); the others are stand-ins.
    gentoo-openrc)
      echo sysvinit-core nginx redis-server memcached haproxy openssh-server rsyslog dnsmasq-base
      echo unbound dns-root-data chrony iproute2
      ;;
  esac
}

rootfs_merged_usr() { [[ -L "$1/sbin" ]]; }

# Skip (exit 77; fail under CI=true) unless KIND can be built or is already cached here.
rootfs_require() {
  local kind=$1
  ct_require_root
  ct_require_cmd flock sha256sum tar
  case "$kind" in
    debian-*)
      [[ -d "$CTINIT_CACHE/rootfs/$kind-$(rootfs_hash "$kind")" ]] ||
        ct_require_cmd debootstrap unshare chroot dpkg
      ;;
    gentoo-openrc)
      _rootfs_gentoo_upstream >/dev/null && _rootfs_gentoo_corpus >/dev/null
      [[ -d "$CTINIT_CACHE/rootfs/$kind-$(rootfs_hash "$kind")" ]] ||
        ct_require_cmd debootstrap unshare chroot dpkg
      ;;
    busybox) _rootfs_busybox_bin >/dev/null ;;
    *) ct_die "rootfs: unknown kind '$kind'" ;;
  esac
}

rootfs_path() {
  local kind=$1 hash dir
  hash=$(rootfs_hash "$kind") || return 1
  dir="$CTINIT_CACHE/rootfs/$kind-$hash"
  if [[ ! -d "$dir" ]]; then
    _rootfs_locked _rootfs_build_if_missing "$kind" "$dir" || return 1
  fi
  touch "$dir.used" 2>/dev/null || true
  printf '%s\n' "$dir"
}

rootfs_tarball() {
  local kind=$1 dir tar
  dir=$(rootfs_path "$kind") || return 1
  tar="$dir.tar"
  if [[ ! -f "$tar" ]]; then
    _rootfs_locked _rootfs_tar_if_missing "$dir" "$tar" || return 1
  fi
  printf '%s\n' "$tar"
}

# ---------------------------------------------------------------------------------------------

_rootfs_arch() { dpkg --print-architecture 2>/dev/null || uname -m; }

_rootfs_busybox_bin() {
  local b
  for b in "${CTINIT_BUSYBOX:-}" /bin/busybox /usr/bin/busybox; do
    [[ -n "$b" && -x "$b" ]] || continue
    # Only a static busybox works in a tree without a libc.
    if command -v file >/dev/null; then
      file -L "$b" | grep -q 'statically linked' || continue
    elif [[ -z "${CTINIT_BUSYBOX:-}" ]]; then
      dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || continue
    fi
    printf '%s\n' "$b"
    return 0
  done
  ct_skip "a static busybox is needed (apt-get install busybox-static)"
}

# Run "$@" with the cache build lock held (exclusive, bounded wait).
_rootfs_locked() {
  mkdir -p "$CTINIT_CACHE/rootfs" "$CTINIT_CACHE/tmp" "$CTINIT_CACHE/debs/archives/partial"
  (
    exec 8>"$CTINIT_CACHE/rootfs/.build.lock"
    if ! flock -w "$CT_ROOTFS_LOCK_TIMEOUT" 8; then
      ct_die "rootfs: could not take $CTINIT_CACHE/rootfs/.build.lock within ${CT_ROOTFS_LOCK_TIMEOUT}s"
    fi
    "$@"
  )
}

_rootfs_tar_if_missing() {
  local dir=$1 tar=$2 tmp
  [[ -f "$tar" ]] && return 0
  ct_log "rootfs: packing $(basename "$dir").tar"
  tmp=$(mktemp "$CTINIT_CACHE/tmp/tar.XXXXXX")
  # numeric owners: the tree's uids are the image's, not the host's names
  if ! tar --numeric-owner --xattrs -C "$dir" -cf "$tmp" .; then
    rm -f "$tmp"
    ct_die "rootfs: tar of $dir failed"
  fi
  chmod 0644 "$tmp"
  mv -f "$tmp" "$tar"
}

_rootfs_build_if_missing() {
  local kind=$1 dir=$2 tmp t0
  [[ -d "$dir" ]] && return 0
  t0=$(ct_now)
  tmp=$(mktemp -d "$CTINIT_CACHE/tmp/$kind.XXXXXX")
  ct_log "rootfs: building $kind into $tmp"
  # Build in a subshell so a failure (set -e) removes the partial tree and leaves no cache entry.
  if ! (
    set -euo pipefail
    trap '_rootfs_rm_tree "$tmp"' EXIT
    chmod 0755 "$tmp"
    case "$kind" in
      debian-base) _rootfs_build_debian_base "$tmp" ;;
      debian-sysvinit | debian-openrc | debian-units | debian-daemons)
        # shellcheck disable=SC2046
        _rootfs_build_debian_variant "$tmp" $(_rootfs_variant_packages "$kind")
        ;;
      gentoo-openrc) _rootfs_build_gentoo_openrc "$tmp" ;;
      busybox) _rootfs_build_busybox "$tmp" ;;
    esac
    _rootfs_verify "$kind" "$tmp"
    mv -T "$tmp" "$dir"
    trap - EXIT
  ); then
    ct_die "rootfs: building $kind failed"
  fi
  ct_log "rootfs: built $kind in $(ct_elapsed "$t0" "$(ct_now)") s -> $dir"
  _rootfs_prune "$kind" "$dir"
}

# Remove a (possibly partial) tree; never cross into a mount left inside it.
_rootfs_rm_tree() {
  local d=$1 m
  [[ -n "$d" && -d "$d" ]] || return 0
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
    awk -v p="$d/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  rm -rf --one-file-system "$d"
}

# Drop other builds of the same kind that nobody used for two days.
_rootfs_prune() {
  local kind=$1 keep=$2 old
  for old in "$CTINIT_CACHE/rootfs/$kind"-*; do
    [[ -d "$old" && "$old" != "$keep" ]] || continue
    if [[ -z $(find "$old.used" -mmin -2880 2>/dev/null) ]]; then
      ct_log "rootfs: pruning stale $old"
      _rootfs_rm_tree "$old"
      rm -f "$old.tar" "$old.used"
    fi
  done
}

# Run a command inside the tree: private mount + pid namespace (no stray daemons survive,
# mounts vanish with it), /proc mounted, the shared .deb cache as apt's archive dir.
_rootfs_chroot() {
  local root=$1
  shift
  # shellcheck disable=SC2016 # the inner script expands its own arguments
  unshare --mount --pid --fork --kill-child --propagation private -- /bin/bash -euc '
    root=$1 debs=$2; shift 2
    mount -t proc proc "$root/proc"
    mkdir -p "$root/var/cache/apt/archives"
    mount --bind "$debs" "$root/var/cache/apt/archives"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
      LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true "$@"
  ' _ "$root" "$CTINIT_CACHE/debs/archives" "$@"
}

_rootfs_build_debian_base() {
  local t=$1
  command -v debootstrap >/dev/null || ct_skip "debootstrap not installed (apt-get install debootstrap)"
  timeout 1200 debootstrap --variant=minbase --include=procps \
    --cache-dir="$CTINIT_CACHE/debs/archives" \
    "$CT_DEBIAN_SUITE" "$t" "$CT_DEBIAN_MIRROR" >"$t.debootstrap.log" 2>&1 || {
    tail -n 30 "$t.debootstrap.log" >&2
    rm -f "$t.debootstrap.log"
    return 1
  }
  rm -f "$t.debootstrap.log"
  printf 'deb %s %s main\n' "$CT_DEBIAN_MIRROR" "$CT_DEBIAN_SUITE" >"$t/etc/apt/sources.list"
}

_rootfs_build_debian_variant() {
  local t=$1 base
  shift
  base=$(rootfs_path_nolock debian-base)
  cp -a "$base/." "$t/"
  # apt needs name resolution inside the chroot; services must not start during the install
  rm -f "$t/etc/resolv.conf"
  cp -L /etc/resolv.conf "$t/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$t/usr/sbin/policy-rc.d"
  chmod 0755 "$t/usr/sbin/policy-rc.d"
  _rootfs_chroot "$t" apt-get -q update >/dev/null
  # systemd-sysv is not in minbase (priority important), so there is nothing to remove; should a
  # later suite pull it in, the purge below makes sure sysvinit's init ends up as /sbin/init.
  _rootfs_chroot "$t" apt-get -q -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    install "$@" >"$t.apt.log" 2>&1 || {
    tail -n 40 "$t.apt.log" >&2
    rm -f "$t.apt.log"
    return 1
  }
  rm -f "$t.apt.log"
  # shellcheck disable=SC2016 # dpkg-query format, not a shell expansion
  if _rootfs_chroot "$t" dpkg-query -W -f='${Status}' systemd-sysv 2>/dev/null | grep -q installed; then
    _rootfs_chroot "$t" apt-get -q -y --allow-remove-essential purge systemd-sysv >/dev/null
  fi
  rm -f "$t/usr/sbin/policy-rc.d"
  : >"$t/etc/resolv.conf"
  rm -rf "$t/var/lib/apt/lists/"* "$t/var/cache/apt/"*.bin
  # sysvinit-core's postinst creates /etc/inittab from /usr/share/sysvinit/inittab if missing.
}

# Inside a locked build: the base tree, built now if missing (the lock is already held).
rootfs_path_nolock() {
  local kind=$1 hash dir
  hash=$(rootfs_hash "$kind")
  dir="$CTINIT_CACHE/rootfs/$kind-$hash"
  _rootfs_build_if_missing "$kind" "$dir" >&2
  touch "$dir.used" 2>/dev/null || true
  printf '%s\n' "$dir"
}

_rootfs_build_busybox() {
  local t=$1 bb applet d
  bb=$(_rootfs_busybox_bin)
  mkdir -p "$t"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,var/run,var/log}
  chmod 1777 "$t/tmp"
  cp "$bb" "$t/bin/busybox"
  chmod 0755 "$t/bin/busybox"
  while read -r applet; do
    [[ -n "$applet" && "$applet" != bin/busybox && ! -e "$t/$applet" ]] || continue
    d=${applet%/*}
    case "$d" in
      bin | sbin) ln -s ../bin/busybox "$t/$applet" ;;
      usr/bin | usr/sbin) ln -s ../../bin/busybox "$t/$applet" ;;
      *) mkdir -p "$t/$d" && ln -s /bin/busybox "$t/$applet" ;;
    esac
  done < <("$bb" --list-full)
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$t/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$t/etc/group"
  : >"$t/etc/resolv.conf"
}

# --- gentoo-openrc ---------------------------------------------------------------------------
# Inputs outside this file, all in the repository so a clean clone builds it anywhere: the pinned
# OpenRC tarball (tests/fixtures/upstream, a copy of shared/upstream), the Gentoo corpus
# (tests/fixtures/gentoo-openrc, a copy of shared/corpus/gentoo-openrc, with its SOURCES.md) and
# tests/e2e/fixtures/gentoo (stand-in source, inittab, configs).
_rootfs_gentoo_upstream() { echo "$CT_LIB_DIR/../fixtures/upstream/openrc-0.63.tar.gz"; }
_rootfs_gentoo_corpus() { echo "$CT_LIB_DIR/../fixtures/gentoo-openrc"; }
_rootfs_gentoo_fixtures() { echo "$CT_LIB_DIR/../e2e/fixtures/gentoo"; }

# The content of every input file (names and bytes), for the recipe hash (not the fixtures'
# test helpers: editing a check must not rebuild the image).
_rootfs_gentoo_inputs() {
  sha256sum <"$(_rootfs_gentoo_upstream)"
  local fx d
  fx=$(_rootfs_gentoo_fixtures)
  for d in "$(_rootfs_gentoo_corpus)" "$fx/rootfs" "$fx/standin"; do
    (cd "$d" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
  done
  sha256sum <"$fx/standins.list"
}

_rootfs_build_gentoo_openrc() {
  local t=$1 stage
  # Debian packages first (their postinsts must not see OpenRC's /sbin/openrc-run yet).
  # shellcheck disable=SC2046
  # (errexit does not hold here: the build runs in an `if !` subshell, so every step checks.)
  _rootfs_build_debian_variant "$t" $(_rootfs_variant_packages gentoo-openrc) || return 1
  stage=$t.stage # beside the tree; a failed build leaves it for the logs in it
  mkdir -p "$stage"
  _rootfs_gentoo_build_openrc "$stage" || return 1
  # OpenRC's install tree onto the image; the image's /bin, /sbin, /lib stay symlinks into /usr.
  tar -C "$stage/dest" -cf - . | tar -C "$t" -xf - --keep-directory-symlink || return 1
  _rootfs_gentoo_install_files "$t" "$stage" || return 1
  _rootfs_rm_tree "$stage"
}

# OpenRC 0.63 and the stand-in daemon, compiled in a throw-away copy of debian-base with the
# build tools (the host needs none of them). Leaves STAGE/dest (OpenRC's DESTDIR tree) and
# STAGE/standin.
_rootfs_gentoo_build_openrc() {
  local stage=$1 b base
  b=$stage/chroot
  base=$(rootfs_path_nolock debian-base)
  mkdir -p "$b"
  cp -a "$base/." "$b/" || return 1
  rm -f "$b/etc/resolv.conf"
  cp -L /etc/resolv.conf "$b/etc/resolv.conf"
  _rootfs_chroot "$b" apt-get -q update >/dev/null || return 1
  _rootfs_chroot "$b" apt-get -q -y --no-install-recommends install \
    meson ninja-build gcc libc6-dev libcap-dev pkg-config >"$stage/apt.log" 2>&1 || {
    tail -n 40 "$stage/apt.log" >&2
    return 1
  }
  mkdir -p "$b/src"
  tar -C "$b/src" -xzf "$(_rootfs_gentoo_upstream)" || return 1
  cp "$(_rootfs_gentoo_fixtures)/standin/standin.c" "$b/src/" || return 1
  # README.md of shared/upstream: the options Gentoo's sysvinit profile builds with, and
  # newnet off as Gentoo's default USE has it (netifrc's net.lo provides "net" on Gentoo).
  _rootfs_chroot "$b" /bin/sh -ec '
    cd /src/openrc-0.63
    meson setup build -Dpam=false -Daudit=disabled -Dselinux=disabled -Dsysvinit=true -Dnewnet=false
    ninja -C build
    DESTDIR=/dest meson install -C build --no-rebuild
    gcc -O2 -Wall -Wextra -Werror -o /src/standin /src/standin.c
  ' >"$stage/build.log" 2>&1 || {
    tail -n 40 "$stage/build.log" >&2
    return 1
  }
  mv "$b/dest" "$stage/dest" && mv "$b/src/standin" "$stage/standin" || return 1
  # -Dsysvinit=true also installs OpenRC's own init (/sbin/init -> openrc-init) and
  # halt/poweroff/reboot/shutdown wrappers around openrc-shutdown. A Gentoo system booted by
  # sysvinit keeps sysvinit's: drop OpenRC's copies (openrc-init, openrc-shutdown stay).
  local f
  for f in init halt poweroff reboot shutdown; do rm -f "$stage/dest/sbin/$f"; done
}

# Gentoo's files and the daemons' stand-ins and configs (fixtures/gentoo/README.md lists them).
_rootfs_gentoo_install_files() {
  local t=$1 stage=$2 fx corpus f name
  fx=$(_rootfs_gentoo_fixtures)
  corpus=$(_rootfs_gentoo_corpus)
  # A Gentoo /etc/init.d holds OpenRC scripts only: drop Debian's LSB scripts and rc?.d links.
  local real
  for f in "$t"/etc/init.d/*; do
    [[ "${f##*/}" == functions.sh ]] && continue
    real=$f
    if [[ -L "$f" ]]; then # resolved inside the tree (agetty.tty1 -> agetty stays)
      real=$(readlink "$f")
      [[ $real == /* ]] && real=$t$real || real=$t/etc/init.d/$real
    fi
    [[ -f "$real" ]] && head -n1 "$real" | grep -Eq '^#!.*/(openrc-run|runscript)' || rm -f "$f"
  done
  rm -rf "$t"/etc/rc[0-6S].d
  # Gentoo's scripts, then the image's files (inittab, stand-in configs, conf.d additions).
  cp -a "$corpus/init.d/." "$t/etc/init.d/" && cp -a "$corpus/conf.d/." "$t/etc/conf.d/" || return 1
  for f in "$corpus"/init.d/*; do chmod 0755 "$t/etc/init.d/${f##*/}"; done
  tar -C "$fx/rootfs" -cf - . | tar -C "$t" -xf - --keep-directory-symlink --no-same-owner || return 1
  # The stand-ins: one binary, copied under each name its script runs.
  while read -r name; do
    [[ -n "$name" && "$name" != \#* ]] || continue
    mkdir -p "$t/$(dirname "$name")"
    install -m 0755 "$stage/standin" "$t/$name" || return 1
  done <"$fx/standins.list"
  install -m 0666 /dev/null "$t/var/log/gentoo-standins.log"
  # Debian's nginx.conf sets `pid`, which Gentoo's script gives on the command line (-g 'pid …;'):
  # nginx refuses the duplicate. Gentoo's nginx.conf has no pid line.
  sed -i '/^pid /d' "$t/etc/nginx/nginx.conf"
  # Debian's packages enabled their systemd units; nothing is enabled on a Gentoo OpenRC system
  # (ctinit would start ssh.service and redis-server.service next to the OpenRC scripts).
  rm -rf "$t"/etc/systemd/system/*.wants
  # Gentoo installs redis-server in /usr/sbin (the script's command), Debian in /usr/bin.
  ln -s ../bin/redis-server "$t/usr/sbin/redis-server" || return 1
  # Gentoo's /bin/sh is bash (scripts such as dnsmasq use bash syntax): divert dash's.
  _rootfs_chroot "$t" /bin/sh -ec '
    ldconfig # OpenRC'"'"'s librc and libeinfo
    ln -sf bash /bin/sh # (dash diverts the packaged /bin/sh already: the link is the choice)
    # Users and groups Gentoo packages create and the scripts name (checkpath -o, su, -u).
    groupadd -r docker; groupadd -r named; useradd -r -g named -d /var/bind named
    useradd -r -U -d /var/cache/squid squid; useradd -r -U -d /var/lib/tor tor
    useradd -r -U -d /var/lib/postgresql -s /bin/sh postgres
    useradd -r -U -d /nonexistent memcached
    # unbound.conf wants the root trust anchor (copied at start by a helper of the Debian unit).
    cp /usr/share/dns/root.key /var/lib/unbound/root.key
    chown unbound:unbound /var/lib/unbound/root.key
    mkdir -p /var/lib/postgresql/15/data && chown -R postgres:postgres /var/lib/postgresql
    chmod 0700 /var/lib/postgresql/15/data
    # OpenRC as its meson install leaves it, minus the gettys: a container has no tty1-6.
    for f in /etc/runlevels/default/agetty.*; do rc-update del "${f##*/}" default; done
    rc-update add net.lo boot
  ' >"$stage/setup.log" 2>&1 || {
    tail -n 40 "$stage/setup.log" >&2
    return 1
  }
}

_rootfs_verify() {
  local kind=$1 t=$2 init owner f
  case "$kind" in
    debian-base)
      [[ -x "$t/bin/sh" && -x "$t/usr/bin/apt-get" ]] || ct_die "rootfs: $kind lacks sh/apt-get"
      ;;
    debian-sysvinit | debian-openrc)
      init=$(readlink -f "$t/sbin/init")
      [[ -x "$init" ]] || ct_die "rootfs: $kind has no /sbin/init"
      owner=$(_rootfs_chroot "$t" dpkg -S /sbin/init 2>/dev/null || true)
      [[ "$owner" == "sysvinit-core: /sbin/init" ]] ||
        ct_die "rootfs: $kind /sbin/init is not sysvinit-core's (dpkg -S: '$owner')"
      grep -q '^[^#]*:initdefault:' "$t/etc/inittab" || ct_die "rootfs: $kind lacks the stock /etc/inittab"
      for f in sbin/telinit sbin/shutdown sbin/runlevel etc/init.d/rc bin/ps; do
        [[ -e "$t/$f" || -L "$t/$f" ]] || ct_die "rootfs: $kind lacks /$f"
      done
      if [[ "$kind" == debian-openrc ]]; then
        [[ -x "$t/sbin/openrc-init" && -x "$t/sbin/openrc" ]] || ct_die "rootfs: $kind lacks openrc-init"
      fi
      ;;
    debian-units)
      [[ ! -e "$t/etc/inittab" ]] || ct_die "rootfs: $kind has an /etc/inittab"
      for f in nginx.service redis-server.service cron.service; do
        [[ -L "$t/etc/systemd/system/multi-user.target.wants/$f" ]] ||
          ct_die "rootfs: $kind: the packaging did not enable $f"
      done
      ;;
    debian-daemons)
      [[ ! -e "$t/etc/inittab" ]] || ct_die "rootfs: $kind has an /etc/inittab"
      [[ -d "$t/etc/postgresql/15/main" ]] || ct_die "rootfs: $kind: postgresql made no 15/main cluster"
      for f in usr/lib/postgresql/15/bin/postgres usr/sbin/rsyslogd usr/sbin/exim4 etc/init.d/exim4; do
        [[ -e "$t/$f" ]] || ct_die "rootfs: $kind lacks /$f"
      done
      ;;
    gentoo-openrc)
      owner=$(_rootfs_chroot "$t" dpkg -S /sbin/init 2>/dev/null || true)
      [[ "$owner" == "sysvinit-core: /sbin/init" ]] ||
        ct_die "rootfs: $kind /sbin/init is not sysvinit-core's (dpkg -S: '$owner')"
      ! _rootfs_chroot "$t" dpkg -s openrc >/dev/null 2>&1 || ct_die "rootfs: $kind has Debian's openrc"
      _rootfs_chroot "$t" /sbin/openrc --version | grep -q ' 0\.63$' ||
        ct_die "rootfs: $kind: /sbin/openrc is not OpenRC 0.63"
      grep -q '^si::sysinit:/sbin/openrc sysinit$' "$t/etc/inittab" || ct_die "rootfs: $kind lacks Gentoo's inittab"
      for f in "$(_rootfs_gentoo_corpus)"/init.d/*; do
        cmp -s "$f" "$t/etc/init.d/${f##*/}" || ct_die "rootfs: $kind: /etc/init.d/${f##*/} is not the corpus copy"
      done
      [[ $(readlink -f "$t/bin/sh") == */bash ]] || ct_die "rootfs: $kind: /bin/sh is not bash"
      ;;
    busybox)
      [[ -L "$t/bin/sh" && -x "$t/bin/busybox" ]] || ct_die "rootfs: busybox tree lacks /bin/sh"
      ;;
  esac
}
