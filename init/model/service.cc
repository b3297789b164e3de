#include "init/model/service.h"

#include <string_view>

namespace ctinit {

namespace {
constexpr std::string_view kShellChars = "~`!$^&*()=|\\{}[];\"'<>?";
constexpr size_t kMaxArgs = 14;
}  // namespace

Command Command::FromSysvLine(const std::string& text, bool no_shell) {
  Command c;
  c.text = text;
  if (!no_shell && text.find_first_of(kShellChars) != std::string::npos) {
    // "exec" so that the service's process is the command itself, not a shell around it: the
    // supervisor waits for and signals that pid (sysvinit and busybox do the same).
    c.argv = {"/bin/sh", "-c", "exec " + text};
    return c;
  }
  size_t i = 0;
  while (i < text.size() && c.argv.size() < kMaxArgs) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] == '#') break;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    c.argv.push_back(text.substr(i, j - i));
    i = j;
  }
  return c;
}

std::string Diagnostic::ToString() const {
  if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}

}  // namespace ctinit
