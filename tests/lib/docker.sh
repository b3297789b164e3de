# shellcheck shell=bash
# tests/lib/docker.sh — a private dockerd per test run, images from tests/lib/rootfs.sh trees,
# and bounded helpers around the docker CLI (sourced, never executed).
#
#   docker_require               skip (exit 77; FAIL under CI=true) unless root + docker tools
#   docker_start_private         start dockerd on a private socket, export DOCKER_HOST, and
#                                register its teardown (containers removed, daemon stopped)
#   dk ARGS...                   docker with the default bound ($CT_DOCKER_TIMEOUT s)
#   dkt SECS ARGS...             docker bounded by SECS
#   docker_import_rootfs KIND    print the image ref of a rootfs kind, importing it if missing
#   docker_derive BASE REPO DIR [SETUP]
#                                print REPO:HASH = BASE + the files under DIR (+ SETUP run by
#                                /bin/sh inside it), committed once and cached by content hash
#   docker_image_ctinit KIND CTINIT [REPO DIR [SETUP]]
#                                BASE of KIND with CTINIT at /sbin/ctinit (+ DIR/SETUP)
#   docker_run_d ARGS...         docker run -d --network none (labelled); prints the id
#   docker_running C / docker_exit_code C / docker_host_pid C
#   docker_wait_exit C SECS      wait until C has exited
#   docker_log_has C TEXT        fixed-string search in `docker logs C` (stdout + stderr)
#   docker_log_count C TEXT      number of log lines containing TEXT
#   docker_wait_log C TEXT SECS  wait until TEXT shows up in the log
#   docker_stop_timed C [ARGS]   `docker stop`, sets CT_STOP_SECONDS and CT_STOP_EXIT (exit code)
#   docker_dump C [LINES]        print the last LINES of C's log, indented (evidence for FAILs)
#   docker_boot LABEL ARGS...    docker_run_d ARGS, then wait for "Entering runlevel: 2"
#                                ($CT_BOOT_BOUND s, default 30); prints the id, or records
#                                "FAIL: LABEL: boot …" with the log and returns 1
#
# Data root: ${CTINIT_CACHE}/docker-data is reused between runs (so imported images persist)
# while this run holds its flock; a concurrent run falls back to a throw-away data root.
# Storage driver: vfs, or $CTINIT_DOCKER_STORAGE_DRIVER (e.g. overlay2; own data root then).
# The socket and exec root live under a short /tmp/ctd.XXXXXX (unix socket path limit).
# Containers are always run with --network none; dockerd has no bridge and no iptables.

[[ -n "${CT_DOCKER_SH_LOADED:-}" ]] && return 0
CT_DOCKER_SH_LOADED=1

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=rootfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

CT_DOCKER_TIMEOUT=${CT_DOCKER_TIMEOUT:-60}
# vfs works on any filesystem (also nested in overlayfs); each container is a full copy though
# (~6 s to create, ~8 s to remove for the Debian image). overlay2 is much faster where the data
# root's filesystem supports it (ext4, xfs).
CT_DOCKER_STORAGE_DRIVER=${CTINIT_DOCKER_STORAGE_DRIVER:-vfs}
CT_DOCKER_LABEL=ctinit-test
CT_DOCKER_RUN_DIR=""
CT_DOCKER_DATA_ROOT=""
CT_DOCKER_DATA_TEMP=0
CT_DOCKERD_PID=""

dkt() {
  local secs=$1
  shift
  timeout --kill-after=5 "$secs" docker "$@"
}

dk() { dkt "$CT_DOCKER_TIMEOUT" "$@"; }

docker_require() {
  ct_require_root
  ct_require_cmd docker dockerd containerd runc timeout flock setsid
}

