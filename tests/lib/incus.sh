# shellcheck shell=bash
# tests/lib/incus.sh — incus system containers for the e2e tests and benchmarks (sourced, never
# executed).
#
#   incus_require                skip (exit 77; a failure under CI=true) unless root and incus
#                                (incus-base, incus-client: scripts/install-deps.sh) are present
#   incus_start_daemon           make sure an incusd answers: reuse a running one, else start
#                                lxcfs and incusd ourselves (when PID 1 is not systemd nobody else
#                                will) and register their teardown; `incus admin init --preseed`
#                                with a `dir` storage pool and no network when not initialised.
#                                Idempotent.
#   incus_image_rootfs KIND      print the alias of an incus image holding the rootfs.sh tree of
#                                KIND (e.g. debian-sysvinit), importing it if missing; the alias
#                                carries the rootfs hash, so a changed recipe gives a new image
#   incus_launch NAME IMAGE [CTINIT]
#                                create NAME from IMAGE (no network, unprivileged), with CTINIT
#                                (a host path) installed as /sbin/ctinit and made its init by the
#                                profile `ctinit` = contrib/gentoo/incus-profile.yaml (raw.lxc
#                                `lxc.init.cmd`) when given (else the image's /sbin/init);
#                                registers its removal; INCUS_ROOTFS is then the container's rootfs
#                                on the host (files may be added before incus_start)
#   incus_debian_fixups          what LXC's lxc-debian template does to a Debian rootfs, on
#                                INCUS_ROOTFS (see lxc_debian_fixups in lxc.sh): checkroot.sh,
#                                umountfs, umountroot and hwclock.sh become no-ops
#   incus_start NAME             incus start, then wait until RUNNING (bounded)
#   incus_state NAME             RUNNING / STOPPED / ... (empty if unknown)
#   incus_pid NAME               host pid of the container's init, empty if none
#   incus_exec NAME CMD...       incus exec NAME -- CMD (bounded by INCUS_EXEC_TIMEOUT)
#   incus_wait_state NAME STATE SECS
#   incus_console_log NAME       the console log (init's stdout/stderr) of NAME's current run, or of
#                                its last one when stopped (text: no CRs, no NULs)
#   inc SECS ARGS...             incus ARGS bounded by SECS (every incus call goes through it)
#
# Containers are named ctinit-*, are unprivileged (incus' default: an idmapped rootfs), have no
# network device, and are always deleted on exit (CT_KEEP=1 keeps them).

[[ -n "${CT_INCUS_SH_LOADED:-}" ]] && return 0
CT_INCUS_SH_LOADED=1

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=rootfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

INCUS_EXEC_TIMEOUT=${INCUS_EXEC_TIMEOUT:-30}
INCUSD=/usr/libexec/incus/incusd
INCUS_RUN_DIR=""
INCUS_ROOTFS=""
_INCUS_CONTAINERS=()
_INCUS_STARTED_LXCFS=""
_INCUS_STARTED_INCUSD=""

inc() {
  local secs=$1
  shift
  timeout --kill-after=5 "$secs" incus "$@"
}

incus_require() {
  ct_require_root
  ct_require_cmd incus lxcfs timeout
  [[ -x $INCUSD ]] || ct_skip "incusd missing at $INCUSD (scripts/install-deps.sh installs incus-base)"
}

_incus_answers() { inc 10 info >/dev/null 2>&1; }

incus_start_daemon() {
  _incus_answers && { _incus_preseed; return; }
  INCUS_RUN_DIR=$(mktemp -d /tmp/ctinit-incus.XXXXXX)
  ct_on_exit _incus_daemon_teardown
  # lxcfs gives containers their own /proc/meminfo, uptime, ...; incusd uses it when mounted.
  if ! mountpoint -q /var/lib/lxcfs; then
    mkdir -p /var/lib/lxcfs
    lxcfs /var/lib/lxcfs >"$INCUS_RUN_DIR/lxcfs.log" 2>&1 &
    _INCUS_STARTED_LXCFS=$!
    ct_wait_until 10 mountpoint -q /var/lib/lxcfs
  fi
  mkdir -p /var/log/incus
  "$INCUSD" --group incus-admin --logfile="$INCUS_RUN_DIR/incusd.log" \
    >"$INCUS_RUN_DIR/incusd.out" 2>&1 &
  _INCUS_STARTED_INCUSD=$!
  timeout 70 "$INCUSD" waitready --timeout=60 ||
    { tail -n 30 "$INCUS_RUN_DIR"/incusd.*; ct_die "incusd did not become ready"; }
  ct_log "incus: started incusd (pid $_INCUS_STARTED_INCUSD)"
  _incus_preseed
}

# A `dir` pool named default and a default profile with only a root disk: no bridge, no network.
_incus_preseed() {
  inc 20 storage show default >/dev/null 2>&1 && return 0
  inc 120 admin init --preseed <<'EOF' || ct_die "incus admin init --preseed failed"
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
EOF
}

