#!/usr/bin/env bash
# Installs everything ctinit needs to build and to run its whole test suite on Debian 12.
# Idempotent; needs root (CI and the README's commands run it as root).
set -euo pipefail
pkgs=(
  cmake g++ make pkg-config clang-format
  # tests/fuzz: clang with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
  libboost-all-dev libyaml-cpp-dev libspdlog-dev libfmt-dev googletest libgtest-dev libgmock-dev
  # integration and e2e: namespaces, rootfs building, the runtimes
  util-linux procps psmisc busybox-static debootstrap xz-utils
  docker.io docker-compose runc lxc lxc-templates
  # tests/contrib: metadata.xml (xmllint), the YAML files, the man pages (groff, man -l)
  libxml2-utils python3-yaml groff-base man-db
)
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