docker_start_private() {
  docker_require
  mkdir -p "$CTINIT_CACHE/tmp"
  CT_DOCKER_RUN_DIR=$(mktemp -d /tmp/ctd.XXXXXX)
  ct_on_exit docker_stop_private

  local lock_fd
  exec {lock_fd}>"$CTINIT_CACHE/docker-data-$CT_DOCKER_STORAGE_DRIVER.lock"
  if flock -n "$lock_fd"; then
    # The daemon inherits the lock fd: while it (or its containerd) lives, the data root stays
    # locked even if this shell is killed.
    CT_DOCKER_DATA_ROOT="$CTINIT_CACHE/docker-data"
    [[ "$CT_DOCKER_STORAGE_DRIVER" == vfs ]] || CT_DOCKER_DATA_ROOT+="-$CT_DOCKER_STORAGE_DRIVER"
  else
    exec {lock_fd}>&-
    CT_DOCKER_DATA_ROOT=$(mktemp -d "$CTINIT_CACHE/tmp/docker-data.XXXXXX")
    CT_DOCKER_DATA_TEMP=1
    ct_log "docker: the cached data root is in use by another run; using $CT_DOCKER_DATA_ROOT"
  fi
  mkdir -p "$CT_DOCKER_DATA_ROOT"

  local d=$CT_DOCKER_RUN_DIR
  # An empty config: the host's /etc/docker/daemon.json must not clash with these flags.
  echo '{}' >"$d/daemon.json"
  # If a system containerd runs, dockerd uses it: keep our containers in our own namespaces.
  setsid dockerd --config-file "$d/daemon.json" --iptables=false --ip6tables=false --bridge=none \
    --storage-driver="$CT_DOCKER_STORAGE_DRIVER" \
    --data-root "$CT_DOCKER_DATA_ROOT" --exec-root "$d/exec" -H "unix://$d/docker.sock" \
    --pidfile "$d/docker.pid" --containerd-namespace ctinit-test \
    --containerd-plugins-namespace ctinit-test-plugins --log-level warn \
    </dev/null >"$d/dockerd.log" 2>&1 &
  CT_DOCKERD_PID=$!
  export DOCKER_HOST="unix://$d/docker.sock"
  unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

  if ! ct_wait_until 60 _docker_answers; then
    tail -n 30 "$d/dockerd.log" >&2 || true
    ct_die "docker: private dockerd did not answer on $DOCKER_HOST within 60 s"
  fi
  ct_log "docker: private dockerd $(dk version -f '{{.Server.Version}}') pid $CT_DOCKERD_PID," \
    "data root $CT_DOCKER_DATA_ROOT"
  # Leftovers of a run that was killed before its teardown.
  _docker_remove_all_containers
}

_docker_answers() {
  kill -0 "$CT_DOCKERD_PID" 2>/dev/null || {
    tail -n 30 "$CT_DOCKER_RUN_DIR/dockerd.log" >&2 || true
    ct_die "docker: dockerd exited during startup"
  }
  dkt 5 version >/dev/null 2>&1
}

_docker_remove_all_containers() {
  local ids
  ids=$(dkt 30 ps -aq 2>/dev/null) || return 0
  [[ -z "$ids" ]] && return 0
  # shellcheck disable=SC2086
  dkt 120 rm -f $ids >/dev/null 2>&1 || true
}

docker_stop_private() {
  local d=$CT_DOCKER_RUN_DIR pid m
  [[ -n "$d" ]] || return 0
  if [[ -n "$CT_DOCKERD_PID" ]] && kill -0 "$CT_DOCKERD_PID" 2>/dev/null; then
    _docker_remove_all_containers
    kill -TERM "$CT_DOCKERD_PID" 2>/dev/null || true
    ct_wait_until 30 _docker_pid_gone "$CT_DOCKERD_PID" || kill -KILL "$CT_DOCKERD_PID" 2>/dev/null || true
    ct_wait_until 5 _docker_pid_gone "$CT_DOCKERD_PID" || true
  fi
  # dockerd stops the containerd it supervises; make sure after a SIGKILL too.
  if [[ -f "$d/exec/containerd/containerd.pid" ]]; then
    pid=$(<"$d/exec/containerd/containerd.pid")
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q containerd "/proc/$pid/comm" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      ct_wait_until 10 _docker_pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # Nothing of ours may stay mounted (netns/shm mounts live under the exec and data roots).
  for root in "$d" "$CT_DOCKER_DATA_ROOT"; do
    [[ -n "$root" ]] || continue
    while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
      awk -v p="$root/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  done
  rm -rf --one-file-system "$d"
  if ((CT_DOCKER_DATA_TEMP)); then rm -rf --one-file-system "$CT_DOCKER_DATA_ROOT"; fi
  CT_DOCKER_RUN_DIR=""
}

_docker_pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# Images

_docker_image_exists() { dk image inspect "$1" >/dev/null 2>&1; }

# Remove every tag of REPO but KEEP (old content hashes), then dangling layers.
_docker_prune_repo() {
  local repo=$1 keep=$2 ref
  while read -r ref; do
    [[ -n "$ref" && "$ref" != "$keep" ]] || continue
    dk rmi "$ref" >/dev/null 2>&1 || true
  done < <(dk images --format '{{.Repository}}:{{.Tag}}' "$repo" 2>/dev/null)
}

