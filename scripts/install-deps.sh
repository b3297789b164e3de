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
