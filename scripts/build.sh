#!/usr/bin/env bash
# Builds the static, stripped binary at build/ctinit and the unit tests (unless the tree was
# configured by tests/run-all.sh to use its ASan build of them).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCTINIT_TESTS=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
