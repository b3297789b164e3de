// systemd unit-file syntax (see unit_file.h).
#include "unit-compat/unit_file.h"

#include <optional>

#include "init/base/text.h"

namespace ctinit::units {

namespace {

constexpr size_t kLongLineMax = 1024 * 1024;

bool Utf8IsValid(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

// Splits into lines at \n, \r\n, \r and NUL. Returns (text, 1-based number) pairs.
std::vector<std::string_view> SplitLines(std::string_view t) {
  std::vector<std::string_view> lines;
  size_t start = 0, i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '\n' || c == '\r' || c == '\0') {
      lines.push_back(t.substr(start, i - start));
      if (c == '\r' && i + 1 < t.size() && t[i + 1] == '\n') ++i;
      start = ++i;
    } else {
      ++i;
    }
  }
  if (start < t.size()) lines.push_back(t.substr(start));
  return lines;
}

bool EndsWithUnescapedBackslash(std::string_view s) {
  bool escaped = false;
  for (char c : s) escaped = escaped ? false : c == '\\';
  return escaped;
}

}  // namespace

// Built with append() only: GCC 12 at -O2 reports a false -Wrestrict for "[" + std::string.
namespace {
std::string Describe(const UnitDiagnostic& d) {
  std::string m;
  if (d.severity == Severity::kError) m.append("error: ");
  if (!d.section.empty()) m.append("[").append(d.section).append("] ");
  if (!d.directive.empty()) m.append(d.directive).append(": ");
  return m.append(d.message);
}
}  // namespace

std::string UnitDiagnostic::ToString() const {
  std::string out = file;
  if (line > 0) out.append(":").append(std::to_string(line));
  return out.append(": ").append(Describe(*this));
}

Diagnostic UnitDiagnostic::ToDiagnostic() const { return Diagnostic{file, line, Describe(*this)}; }

bool Schema::Knows(std::string_view section, std::string_view key) const {
  auto it = sections.find(section);
  return it != sections.end() && it->second.count(std::string(key)) > 0;
}

bool UnitFile::Parse(std::string_view text, const std::string& file, const Schema& schema,
                     std::vector<UnitDiagnostic>* diags) {
  std::vector<Assignment> out;
  std::vector<UnitDiagnostic> local;
  auto diag = [&](Severity sev, int line, std::string section, std::string key, std::string msg) {
    local.push_back({sev, file, line, std::move(section), std::move(key), std::move(msg)});
  };
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::optional<std::string> section;  // nullopt: none yet or an ignored one
  bool section_ignored = false;
  bool failed = false;

  auto parse_line = [&](std::string_view raw, int line) {
    std::string_view l = text::Trim(raw);
    if (l.empty() || l[0] == '#' || l[0] == ';') return;
    if (!Utf8IsValid(l)) {
      diag(Severity::kWarning, line, "", "", "invalid UTF-8, ignoring line");
      return;
    }
    if (l[0] == '[') {
      if (l.back() != ']' || l.size() < 2) {
        diag(Severity::kError, line, "", "",
             "invalid section header '" + std::string(l) + "'; the file is not loaded");
        failed = true;
        return;
      }
      std::string name(l.substr(1, l.size() - 2));
      if (!schema.Knows(name)) {
        if (!name.starts_with("X-"))
          diag(Severity::kWarning, line, name, "", "unknown section, ignoring");
        section.reset();
        section_ignored = true;
      } else {
        section = name;
        section_ignored = false;
        sections_.insert(name);
      }
      return;
    }
    if (!section) {
      if (!section_ignored)
        diag(Severity::kWarning, line, "", "", "assignment outside of section, ignoring");
      return;
    }
    size_t eq = l.find('=');
    if (eq == std::string_view::npos) {
      diag(Severity::kWarning, line, *section, "", "missing '=', ignoring line");
      return;
    }
    if (eq == 0) {
      diag(Severity::kWarning, line, *section, "", "missing key name before '=', ignoring line");
      return;
    }
    std::string key(text::Trim(l.substr(0, eq)));
    std::string value(text::Trim(l.substr(eq + 1)));
    if (!schema.Knows(*section, key)) {
      if (!key.starts_with("X-"))
        diag(Severity::kWarning, line, *section, key, "unknown directive, ignoring");
      return;
    }
    out.push_back({*section, std::move(key), std::move(value), file, line});
  };

  // Continuation lines are appended in place and only the new piece is scanned for the final
  // backslash (the text before it ends in the space that replaced one), so joining n lines is
  // linear; systemd caps the joined line at 1 MiB and refuses the file beyond.
  std::optional<std::string> continuation;
  int line = 0;
  for (std::string_view l : SplitLines(text)) {
    ++line;
    if (failed) break;
    if (l.size() > kLongLineMax) {
      diag(Severity::kError, line, "", "", "line too long; the file is not loaded");
      failed = true;
      break;
    }
    if (continuation) {
      std::string_view s = l;
      while (!s.empty() && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r'))
        s.remove_prefix(1);
      if (!s.empty() && (s[0] == '#' || s[0] == ';')) continue;
      if (continuation->size() + l.size() > kLongLineMax) {
        diag(Severity::kError, line, "", "", "continuation line too long; the file is not loaded");
        failed = true;
        break;
      }
      continuation->append(l);
    }
    if (EndsWithUnescapedBackslash(l)) {
      if (!continuation) continuation.emplace(l);
      continuation->back() = ' ';
      continue;
    }
    // A joined assignment is reported at its last line, as systemd does.
    if (continuation) {
      parse_line(*continuation, line);
      continuation.reset();
    } else {
      parse_line(l, line);
    }
  }
  if (continuation && !failed) parse_line(*continuation, line);

  for (auto& d : local) diags->push_back(std::move(d));
  if (failed) return false;
  for (auto& a : out) assignments_.push_back(std::move(a));
  return true;
}

const Assignment* UnitFile::Last(std::string_view section, std::string_view key) const {
  for (auto it = assignments_.rbegin(); it != assignments_.rend(); ++it)
    if (it->section == section && it->key == key) return &*it;
  return nullptr;
}

std::vector<const Assignment*> UnitFile::List(std::string_view section,
                                              std::string_view key) const {
  std::vector<const Assignment*> out;
  for (const auto& a : assignments_) {
    if (a.section != section || a.key != key) continue;
    if (a.value.empty())
      out.clear();
    else
      out.push_back(&a);
  }
  return out;
}

bool UnitFile::HasSection(std::string_view section) const {
  return sections_.count(std::string(section)) > 0;
}

}  // namespace ctinit::units
