// libFuzzer target: every value parser of unit-compat (values.h) and the unit name and
// specifier functions (specifiers.h). The first byte picks the parser, the rest is the value as
// it stands after the `=` of a directive.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unit-compat/specifiers.h"
#include "unit-compat/values.h"

using namespace ctinit::units;  // NOLINT

namespace {

std::optional<std::string> Identity(std::string_view s, std::string*) { return std::string(s); }

void ParseNames(std::string_view v) {
  if (auto name = ParseUnitName(v)) {
    // A parsed name prints back as itself.
    if (name->Full() != v) abort();
    (void)name->TemplateName();
  }
  std::string escaped = UnitNameEscape(v);
  (void)UnitNameUnescape(escaped);
  (void)UnitNameUnescape(v);
  (void)UnitNamePathUnescape(v);
}

void ParseExecAndEnvironment(std::string_view v, unsigned selector) {
  std::string err;
  std::vector<ExecCommand> cmds;
  bool fatal = false;
  if (ParseExecLine(v, Identity, &cmds, &err, &fatal)) {
    EnvList env = {"A=1", "B=two words", "PATH=/bin"};
    for (const auto& c : cmds) (void)ExpandExecArgv(c.argv, env);
  }
  EnvList env;
  std::vector<std::string> warnings;
  ParseEnvironment(v, Identity, &env, &warnings);
  (void)ReplaceEnv(v, env);
  (void)ParseEnvironmentFileValue(v, &err);
  (void)ParseEnvFile(v, "/etc/default/fuzz", &warnings);
  size_t pos = 0;
  std::string word;
  while (ExtractFirstWord(v, pos, &word, selector & 15) > 0 && pos != std::string::npos) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  unsigned selector = data[0];
  std::string_view v(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string err;
  std::vector<std::string> warnings;
  switch (selector % 12) {
    case 0:
      (void)ParseTimeSpan(v, selector & 16 ? kUsecPerMsec : kUsecPerSec, &err);
      break;
    case 1:
      (void)ParseBoolean(v);
      (void)ParseFileMode(v);
      break;
    case 2:
      (void)SplitWords(v, selector >> 4);
      break;
    case 3:
      ParseExecAndEnvironment(v, selector >> 4);
      break;
    case 4: {
      ExitStatusSet set;
      ParseExitStatusSet(v, &set, &warnings);
      (void)ParseExitStatus(v);
      break;
    }
    case 5:
      if (auto sig = ParseSignal(v)) (void)SignalName(*sig);
      (void)SignalName(static_cast<int>(size) - 3);
      break;
    case 6:
      (void)ParseRestart(v), (void)ParseKillMode(v), (void)ParseNotifyAccess(v);
      (void)ParseServiceType(v);
      break;
    case 7:
      (void)ParseOutput(v, &err);
      break;
    case 8: {
      static constexpr const char* kResources[] = {"NOFILE", "CORE",   "CPU",   "AS",     "NICE",
                                                   "RTPRIO", "RTTIME", "STACK", "MEMLOCK"};
      (void)ParseRlimit(kResources[(selector >> 4) % std::size(kResources)], v, &err);
      break;
    }
    case 9:
      (void)ParseSize(v);
      break;
    case 10:
      ParseNames(v);
      break;
    case 11: {
      SpecifierContext ctx;
      ctx.id = "fuzz@i-x.service";
      ctx.fragment_path = "/lib/systemd/system/fuzz@.service";
      ctx.host = {{'H', "host.example"}, {'m', "0123456789abcdef0123456789abcdef"}};
      (void)ExpandSpecifiers(v, ctx, &err);
      break;
    }
  }
  return 0;
}
