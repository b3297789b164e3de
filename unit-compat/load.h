// Loading a unit by name the way systemd's manager does (unit_load_fragment(), unit-file.c,
// dropin.c), under a root prefix (the container's "/" in production, a temp tree in tests).
//
// Search path, highest priority first (DefaultSearchPath()): /etc/systemd/system,
// /run/systemd/system, /usr/local/lib/systemd/system, /usr/lib/systemd/system,
// /lib/systemd/system. All paths in a LoadedUnit and its diagnostics are as seen inside the
// root (the prefix is not shown).
//
// Finding the fragment: the first search dir that has an entry named NAME decides:
//   - a symlink to /dev/null, or an empty regular file: the unit is masked (kMasked);
//   - a symlink whose target's file name is NAME: a linked unit file, the target is the fragment
//     (an absolute target is taken inside the root);
//   - a symlink whose target's file name differs: NAME is an alias of that name, which is then
//     looked up again (at most 16 hops; the type suffix must stay the same);
//   - a regular file: the fragment.
// For an instance foo@bar.service with no file of its own anywhere, the template foo@.service
// is looked up the same way (an alias of the template, bar@.service, gives bar@inst.service).
// A template name without instance cannot be loaded (kError). No fragment: kNotFound.
//
// Names of the unit: the canonical id, every name met on the way (aliases), and every symlink in
// a search dir whose target's file name is the id (Alias= links made by `systemctl enable`).
//
// Drop-ins: for every search dir in priority order and every name, the directories NAME.d/, then
// for instances TEMPLATE.d/, then for dashed prefixes the "foo-.service.d/" style dirs (longest
// prefix first), then "service.d/" (the type). Their "*.conf" entries are merged by file name:
// for a file name present in several dirs the first (highest priority) one wins, and if that one
// is a symlink to /dev/null or empty it masks the name. The winners are applied in lexical order
// of file name, whatever dir they came from, after the fragment. So /etc/.../x.service.d/50-a.conf
// replaces /lib/.../x.service.d/50-a.conf, and /lib/.../x.service.d/60-b.conf still applies
// after it. Within a file and across files, an empty assignment resets a list (UnitFile::List).
//
// A fragment or drop-in with a syntax error that makes systemd refuse the file (invalid section
// header) gives kError. Warnings (unknown directive...) leave the unit loaded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "unit-compat/specifiers.h"
#include "unit-compat/unit_file.h"

namespace ctinit::units {

std::vector<std::string> DefaultSearchPath();

enum class LoadState { kLoaded, kNotFound, kMasked, kError };

struct LoadedUnit {
  std::string requested;           // the name asked for
  std::string id;                  // canonical name after aliases (an instance name for templates)
  std::vector<std::string> names;  // id first, then the aliases, sorted
  LoadState state = LoadState::kNotFound;
  std::string fragment_path;              // "" unless loaded
  std::vector<std::string> dropin_paths;  // in the order applied
  UnitFile file;
  std::vector<UnitDiagnostic> diagnostics;

  // Specifier context for this unit (host values from HostSpecifiers()).
  SpecifierContext Specifiers(const std::map<char, std::string>& host) const;
};

class UnitLoader {
 public:
  explicit UnitLoader(std::string root, std::vector<std::string> search_path = DefaultSearchPath());
  LoadedUnit Load(std::string_view name) const;

 private:
  struct Lookup;
  bool Find(const std::string& name, Lookup* out, std::vector<UnitDiagnostic>* diags) const;
  std::vector<std::string> DropIns(const LoadedUnit& unit, const UnitName& parsed) const;
  std::vector<std::string> Names(const std::string& id,
                                 const std::vector<std::string>& passed) const;
  void ParseFiles(LoadedUnit* unit, const UnitName& name) const;
  std::string Host(const std::string& path) const { return root_ + path; }

  std::string root_;
  std::vector<std::string> search_path_;
};

}  // namespace ctinit::units
