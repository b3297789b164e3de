#include "openrc-shim/lsb_header.h"

#include <algorithm>
#include <set>

#include "init/base/text.h"

namespace ctinit::openrc {

namespace {

constexpr std::string_view kBegin = "### BEGIN INIT INFO";
constexpr std::string_view kEnd = "### END INIT INFO";

void AddUnique(std::vector<std::string>* list, const std::string& name) {
  if (std::find(list->begin(), list->end(), name) == list->end()) list->push_back(name);
}

// "field: a b" of the first block, by lower-case field name. A repeated field: the last wins.
std::map<std::string, std::vector<std::string>> HeaderFields(std::string_view text) {
  std::map<std::string, std::vector<std::string>> fields;
  size_t at = text.find(kBegin);
  if (at == std::string_view::npos) return fields;
  for (const auto& raw : text::Split(text.substr(at + kBegin.size()), '\n')) {
    std::string_view line = text::Trim(raw);
    if (line.rfind(kEnd, 0) == 0) break;
    if (line.empty() || line[0] != '#') continue;
    line.remove_prefix(1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = text::Trim(line.substr(0, colon));
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) continue;
    fields[text::Lower(name)] = text::Words(line.substr(colon + 1));
  }
  return fields;
}

const std::vector<std::string>& Field(const std::map<std::string, std::vector<std::string>>& f,
                                      const char* name) {
  static const std::vector<std::string> none;
  auto it = f.find(name);
  return it == f.end() ? none : it->second;
}

// How a field's words turn into dependencies.
enum class Strength { kRequired, kShould, kBefore };

class Mapper {
 public:
  Mapper(const LsbFacilities& facilities, OpenrcDeps* deps)
      : facilities_(facilities), deps_(deps) {}

  void Add(const std::string& word, Strength strength) {
    if (word.empty()) return;
    if (word[0] == '$') {
      Expand(word, strength);
      return;
    }
    Member(word, strength, /*optional=*/false);
  }

 private:
  void Member(const std::string& name, Strength strength, bool optional) {
    if (name.empty()) return;
    switch (strength) {
      case Strength::kRequired:
        AddUnique(optional ? &deps_->use : &deps_->need, name);
        break;
      case Strength::kShould:
        AddUnique(&deps_->use, name);
        break;
      case Strength::kBefore:
        AddUnique(&deps_->before, name);
        break;
    }
  }

  // A facility's members, nested facilities included once (insserv.conf may loop).
  void Expand(const std::string& facility, Strength strength) {
    if (!expanding_.insert(facility).second) return;
    auto it = facilities_.find(facility);
    if (it != facilities_.end()) {
      for (const auto& member : it->second) {
        if (member[0] == '$')
          Expand(member, strength);
        else if (member[0] == '+')
          Member(member.substr(1), strength, /*optional=*/true);
        else
          Member(member, strength, /*optional=*/false);
      }
    }
    expanding_.erase(facility);
  }

  const LsbFacilities& facilities_;
  OpenrcDeps* deps_;
  std::set<std::string> expanding_;
};

}  // namespace

void ParseInsservConf(std::string_view text, LsbFacilities* facilities) {
  for (const auto& raw : text::Split(text, '\n')) {
    std::string_view line = text::Trim(raw);
    if (line.size() < 2 || line[0] != '$') continue;
    std::vector<std::string> words = text::Words(line);
    std::string name = words.front();
    words.erase(words.begin());
    (*facilities)[name] = std::move(words);
  }
}

LsbFacilities DefaultLsbFacilities() {
  return {
      {"$local_fs", {"+localmount"}}, {"$remote_fs", {"$local_fs", "+netmount"}},
      {"$network", {"+net"}},         {"$named", {"+dns", "$network"}},
      {"$portmap", {"+rpcbind"}},     {"$syslog", {"+logger"}},
      {"$time", {"+clock"}},
  };
}

bool HasLsbHeader(std::string_view text) { return text.find(kBegin) != std::string_view::npos; }

OpenrcDeps LsbHeaderDeps(const std::string& service, std::string_view text,
                         const LsbFacilities& facilities) {
  OpenrcDeps deps;
  auto fields = HeaderFields(text);
  if (fields.empty()) return deps;
  Mapper map(facilities, &deps);
  bool after_all = false;
  for (const char* name : {"required-start", "should-start"}) {
    for (const auto& w : Field(fields, name)) after_all = after_all || w == "$all";
  }
  for (const auto& p : Field(fields, "provides"))
    if (p != service && p[0] != '$') AddUnique(&deps.provide, p);
  if (!after_all) AddUnique(&deps.provide, "_all");
  for (const char* name : {"required-start", "required-stop"}) {
    for (const auto& w : Field(fields, name)) {
      if (w == "$all")
        AddUnique(&deps.use, "_all");
      else
        map.Add(w, Strength::kRequired);
    }
  }
  for (const char* name : {"should-start", "should-stop"}) {
    for (const auto& w : Field(fields, name)) {
      if (w == "$all")
        AddUnique(&deps.use, "_all");
      else
        map.Add(w, Strength::kShould);
    }
  }
  for (const char* name : {"x-start-before", "x-stop-after"}) {
    for (const auto& w : Field(fields, name)) map.Add(w, Strength::kBefore);
  }
  return deps;
}

}  // namespace ctinit::openrc
