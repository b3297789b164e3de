#!/usr/bin/env bash
# Installs everything ctinit needs to build and to run its whole test suite on Debian 12
# (`--demo`: only what scripts/demo.sh needs). Idempotent; needs root (CI and the README's
# commands run it as root).
set -euo pipefail
# What scripts/demo.sh needs: the build, and a private dockerd running a debootstrapped image.
pkgs=(
  cmake g++ make pkg-config
  # Boost.Asio is header-only in 1.74 (Boost.System too): the headers are enough
  libboost-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  util-linux procps debootstrap xz-utils docker.io runc
)
# The whole test suite (tests/run-all.sh) needs the rest; `--demo` leaves it out.
if [[ ${1:-} != --demo ]]; then
  pkgs+=(
    clang-format googletest libgtest-dev libgmock-dev
    # tests/fuzz: clang with libFuzzer and the sanitizer runtimes
    clang-14 libclang-rt-14-dev
    # integration and e2e: namespaces, rootfs building, the runtimes
    psmisc busybox-static docker-compose lxc lxc-templates
    # tests/contrib: metadata.xml (xmllint), the YAML files, the man pages (groff, man -l)
    libxml2-utils python3-yaml groff-base man-db
  )
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# incus 6.0 (tests/e2e/test_incus.sh, bench/incus-stop.sh) comes from bookworm-backports. The
# suite is added with the same archive (URIs) and keyring as the machine's own Debian source,
# so local mirrors and proxies keep working and nothing here names a mirror host.
incus_pkgs=(incus-base incus-client)
backports_suite() {
  local f uri keyring
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
    [[ -n $uri ]] || continue
    keyring=$(awk '/^Signed-By:/ { print $2; exit }' "$f")
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\n' "$uri"
    [[ -n $keyring ]] && printf 'Signed-By: %s\n' "$keyring"
    return 0
  done
  if [[ -r /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { if ($i !~ /security/) { print $i; exit } ; break } }' \
      /etc/apt/sources.list)
    [[ -n $uri ]] && printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\n' "$uri" && return 0
  fi
  return 1
}
incus_missing=0
for p in "${incus_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || incus_missing=1
done
if ((incus_missing)); then
  list=/etc/apt/sources.list.d/ctinit-backports.sources
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    backports_suite >"$list" || { rm -f "$list"; echo "install-deps: no Debian archive in apt's sources" >&2; exit 1; }
  fi
  echo "install-deps: installing ${incus_pkgs[*]} from bookworm-backports"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -t bookworm-backports "${incus_pkgs[@]}" >/dev/null
fi
