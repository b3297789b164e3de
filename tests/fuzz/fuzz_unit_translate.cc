// libFuzzer target: a whole unit as PID 1 takes it at boot: the file is parsed (unit_file.h),
// then translated into the service model (translate.h; a .socket also into its SocketSpec).
// The first byte picks the unit's name. The root does not exist, so EnvironmentFile=, User= and
// the like read nothing from this machine.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "unit-compat/enable.h"
#include "unit-compat/translate.h"

using namespace ctinit::units;  // NOLINT

namespace {
constexpr const char* kNames[] = {"fuzz.service", "fuzz@inst\\x2dx.service",
                                  "fuzz.socket",  "fuzz.target",
                                  "fuzz.timer",   "fuzz-a-b.service"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string name = kNames[data[0] % std::size(kNames)];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string type = name.substr(name.rfind('.') + 1);

  EnabledUnit unit;
  unit.name = name;
  unit.levels = data[0] & 0x80 ? "2345" : "";
  unit.unit.requested = unit.unit.id = name;
  unit.unit.names = {name};
  unit.unit.state = LoadState::kLoaded;
  unit.unit.fragment_path = "/etc/systemd/system/" + name;
  if (!unit.unit.file.Parse(text, unit.unit.fragment_path, DefaultSchema(type),
                            &unit.unit.diagnostics))
    return 0;  // PID 1 does not translate a rejected file

  TranslateContext ctx;
  ctx.root = "/nonexistent-ctinit-fuzz-root";
  ctx.host = {{'H', "host"}, {'m', "0123456789abcdef0123456789abcdef"}};
  ctx.manager_env = {"PATH=/usr/bin:/bin", "container=docker"};
  std::vector<ctinit::Diagnostic> diags;
  TranslateOutcome outcome;
  if (type == "socket") (void)TranslateSocket(unit, ctx, &diags);
  (void)TranslateUnit(unit, ctx, &diags, &outcome);
  for (const auto& d : diags) (void)d.ToString();
  return 0;
}
