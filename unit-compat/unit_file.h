// systemd unit-file syntax (systemd.syntax(7), conf-parser.c config_parse()) into an intermediate
// representation: the ordered list of assignments, each with its file and line. Directive
// semantics (which keys are lists, what an empty value means for a scalar) belong to the callers;
// UnitFile offers the two generic views (Last() and List()).
//
// Syntax, exactly as systemd v252 reads it
//   - Lines end at "\n", "\r\n", "\r" or a NUL byte. A UTF-8 byte-order mark at the start of the
//     file is skipped.
//   - Continuation: a line that ends with an odd number of backslashes (the last one unescaped)
//     is joined with the next line, the backslash replaced by a space. Comment lines met while
//     joining are skipped. At end of file a pending continuation is parsed as it stands.
//   - Each (joined) line is stripped of blanks (space, tab, CR, LF) at both ends. Empty lines and
//     lines starting with '#' or ';' are comments. There are no trailing comments: "A=1 # x" sets
//     A to "1 # x".
//   - "[Section]": the whole stripped line must end in ']'; otherwise the file is rejected
//     ("Invalid section header", an error: systemd refuses to load the unit). Sections are
//     case-sensitive. A section not valid for the unit type gives a warning and its assignments
//     are ignored silently; sections starting with "X-" are ignored silently.
//   - "Key=Value": split at the first '='; key and value are stripped. No '=' or an empty key is a
//     warning and the line is ignored. An assignment before any section is a warning.
//   - Unknown key in a known section: warning naming file, line, section and directive; keys
//     starting with "X-" are ignored silently. Keys are case-sensitive.
//   - Invalid UTF-8 on a line: warning, line ignored. A line, or continuation lines joined,
//     longer than 1 MiB: error (the file is not loaded).
//   - Every assignment is kept, in order, with its file:line; "Key=" (empty value) is kept too.
//     List(): the values after the last empty assignment (systemd's "empty resets the list").
//     Last(): the last assignment (whose value may be empty, meaning "back to the default").
//
// Known sections and directives come from a Schema. DefaultSchema() knows systemd's [Unit],
// [Install], [Service], [Socket], [Timer], [Path], [Mount], [Automount], [Swap], [Slice] and
// [Scope] sections with the directives of systemd 252/253 (exec, kill and resource-control
// directives included), so a unit from a distribution package gives no spurious warnings. A key
// systemd knows but ctinit does not implement is *not* reported here (that is the translator's
// job, which knows what it implements).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "init/model/service.h"

namespace ctinit::units {

enum class Severity { kWarning, kError };

struct UnitDiagnostic {
  Severity severity = Severity::kWarning;
  std::string file;
  int line = 0;
  std::string section;    // empty when not about a section
  std::string directive;  // empty when not about a directive
  std::string message;
  // "/lib/systemd/system/x.service:12: [Service] Foo: unknown directive, ignoring"
  std::string ToString() const;
  Diagnostic ToDiagnostic() const;
};

struct Assignment {
  std::string section;
  std::string key;
  std::string value;
  std::string file;
  int line = 0;
};

// Which sections a unit type has and which keys each accepts.
struct Schema {
  std::map<std::string, std::set<std::string>, std::less<>> sections;
  bool Knows(std::string_view section) const { return sections.count(section) > 0; }
  bool Knows(std::string_view section, std::string_view key) const;
};
// The schema for a unit type ("service", "socket", "target", ...; the name suffix without the
// dot). Unknown types get [Unit] and [Install] only.
const Schema& DefaultSchema(std::string_view unit_type);

class UnitFile {
 public:
  // Parses `text` (the contents of `file`) and appends its assignments. Returns false if the file
  // is rejected (an error diagnostic was added and nothing from it was kept).
  bool Parse(std::string_view text, const std::string& file, const Schema& schema,
             std::vector<UnitDiagnostic>* diags);

  const std::vector<Assignment>& assignments() const { return assignments_; }
  // Last assignment of section.key, or nullptr.
  const Assignment* Last(std::string_view section, std::string_view key) const;
  // Values after the last empty assignment, in order.
  std::vector<const Assignment*> List(std::string_view section, std::string_view key) const;
  bool HasSection(std::string_view section) const;

 private:
  std::vector<Assignment> assignments_;
  std::set<std::string> sections_;
};

}  // namespace ctinit::units
