// systemctl's online verbs: they ask the running ctinit over its control socket (see
// systemctl.h, "Online").
#include <fnmatch.h>

#include <algorithm>
#include <ctime>
#include <ostream>
#include <sstream>

#include "unit-compat/clients/systemctl_ctl.h"

namespace ctinit::units::systemctl_internal {

// systemd's ActiveState / SubState for a ctinit state.
std::pair<std::string, std::string> ActiveSub(const Remote& r) {
  std::string st = r.Get("state");
  if (st == "started")
    return {"active", r.Get("pid") != "0" && !r.Get("pid").empty() ? "running" : "exited"};
  if (st == "starting") return {"activating", "start"};
  if (st == "stopping") return {"deactivating", "stop"};
  if (st == "failed") return {"failed", "failed"};
  return {"inactive", "dead"};
}

std::string WithType(const std::string& n, const char* suffix) {
  if (n.empty() || n[0] == '/' || n.find_first_of("*?[") != std::string::npos) return n;
  auto p = n.rfind('.');
  if (p != std::string::npos && p > 0) {
    std::string t = n.substr(p + 1);
    for (const char* k : {"service", "socket", "target", "timer", "mount", "path", "swap", "slice",
                          "scope", "device", "automount"})
      if (t == k) return n;
  }
  return n + suffix;
}

Remote Ctl::StatusOf(const std::string& unit) const {
  Remote r;
  control::Reply rep = Call({"status", unit});
  r.code = rep.code;
  if (rep.code < 0) return r;
  std::istringstream in(rep.text);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {
      first = false;
      if (line.find('=') == std::string::npos) continue;  // the human first line
    }
    auto eq = line.find('=');
    if (eq != std::string::npos) r.kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return r;
}

int Ctl::Job(const std::string& verb, const std::vector<std::string>& units) {
  std::string what = verb == "reload-or-restart" ? "restart" : verb;
  int rc = 0;
  for (const auto& u0 : units) {
    std::string u = WithType(u0);
    std::string v = what;
    if (verb == "reload-or-restart") {
      Remote r = StatusOf(u);
      if (r.code == 0 && ActiveSub(r).first == "active") {
        control::Reply rr = Call({"reload", u}, std::chrono::seconds(90));
        if (rr.code == 0) continue;
      }
    }
    control::Reply rep = Call({v, u}, std::chrono::seconds(90));
    std::string text = rep.text;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (rep.code == 0) continue;
    if (rep.code < 0) {
      err_ << "Failed to " << v << " " << u << ": " << text << "\n";
      rc = 1;
    } else if (rep.code == 4) {
      err_ << "Failed to " << v << " " << u << ": Unit " << u << " not found.\n";
      rc = 5;
    } else {
      err_ << "Job for " << u << " failed: " << text << ".\nSee \"systemctl status " << u
           << "\" for details.\n";
      if (rc == 0) rc = 1;
    }
  }
  return rc;
}

int Ctl::IsActive(const std::vector<std::string>& units, bool failed) {
  bool any = false;
  for (const auto& u0 : units) {
    Remote r = StatusOf(WithType(u0));
    std::string st = r.code == 4 || r.code < 0 ? "inactive" : ActiveSub(r).first;
    if (!quiet_) out_ << st << "\n";
    any |= failed ? st == "failed" : st == "active";
  }
  if (failed) return any ? 0 : 1;
  return any ? 0 : 3;
}

int Ctl::Status(const std::vector<std::string>& units) {
  int rc = 0;
  bool first = true;
  for (const auto& u0 : units) {
    std::string u = WithType(u0);
    Remote r = StatusOf(u);
    if (r.code == 4 || r.code < 0) {
      err_ << "Unit " << u << " could not be found.\n";
      rc = 4;
      continue;
    }
    if (!first) out_ << "\n";
    first = false;
    auto [active, sub] = ActiveSub(r);
    std::string name = r.Get("name").empty() ? u : r.Get("name");
    std::string desc = r.Get("description");
    out_ << (active == "active"   ? "\u25cf "
             : active == "failed" ? "\u00d7 "
                                  : "\u25cb ")
         << name << (desc.empty() ? "" : " - " + desc) << "\n";
    std::string origin = r.Get("origin");
    std::string enabled = State(name);
    out_ << "     Loaded: loaded (" << origin << (enabled.empty() ? "" : "; " + enabled) << ")\n";
    long long ago = 0;
    try {
      ago = std::stoll(r.Get("since_ms")) / 1000;
    } catch (...) {
    }
    std::string since;
    if (ago >= 0) {
      std::time_t t = std::time(nullptr) - ago;
      char buf[64];
      std::strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M:%S %Z", std::localtime(&t));
      since = std::string(" since ") + buf + "; " + std::to_string(ago) + "s ago";
    }
    out_ << "     Active: " << active << " (" << sub << ")" << since << "\n";
    if (r.Get("pid") != "0" && !r.Get("pid").empty())
      out_ << "   Main PID: " << r.Get("pid") << "\n";
    if (!r.Get("text").empty()) out_ << "     Status: \"" << r.Get("text") << "\"\n";
    if (!r.Get("last").empty() && active != "active")
      out_ << "    Process: " << r.Get("last") << "\n";
    if (active != "active" && rc == 0) rc = 3;
  }
  return rc;
}

int Ctl::ListUnits(const std::vector<std::string>& patterns) {
  control::Reply rep = Call({"list"});
  if (rep.code != 0) {
    err_ << "Failed to list units: " << rep.text << "\n";
    return 1;
  }
  struct Row {
    std::string unit, load, active, sub, desc;
  };
  std::vector<Row> rows;
  std::istringstream in(rep.text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
      size_t tab = line.find('\t', pos);
      if (tab == std::string::npos) break;
      f.push_back(line.substr(pos, tab - pos));
      pos = tab + 1;
    }
    f.push_back(line.substr(std::min(pos, line.size())));
    if (f.size() < 5) continue;
    if (!patterns.empty() && std::none_of(patterns.begin(), patterns.end(), [&](const auto& p) {
          return fnmatch(p.c_str(), f[0].c_str(), 0) == 0;
        }))
      continue;
    Remote r;
    r.kv["state"] = f[1];
    r.kv["pid"] = f[2];
    auto [active, sub] = ActiveSub(r);
    bool inactive_entry = f[1] == "inactive";
    if (inactive_entry) {
      if (!all_) continue;
      rows.push_back({f[0], "not-run", "inactive", "dead", f[4]});
      continue;
    }
    if (!all_ && active == "inactive" && f[3] != "1") continue;
    rows.push_back({f[0], "loaded", active, sub, f[4]});
  }
  size_t w = 4;
  for (const auto& r : rows) w = std::max(w, r.unit.size());
  auto pad = [](const std::string& t, size_t n) {
    return t + std::string(n > t.size() ? n - t.size() : 0, ' ');
  };
  out_ << "  " << pad("UNIT", w) << " " << pad("LOAD", 7) << " " << pad("ACTIVE", 12) << " "
       << pad("SUB", 7) << " DESCRIPTION\n";
  for (const auto& r : rows)
    out_ << (r.active == "failed" ? "\u25cf " : "  ") << pad(r.unit, w) << " " << pad(r.load, 7)
         << " " << pad(r.active, 12) << " " << pad(r.sub, 7) << " " << r.desc << "\n";
  out_ << "\nLOAD   = Reflects whether the unit definition was properly loaded.\n"
       << "ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n"
       << "SUB    = The low-level unit activation state, values depend on unit type.\n"
       << rows.size() << " loaded units listed.\n";
  return 0;
}

int Ctl::Level(const std::string& verb) {
  std::vector<std::string> words;
  if (verb == "halt") words = {"runlevel", "0", "halt=HALT"};
  if (verb == "poweroff") words = {"runlevel", "0", "halt=POWEROFF"};
  if (verb == "reboot") words = {"runlevel", "6"};
  control::Reply rep = Call(words);
  if (rep.code != 0) {
    err_ << "Failed to " << verb << ": " << rep.text << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ctinit::units::systemctl_internal
