// libFuzzer target: a unit file (unit-compat/unit_file.h), as found in an image's
// /etc/systemd/system or /lib/systemd/system. The first byte picks the unit type (the schema);
// every assignment's value then goes through the specifier expansion PID 1 applies to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "unit-compat/specifiers.h"
#include "unit-compat/unit_file.h"

namespace {
constexpr const char* kTypes[] = {"service", "socket", "target", "timer",
                                  "path",    "mount",  "slice",  "scope"};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string type = kTypes[data[0] % std::size(kTypes)];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  ctinit::units::UnitFile file;
  std::vector<ctinit::units::UnitDiagnostic> diags;
  bool loaded = file.Parse(text, "/etc/systemd/system/fuzz@i." + type,
                           ctinit::units::DefaultSchema(type), &diags);
  if (!loaded && !file.assignments().empty()) abort();  // a rejected file keeps nothing
  for (const auto& d : diags) (void)d.ToString();
  ctinit::units::SpecifierContext ctx;
  ctx.id = "fuzz@i." + type;
  ctx.fragment_path = "/etc/systemd/system/fuzz@." + type;
  ctx.host = {{'H', "host"}, {'m', "0123456789abcdef0123456789abcdef"}};
  for (const auto& a : file.assignments()) {
    (void)file.Last(a.section, a.key);
    (void)file.List(a.section, a.key);
    std::string err;
    (void)ctinit::units::ExpandSpecifiers(a.value, ctx, &err);
  }
  return 0;
}
