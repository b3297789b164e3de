#include "init/base/passwd.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "init/base/text.h"

namespace ctinit::passwd {

namespace {

bool ParseId(const std::string& s, unsigned long* out) {
  if (s.empty() || s.size() > 10) return false;
  if (!std::all_of(s.begin(), s.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return false;
  *out = std::stoul(s);
  return *out <= 0xfffffffeUL;
}

bool Skip(const std::string& line) {
  return line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-';
}

std::string Join(const std::string& root, const char* file) {
  if (root.empty() || root == "/") return file;
  return (root.back() == '/' ? root.substr(0, root.size() - 1) : root) + file;
}

template <typename F>
void EachLine(const std::string& path, F fn) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Skip(line)) continue;
    if (fn(line)) return;
  }
}

}  // namespace

std::optional<User> FindUser(const std::string& root, const std::string& name_or_uid) noexcept {
  try {
    unsigned long id = 0;
    bool numeric = ParseId(name_or_uid, &id);
    std::optional<User> found;
    EachLine(Join(root, "/etc/passwd"), [&](const std::string& line) {
      auto f = text::Split(line, ':');
      unsigned long uid = 0, gid = 0;
      if (f.size() != 7 || f[0].empty() || !ParseId(f[2], &uid) || !ParseId(f[3], &gid))
        return false;
      if (f[0] == name_or_uid || (numeric && uid == id)) {
        found = User{f[0], static_cast<uid_t>(uid), static_cast<gid_t>(gid), f[5], f[6]};
        return true;
      }
      return false;
    });
    if (!found && numeric) {
      found = User{name_or_uid, static_cast<uid_t>(id), static_cast<gid_t>(id), "/", "/bin/sh"};
    }
    return found;
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<Group> FindGroup(const std::string& root, const std::string& name_or_gid) noexcept {
  try {
    unsigned long id = 0;
    bool numeric = ParseId(name_or_gid, &id);
    std::optional<Group> found;
    EachLine(Join(root, "/etc/group"), [&](const std::string& line) {
      auto f = text::Split(line, ':');
      unsigned long gid = 0;
      if (f.size() != 4 || f[0].empty() || !ParseId(f[2], &gid)) return false;
      if (f[0] == name_or_gid || (numeric && gid == id)) {
        Group g{f[0], static_cast<gid_t>(gid), {}};
        if (!f[3].empty()) g.members = text::Split(f[3], ',');
        found = std::move(g);
        return true;
      }
      return false;
    });
    if (!found && numeric) found = Group{name_or_gid, static_cast<gid_t>(id), {}};
    return found;
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<Credentials> Resolve(const std::string& root, const std::string& user_spec,
                                   const std::string& group_spec,
                                   const std::vector<std::string>& extra_groups,
                                   std::string* error) noexcept {
  try {
    std::string user = user_spec, group = group_spec;
    if (auto colon = user.find(':'); colon != std::string::npos && group.empty()) {
      group = user.substr(colon + 1);
      user = user.substr(0, colon);
    }
    auto u = FindUser(root, user);
    if (!u) {
      if (error) *error = "unknown user \"" + user + "\"";
      return std::nullopt;
    }
    Credentials c;
    c.uid = u->uid;
    c.gid = u->gid;
    c.user_name = u->name;
    c.home = u->home;
    c.shell = u->shell;
    if (!group.empty()) {
      auto g = FindGroup(root, group);
      if (!g) {
        if (error) *error = "unknown group \"" + group + "\"";
        return std::nullopt;
      }
      c.gid = g->gid;
    }
    c.groups.push_back(c.gid);
    auto add = [&](gid_t g) {
      if (std::find(c.groups.begin(), c.groups.end(), g) == c.groups.end()) c.groups.push_back(g);
    };
    EachLine(Join(root, "/etc/group"), [&](const std::string& line) {
      auto f = text::Split(line, ':');
      unsigned long gid = 0;
      if (f.size() != 4 || !ParseId(f[2], &gid) || f[3].empty()) return false;
      for (const auto& m : text::Split(f[3], ','))
        if (m == u->name) add(static_cast<gid_t>(gid));
      return false;
    });
    for (const auto& name : extra_groups) {
      auto g = FindGroup(root, name);
      if (!g) {
        if (error) *error = "unknown group \"" + name + "\"";
        return std::nullopt;
      }
      add(g->gid);
    }
    return c;
  } catch (...) {
    if (error) *error = "out of memory";
    return std::nullopt;
  }
}

}  // namespace ctinit::passwd
