#!/usr/bin/env bash
# The dependency arrows of docs/design.md, checked on every #include "…" of the tree: a layer
# may include its own headers and those of the layers listed for it, nothing else (tests, the
# *_test.cc files, may reach further). The CMake libraries link along the same arrows; this
# catches what the linker cannot: a header-only use of a layer above.
set -euo pipefail
cd "$(dirname "$0")/.."

# layer (folder) -> folders it may include from (besides itself).
declare -A allowed=(
  [init/model]=""
  [init/base]="init/model"
  [init/protocol]="init/base"
  [init/engine]="init/model init/base"
  [init/runtime]="init/engine init/protocol init/model init/base"
  [init/clients]="init/protocol init/base"
  [inittab]="init/model init/base"
  [openrc-shim]="init/model init/base"
  [openrc-shim/applets]="openrc-shim init/protocol init/model init/base"
  [unit-compat]="init/model init/base"
  [unit-compat/clients]="unit-compat init/protocol init/model init/base"
  [init/program]="*"
)

bad=0 checked=0
while IFS= read -r file; do
  [[ $file == *_test* ]] && continue  # tests and their helpers (foo_test.cc, unit_test_root.h)
  layer=$(dirname "$file")
  [[ -v allowed[$layer] ]] || { echo "check_layers: $file: folder $layer has no entry"; bad=1; continue; }
  [[ ${allowed[$layer]} == "*" ]] && continue
  while IFS= read -r inc; do
    checked=$((checked + 1))
    dir=$(dirname "$inc")
    ok=0
    for a in "$layer" ${allowed[$layer]}; do [[ $dir == "$a" ]] && ok=1; done
    if ((!ok)); then
      echo "check_layers: $file includes \"$inc\": $layer may not depend on $dir"
      bad=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(git ls-files -co --exclude-standard -- 'init/*.h' 'init/*.cc' 'inittab/*.h' \
  'inittab/*.cc' 'openrc-shim/*.h' 'openrc-shim/*.cc' 'unit-compat/*.h' 'unit-compat/*.cc')
# The model is plain data: no Boost, no YAML, no logging library; the engine is pure logic
# without Asio.
for f in $(git ls-files -co --exclude-standard -- 'init/model/*' 'init/engine/*'); do
  [[ $f == *_test* ]] && continue
  if grep -nE '^#include <(boost|yaml-cpp)/' "$f"; then
    echo "check_layers: $f: the model and the engine use no Boost or yaml-cpp"
    bad=1
  fi
done
if ((bad)); then
  echo "0 passed, 1 failed"
  exit 1
fi
echo "check_layers: $checked includes follow the arrows"
