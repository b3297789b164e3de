// Unit loading: search path, aliases, masking, templates, drop-ins (see load.h).
#include "unit-compat/load.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "init/base/files.h"

namespace ctinit::units {

namespace {

constexpr int kMaxAliasHops = 16;

std::string TypeOf(const std::string& name) {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(dot + 1);
}

}  // namespace

std::vector<std::string> DefaultSearchPath() {
  return {"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
          "/usr/lib/systemd/system", "/lib/systemd/system"};
}

SpecifierContext LoadedUnit::Specifiers(const std::map<char, std::string>& host) const {
  return SpecifierContext{id, fragment_path, host};
}

UnitLoader::UnitLoader(std::string root, std::vector<std::string> search_path)
    : root_(std::move(root)), search_path_(std::move(search_path)) {
  while (!root_.empty() && root_.back() == '/') root_.pop_back();
}

struct UnitLoader::Lookup {
  std::string id;        // canonical name of what was found
  std::string fragment;  // in-root path
  bool masked = false;
  std::vector<std::string> names;  // names passed through (aliases)
};

// Resolves `name` through the search path and alias symlinks. Returns false if nothing is found.
bool UnitLoader::Find(const std::string& start, Lookup* out,
                      std::vector<UnitDiagnostic>* diags) const {
  std::string name = start;
  for (int hop = 0; hop < kMaxAliasHops; ++hop) {
    out->names.push_back(name);
    bool found = false;
    std::string next;
    for (const auto& dir : search_path_) {
      std::string path = dir + "/" + name;
      struct stat st {};
      if (lstat(Host(path).c_str(), &st) != 0) continue;
      if (S_ISLNK(st.st_mode)) {
        auto target = files::ReadLink(Host(path));
        if (!target) continue;
        if (*target == "/dev/null") {
          out->id = name;
          out->masked = true;
          return true;
        }
        std::string abs = (*target)[0] == '/' ? *target : dir + "/" + *target;
        if (files::BaseName(abs) == name) {  // a linked unit file
          struct stat ts {};
          if (stat(Host(abs).c_str(), &ts) != 0) continue;
          out->id = name;
          out->fragment = abs;
          out->masked = S_ISCHR(ts.st_mode) || (S_ISREG(ts.st_mode) && ts.st_size == 0);
          return true;
        }
        next = files::BaseName(abs);
        if (TypeOf(next) != TypeOf(name) || !ParseUnitName(next)) {
          diags->push_back({Severity::kWarning, path, 0, "", "",
                            "alias to \"" + next + "\" is not a valid alias, ignoring"});
          next.clear();
          continue;
        }
        found = true;
        break;
      }
      if (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)) {
        out->id = name;
        out->fragment = path;
        out->masked = S_ISCHR(st.st_mode) || st.st_size == 0;
        return true;
      }
    }
    if (!found) return false;
    name = next;
  }
  diags->push_back({Severity::kError, start, 0, "", "", "too many levels of aliases"});
  return false;
}