_incus_daemon_teardown() {
  local c
  for c in "${_INCUS_CONTAINERS[@]}"; do _incus_delete "$c"; done
  _INCUS_CONTAINERS=()
  if [[ -n $_INCUS_STARTED_INCUSD ]]; then
    # shutdown stops containers and exits; we made none that should survive.
    timeout 60 "$INCUSD" shutdown --timeout=30 >/dev/null 2>&1 || kill "$_INCUS_STARTED_INCUSD" 2>/dev/null
    wait "$_INCUS_STARTED_INCUSD" 2>/dev/null
  fi
  if [[ -n $_INCUS_STARTED_LXCFS ]]; then
    fusermount -u /var/lib/lxcfs 2>/dev/null || umount -l /var/lib/lxcfs 2>/dev/null
    kill "$_INCUS_STARTED_LXCFS" 2>/dev/null
    wait "$_INCUS_STARTED_LXCFS" 2>/dev/null
  fi
  [[ -n $INCUS_RUN_DIR && -z ${CT_KEEP:-} ]] && rm -rf "$INCUS_RUN_DIR"
  return 0
}

incus_image_rootfs() {
  local kind=$1 alias dir
  rootfs_path "$kind" >/dev/null || ct_die "could not build the $kind rootfs"
  alias=ctinit-$kind-$(rootfs_hash "$kind")
  if inc 20 image show "$alias" >/dev/null 2>&1; then echo "$alias"; return 0; fi
  dir=$(mktemp -d /tmp/ctinit-incus-img.XXXXXX)
  cat >"$dir/metadata.yaml" <<EOF
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  description: ctinit tests/lib/rootfs.sh $kind
  os: debian
  release: $CT_DEBIAN_SUITE
EOF
  tar -C "$dir" -cf "$dir/meta.tar" metadata.yaml
  ct_log "incus: importing $kind as image $alias"
  # A split image: metadata tarball + the rootfs as a plain directory tarball (rootfs.sh's).
  inc 300 image import "$dir/meta.tar" "$(rootfs_tarball "$kind")" --alias "$alias" >&2 ||
    { rm -rf "$dir"; ct_die "incus image import of $kind failed"; }
  rm -rf "$dir"
  echo "$alias"
}

incus_launch() {
  local name=$1 image=$2 ctinit=${3:-} dst
  _incus_delete "$name"
  inc 300 init "$image" "$name" >/dev/null || ct_die "incus init $image $name failed"
  _INCUS_CONTAINERS+=("$name")
  ((${#_INCUS_CONTAINERS[@]} == 1)) && ct_on_exit _incus_delete_all
  INCUS_ROOTFS=/var/lib/incus/storage-pools/default/containers/$name/rootfs
  [[ -d $INCUS_ROOTFS ]] || ct_die "incus_launch: no rootfs at $INCUS_ROOTFS (not a dir pool?)"
  if [[ -n $ctinit ]]; then
    dst=$INCUS_ROOTFS/sbin/ctinit
    [[ -L $INCUS_ROOTFS/sbin ]] && dst=$INCUS_ROOTFS/usr/sbin/ctinit
    install -m 0755 "$ctinit" "$dst"
    _incus_ctinit_profile
    inc 20 profile add "$name" ctinit >/dev/null || ct_die "incus profile add $name ctinit failed"
  fi
}

# The profile users are told to create (contrib/gentoo/incus-profile.yaml), made or refreshed
# from that file: the tests boot ctinit exactly the documented way.
_incus_ctinit_profile() {
  local file
  file="$(dirname "${BASH_SOURCE[0]}")/../../contrib/gentoo/incus-profile.yaml"
  inc 20 profile show ctinit >/dev/null 2>&1 || inc 20 profile create ctinit >/dev/null ||
    ct_die "incus profile create ctinit failed"
  inc 20 profile edit ctinit <"$file" || ct_die "incus profile edit ctinit < $file failed"
}

incus_debian_fixups() { ct_disable_container_rc_scripts "$INCUS_ROOTFS" "incus by tests/lib/incus.sh"; }

incus_start() {
  inc 60 start "$1" || { ct_log "incus start $1 failed"; return 1; }
  incus_wait_state "$1" RUNNING 30
}

incus_state() { inc 20 list "^$1\$" -c s -f csv 2>/dev/null; }
incus_pid() {
  local p
  p=$(inc 20 info "$1" 2>/dev/null | awk '$1 == "PID:" { print $2 }')
  [[ $p =~ ^[0-9]+$ && $p -gt 0 ]] && echo "$p"
}
incus_wait_state() {
  local name=$1 want=$2 secs=$3
  ct_wait_until "$secs" eval '[[ "$(incus_state "$name")" == "$want" ]]'
  [[ "$(incus_state "$name")" == "$want" ]]
}

incus_exec() {
  local name=$1
  shift
  inc "$INCUS_EXEC_TIMEOUT" exec "$name" --cwd / -- "$@"
}

# Running: incus console --show-log (the file is written when the container stops); stopped:
# the file incus kept from the last run. Without the CRs and NULs of a console.
incus_console_log() {
  local name=$1
  if [[ "$(incus_state "$name")" == RUNNING ]]; then
    inc 20 console "$name" --show-log 2>/dev/null
  else
    cat "/var/log/incus/$name/console.log" 2>/dev/null
  fi | tr -d '\r\0'
}

_incus_delete() {
  [[ -n ${CT_KEEP:-} ]] && return 0
  inc 60 delete --force "$1" >/dev/null 2>&1 || true
}

_incus_delete_all() {
  local c
  for c in "${_INCUS_CONTAINERS[@]}"; do _incus_delete "$c"; done
  _INCUS_CONTAINERS=()
}
