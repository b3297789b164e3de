#include "inittab/getty_terminal.h"

#include <string_view>
#include <vector>

#include "init/base/files.h"
#include "init/base/text.h"

namespace ctinit::inittab {

namespace {

bool IsGetty(std::string_view word) { return files::BaseName(word).ends_with("getty"); }

// "/etc/inittab:12" -> {"/etc/inittab", 12}; an origin without a line number gives line 0.
Diagnostic At(const std::string& origin, std::string message) {
  auto colon = origin.rfind(':');
  if (colon != origin.npos)
    if (auto line = text::ParseCount(origin.substr(colon + 1)))
      return {origin.substr(0, colon), static_cast<int>(*line), std::move(message)};
  return {origin, 0, std::move(message)};
}

}  // namespace

std::optional<std::string> GettyTerminal(const Command& command) {
  // The text as written: the argv of a shell-form entry is /bin/sh -c "exec ...".
  std::vector<std::string> words = text::Words(command.text);
  if (words.empty() || !IsGetty(words[0])) return std::nullopt;
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.starts_with("-")) continue;
    if (w.starts_with("/dev/")) return w;
    if (w.starts_with("tty") || w.starts_with("hvc") || w.starts_with("console"))
      return "/dev/" + w;
  }
  return std::nullopt;
}

void DropGettysWithoutTerminal(ServiceSet* set,
                               const std::function<bool(const std::string& dev_path)>& exists) {
  std::vector<ServiceSpec> kept;
  kept.reserve(set->services.size());
  for (auto& s : set->services) {
    auto tty = s.action_label == "respawn" ? GettyTerminal(s.command) : std::nullopt;
    if (!tty || exists(*tty)) {
      kept.push_back(std::move(s));
      continue;
    }
    set->diagnostics.push_back(At(s.origin, "getty on " + *tty +
                                                " disabled: no such terminal here (the runtime "
                                                "gives none, e.g. incus's lxc.tty.max = 0), not "
                                                "respawning it"));
    set->inactive.emplace_back(s.name, "no terminal " + *tty);
  }
  set->services = std::move(kept);
}

}  // namespace ctinit::inittab