docker_import_rootfs() {
  local kind=$1 tar ref
  ref="ctinit-test/$kind:$(rootfs_hash "$kind")"
  if ! _docker_image_exists "$ref"; then
    tar=$(rootfs_tarball "$kind")
    ct_log "docker: importing $tar as $ref"
    dkt 600 import --message "ctinit-test rootfs $kind" - "$ref" <"$tar" >/dev/null ||
      ct_die "docker: import of $tar failed"
    _docker_prune_repo "ctinit-test/$kind" "$ref"
  fi
  printf '%s\n' "$ref"
}

docker_derive() {
  local base=$1 repo=$2 dir=$3 setup=${4:-} base_id hash ref c
  base_id=$(dk image inspect -f '{{.Id}}' "$base") || ct_die "docker: no image $base"
  # Content hash of the overlay: regular files and symlinks only (no directory headers, so
  # nothing in the image gets its mode or owner changed; docker cp creates parents 0755).
  hash=$(
    {
      printf '%s\n%s\n' "$base_id" "$setup"
      (cd "$dir" && find . \( -type f -o -type l \) -print0 | LC_ALL=C sort -z |
        tar --null --no-recursion -T - --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - |
        sha256sum)
    } | sha256sum | cut -c1-16
  )
  ref="$repo:$hash"
  if ! _docker_image_exists "$ref"; then
    ct_log "docker: deriving $ref from $base"
    if [[ -n "$setup" ]]; then
      c=$(dk create --network none --label "$CT_DOCKER_LABEL=derive" "$base" /bin/sh -ec "$setup")
    else
      c=$(dk create --network none --label "$CT_DOCKER_LABEL=derive" "$base" /bin/true)
    fi
    (cd "$dir" && find . \( -type f -o -type l \) -print0 | LC_ALL=C sort -z |
      tar --null --no-recursion -T - --owner=0 --group=0 --numeric-owner -cf -) |
      dkt 300 cp - "$c:/" || ct_die "docker: cp of $dir into $c failed"
    if [[ -n "$setup" ]]; then
      if ! dkt 300 start -a "$c" >&2; then
        dk logs "$c" >&2 || true
        dk rm -f "$c" >/dev/null 2>&1 || true
        ct_die "docker: setup of $ref failed: $setup"
      fi
    fi
    dkt 300 commit --change 'CMD ["/sbin/ctinit"]' "$c" "$ref" >/dev/null ||
      ct_die "docker: commit of $ref failed"
    dk rm -f "$c" >/dev/null 2>&1 || true
    _docker_prune_repo "$repo" "$ref"
  fi
  printf '%s\n' "$ref"
}

# CTINIT installed as /sbin/ctinit (as /usr/sbin/ctinit in a merged-/usr tree, where /sbin is a
# symlink: docker cp must not see a directory named sbin there).
docker_image_ctinit() {
  local kind=$1 bin=$2 repo=${3:-ctinit-test/$1-ctinit} extra=${4:-} setup=${5:-}
  local base root overlay sbin ref
  base=$(docker_import_rootfs "$kind")
  root=$(rootfs_path "$kind")
  sbin=sbin
  rootfs_merged_usr "$root" && sbin=usr/sbin
  overlay=$(mktemp -d "$CTINIT_CACHE/tmp/overlay.XXXXXX")
  mkdir -p "$overlay/$sbin"
  install -m 0755 "$bin" "$overlay/$sbin/ctinit"
  if [[ -n "$extra" ]]; then cp -a "$extra/." "$overlay/"; fi
  ref=$(docker_derive "$base" "$repo" "$overlay" "$setup")
  rm -rf "$overlay"
  printf '%s\n' "$ref"
}

# ---------------------------------------------------------------------------------------------
# Containers

# The common start of a Docker e2e test: the binary ($1 or $CTINIT_BIN), the debian-sysvinit
# rootfs, a private daemon, and the image with ctinit and the probe service. Sets bin and img.
docker_e2e_begin() {
  bin=$(ct_ctinit_bin "${1:-}")
  rootfs_require debian-sysvinit
  docker_start_private
  img=$(docker_image_ctinit_probe debian-sysvinit "$bin")
  ct_log "image $img ($("$bin" --version 2>&1 | head -n1 || true))"
}

docker_run_d() { dk run -d --network none --label "$CT_DOCKER_LABEL=1" "$@"; }

docker_running() { [[ $(dk inspect -f '{{.State.Running}}' "$1" 2>/dev/null) == true ]]; }

docker_exit_code() { dk inspect -f '{{.State.ExitCode}}' "$1"; }