std::vector<std::string> UnitLoader::DropIns(const LoadedUnit& unit, const UnitName& parsed) const {
  // Directory names to look at in each search dir, in systemd's order.
  std::vector<std::string> dir_names;
  for (const auto& n : unit.names) {
    auto un = ParseUnitName(n);
    dir_names.push_back(n + ".d");
    if (un && un->IsInstance()) dir_names.push_back(un->TemplateName() + ".d");
    if (un) {
      std::string stem = un->prefix;
      for (size_t dash = stem.rfind('-'); dash != std::string::npos && dash > 0;
           dash = stem.rfind('-', dash - 1)) {
        dir_names.push_back(stem.substr(0, dash + 1) + "." + un->type + ".d");
      }
    }
  }
  dir_names.push_back(parsed.type + ".d");
  std::map<std::string, std::string> winners;  // file name -> in-root path ("" = masked)
  std::set<std::string> seen_dirs;
  for (const auto& dir : search_path_) {
    for (const auto& dn : dir_names) {
      std::string d = dir + "/" + dn;
      if (!seen_dirs.insert(d).second) continue;
      for (const auto& f : files::ListDir(Host(d))) {
        if (!f.ends_with(".conf") || winners.count(f)) continue;
        std::string p = d + "/" + f;
        struct stat lst {
        }, st{};
        if (lstat(Host(p).c_str(), &lst) != 0) continue;
        if (S_ISLNK(lst.st_mode)) {
          auto t = files::ReadLink(Host(p));
          if (t && *t == "/dev/null") {
            winners[f] = "";
            continue;
          }
        }
        if (stat(Host(p).c_str(), &st) != 0) continue;  // dangling symlink
        if (S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0)) {
          winners[f] = "";
          continue;
        }
        if (S_ISREG(st.st_mode)) winners[f] = p;
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& [f, p] : winners)
    if (!p.empty()) out.push_back(p);
  return out;
}

LoadedUnit UnitLoader::Load(std::string_view name_sv) const {
  LoadedUnit u;
  u.requested = std::string(name_sv);
  u.id = u.requested;
  auto diag = [&](Severity s, std::string msg) {
    u.diagnostics.push_back({s, u.requested, 0, "", "", std::move(msg)});
  };
  auto parsed = ParseUnitName(u.requested);
  if (!parsed) {
    diag(Severity::kError, "invalid unit name");
    u.state = LoadState::kError;
    return u;
  }
  if (parsed->IsTemplate()) {
    diag(Severity::kError, "a template cannot be loaded without an instance");
    u.state = LoadState::kError;
    return u;
  }
  Lookup lk;
  bool found = Find(u.requested, &lk, &u.diagnostics);
  if (!found && parsed->IsInstance()) {
    Lookup tl;
    if (Find(parsed->TemplateName(), &tl, &u.diagnostics)) {
      auto tn = ParseUnitName(tl.id);
      lk = std::move(tl);
      lk.names.insert(lk.names.begin(), u.requested);
      if (tn) lk.id = tn->prefix + "@" + parsed->instance + "." + tn->type;
      found = true;
    }
  }
  if (!found) {
    u.state = LoadState::kNotFound;
    diag(Severity::kWarning, "unit not found");
    return u;
  }
  u.id = lk.id;
  auto id_parsed = ParseUnitName(u.id);
  if (lk.masked) {
    u.state = LoadState::kMasked;
    u.names = {u.id};
    return u;
  }
  u.names = Names(u.id, lk.names);
  u.fragment_path = lk.fragment;

  ParseFiles(&u, id_parsed ? *id_parsed : *parsed);
  return u;
}

// The id, the names passed through, and symlinks in the search dirs aliasing the id.
std::vector<std::string> UnitLoader::Names(const std::string& id,
                                           const std::vector<std::string>& passed) const {
  std::set<std::string> aliases;
  for (const auto& n : passed) {
    auto pn = ParseUnitName(n);
    if (pn && !pn->IsTemplate() && n != id) aliases.insert(n);
  }
  for (const auto& dir : search_path_)
    for (const auto& f : files::ListDir(Host(dir))) {
      if (f == id || TypeOf(f) != TypeOf(id)) continue;
      auto t = files::ReadLink(Host(dir + "/" + f));
      if (t && files::BaseName(*t) == id) aliases.insert(f);
    }
  std::vector<std::string> names = {id};
  names.insert(names.end(), aliases.begin(), aliases.end());
  return names;
}

// The fragment, then the drop-ins; u->state says whether systemd would accept them.
void UnitLoader::ParseFiles(LoadedUnit* u, const UnitName& name) const {
  const Schema& schema = DefaultSchema(name.type);
  std::string text;
  if (!files::ReadFile(Host(u->fragment_path), &text)) {
    u->diagnostics.push_back(
        {Severity::kError, u->requested, 0, "", "", "cannot read " + u->fragment_path});
    u->state = LoadState::kError;
    return;
  }
  bool ok = u->file.Parse(text, u->fragment_path, schema, &u->diagnostics);
  u->dropin_paths = DropIns(*u, name);
  for (const auto& p : u->dropin_paths) {
    if (!files::ReadFile(Host(p), &text)) {
      u->diagnostics.push_back({Severity::kWarning, p, 0, "", "", "cannot read drop-in"});
      continue;
    }
    ok = u->file.Parse(text, p, schema, &u->diagnostics) && ok;
  }
  u->state = ok ? LoadState::kLoaded : LoadState::kError;
}

}  // namespace ctinit::units