docker_host_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }

docker_wait_exit() { ct_wait_until "$2" _docker_not_running "$1"; }

_docker_not_running() { ! docker_running "$1"; }

docker_logs() { dk logs "$1" 2>&1; }

docker_log_has() {
  local out
  out=$(docker_logs "$1") || return 1
  grep -qF -- "$2" <<<"$out"
}

docker_log_count() {
  local out
  out=$(docker_logs "$1") || { echo 0; return 0; }
  grep -cF -- "$2" <<<"$out" || true
}

docker_wait_log() { ct_wait_until "$3" docker_log_has "$1" "$2"; }

# shellcheck disable=SC2034 # CT_STOP_* are the results
docker_stop_timed() {
  local c=$1 t0 t1
  shift
  t0=$(ct_now)
  dkt 60 stop "$@" "$c" >/dev/null || true
  t1=$(ct_now)
  CT_STOP_SECONDS=$(ct_elapsed "$t0" "$t1")
  docker_wait_exit "$c" 10 || true
  CT_STOP_EXIT=$(docker_exit_code "$c")
}

# docker_check_stop NAME C BOUND [DUMP_LINES]: `docker stop` C, timed; NAME passes when C exits 0
# in under BOUND seconds, else it fails and C's log is dumped.
docker_check_stop() {
  local name=$1 c=$2 bound=$3 lines=${4:-}
  docker_stop_timed "$c"
  echo "    docker stop took ${CT_STOP_SECONDS}s, exit code $CT_STOP_EXIT"
  if [[ "$CT_STOP_EXIT" == 0 ]] && ct_lt "$CT_STOP_SECONDS" "$bound"; then
    ct_pass "$name" "${CT_STOP_SECONDS}s"
  else
    ct_fail "$name" "exit $CT_STOP_EXIT after ${CT_STOP_SECONDS}s"
    docker_dump "$c" $lines
  fi
}

CT_BOOT_BOUND=${CT_BOOT_BOUND:-30}
docker_boot() {
  local label=$1 c
  shift
  c=$(docker_run_d "$@") || return 1
  if ! docker_wait_log "$c" "Entering runlevel: 2" "$CT_BOOT_BOUND"; then
    {
      ct_fail "$label: boot to runlevel 2 within ${CT_BOOT_BOUND}s" "no 'Entering runlevel: 2' in the log"
      docker_dump "$c"
    } >&2
    dk rm -f "$c" >/dev/null 2>&1 || true
    return 1
  fi
  printf '%s\n' "$c"
}

docker_dump() {
  local c=$1 lines=${2:-60}
  echo "    --- docker logs ${c:0:12} (last $lines lines) ---"
  docker_logs "$c" | tail -n "$lines" | sed 's/^/    | /'
  echo "    --- state: $(dk inspect -f '{{.State.Status}} exit={{.State.ExitCode}} oom={{.State.OOMKilled}} err={{.State.Error}}' "$c" 2>&1)"
}

# ---------------------------------------------------------------------------------------------
# ctinit e2e images

# KIND (debian-sysvinit) + CTINIT + a test service /etc/init.d/ctinit-probe registered with
# update-rc.d (stock scripts untouched). It prints "ctinit-probe: start|stop RUNLEVEL=… PREVLEVEL=…"
# to the console (the container log): S01 in rc2-5, K01 in rc0/rc6.
docker_image_ctinit_probe() {
  local kind=$1 bin=$2 extra ref
  extra=$(mktemp -d "$CTINIT_CACHE/tmp/probe.XXXXXX")
  mkdir -p "$extra/etc/init.d"
  cat >"$extra/etc/init.d/ctinit-probe" <<'PROBE'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          ctinit-probe
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 6
# Short-Description: ctinit e2e probe: says when the rc scripts run it
### END INIT INFO
case "$1" in
  start | stop) echo "ctinit-probe: $1 RUNLEVEL=${RUNLEVEL:-unset} PREVLEVEL=${PREVLEVEL:-unset}" ;;
  status) exit 0 ;;
  *) echo "Usage: $0 start|stop" >&2; exit 3 ;;
esac
exit 0
PROBE
  chmod 0755 "$extra/etc/init.d/ctinit-probe"
  ref=$(docker_image_ctinit "$kind" "$bin" "ctinit-test/$kind-ctinit-probe" "$extra" \
    'update-rc.d ctinit-probe defaults && ls /etc/rc0.d/ | grep -q ctinit-probe')
  rm -rf "$extra"
  printf '%s\n' "$ref"
}
