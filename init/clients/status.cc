#include "init/clients/status.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>

namespace ctinit {
namespace {

constexpr auto kTimeout = std::chrono::seconds(5);
constexpr const char* kReset = "\033[0m";

const char* StateColour(const std::string& state) {
  if (state == "started") return "\033[32m";                          // green
  if (state == "failed") return "\033[1;31m";                         // bold red
  if (state == "starting" || state == "stopping") return "\033[33m";  // yellow
  return nullptr;
}

std::string Coloured(const std::string& state, bool colour) {
  const char* c = colour ? StateColour(state) : nullptr;
  return c ? c + state + kReset : state;
}

// The last column of the table: how the last process ended and why the service is as it is.
std::string LastAndWhy(const control::ServiceRecord& r) {
  if (r.last.empty()) return r.why;
  if (r.why.empty() || r.why.find(r.last) != std::string::npos) return r.last;
  return r.last + "; " + r.why;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out += c;  // UTF-8 passes as it is; the server replaced control characters already
    }
  }
  return out + "\"";
}

std::string JsonOrNull(const std::string& s) { return s.empty() ? "null" : JsonString(s); }

std::string JsonFields(const control::ServiceRecord& r) {
  return "\"name\": " + JsonString(r.name) + ", \"source\": " + JsonString(r.source) +
         ", \"state\": " + JsonString(r.state) +
         ", \"pid\": " + (r.pid > 0 ? std::to_string(r.pid) : "null") +
         ", \"since_ms\": " + (r.since_ms >= 0 ? std::to_string(r.since_ms) : "null") +
         ", \"last_exit\": " + JsonOrNull(r.last) + ", \"why\": " + JsonOrNull(r.why) +
         ", \"description\": " + JsonString(r.description) +
         ", \"origin\": " + JsonString(r.origin);
}

bool Active(const std::string& state) {
  return state == "started" || state == "starting" || state == "stopping";
}

bool WantColour() {
  const char* no_colour = getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) && (!no_colour || !*no_colour);
}

int Usage(const std::string& verb) {
  std::cerr << "usage: ctinit " << verb << " [--json]" << (verb == "status" ? " [NAME]" : "")
            << "\n";
  return 2;
}

}  // namespace

std::string FormatAge(long long ms) {
  if (ms < 0) return "-";
  if (ms < 1000) return std::to_string(ms) + "ms";
  long long s = ms / 1000;
  if (s < 120) return std::to_string(s) + "s";
  if (s < 2 * 3600) return std::to_string(s / 60) + "min";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string FormatServiceTable(const std::vector<control::ServiceRecord>& records, bool colour) {
  using Row = std::array<std::string, 6>;
  std::vector<Row> rows = {{"SOURCE", "NAME", "STATE", "PID", "SINCE", "LAST EXIT / WHY"}};
  for (const auto& r : records)
    rows.push_back({r.source.empty() ? "-" : r.source, r.name, r.state,
                    r.pid > 0 ? std::to_string(r.pid) : "-", FormatAge(r.since_ms), LastAndWhy(r)});
  std::array<size_t, 6> width{};
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (size_t n = 0; n < rows.size(); ++n) {
    std::string line;
    for (size_t i = 0; i < rows[n].size(); ++i) {
      const std::string& cell = rows[n][i];
      bool last = i + 1 == rows[n].size();
      line += i == 2 && n > 0 ? Coloured(cell, colour) : cell;
      if (!last) line += std::string(width[i] - cell.size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string FormatSummary(const std::vector<control::ServiceRecord>& records) {
  std::map<std::string, int> by_state;
  for (const auto& r : records) ++by_state[r.state];
  std::string out = std::to_string(records.size()) + " service" + (records.size() == 1 ? "" : "s");
  const char* sep = ": ";
  for (const char* state : {"started", "starting", "stopping", "failed", "stopped", "inactive"}) {
    auto it = by_state.find(state);
    if (it == by_state.end()) continue;
    out += sep + std::to_string(it->second) + " " + state;
    sep = ", ";
  }
  return out + "\n";
}

std::string FormatServiceDetail(const control::ServiceRecord& r, bool colour) {
  std::string out = r.name;
  if (!r.source.empty()) out += " (" + r.source + ")";
  if (!r.description.empty()) out += " - " + r.description;
  out += "\n";
  out += "   state: " + Coloured(r.state, colour);
  if (r.since_ms >= 0) out += " for " + FormatAge(r.since_ms);
  out += "\n";
  if (r.pid > 0) out += "     pid: " + std::to_string(r.pid) + "\n";
  if (!r.last.empty()) out += "    last: " + r.last + "\n";
  if (!r.why.empty()) out += "     why: " + r.why + "\n";
  if (!r.origin.empty()) out += "  origin: " + r.origin + "\n";
  if (!r.output.empty()) {
    out += "\nRecent output:\n";
    for (const auto& line : r.output) out += "  " + line + "\n";
  }
  return out;
}

std::string FormatServicesJson(const std::vector<control::ServiceRecord>& records) {
  std::string out = "[";
  for (size_t i = 0; i < records.size(); ++i)
    out += std::string(i ? ",\n " : "\n ") + "{" + JsonFields(records[i]) + "}";
  return out + (records.empty() ? "]\n" : "\n]\n");
}

std::string FormatServiceJson(const control::ServiceRecord& r) {
  std::string out = "{" + JsonFields(r) + ", \"output\": [";
  for (size_t i = 0; i < r.output.size(); ++i)
    out += std::string(i ? ", " : "") + JsonString(r.output[i]);
  return out + "]}\n";
}

int StatusMain(const std::string& verb, const std::vector<std::string>& args,
               const std::string& socket_path) noexcept {
  try {
    bool json = false;
    std::vector<std::string> names;
    for (const auto& a : args) {
      if (a == "--json")
        json = true;
      else if (a == "-h" || a == "--help" || (!a.empty() && a[0] == '-'))
        return Usage(verb);
      else
        names.push_back(a);
    }
    if (names.size() > (verb == "status" ? 1u : 0u)) return Usage(verb);
    std::vector<std::string> request = {"services"};
    request.insert(request.end(), names.begin(), names.end());
    control::Reply reply = control::Call(request, kTimeout, socket_path);
    if (reply.code == -1) {
      if (reply.error == ENOENT || reply.error == ECONNREFUSED || reply.error == ENOTDIR) {
        std::cerr << "ctinit is not running (nothing listens on " << socket_path << ")\n";
        return 3;
      }
      std::cerr << "ctinit " << verb << ": " << reply.text
                << (reply.error == EACCES ? " (only root may talk to ctinit)" : "") << "\n";
      return 1;
    }
    if (reply.code != 0) {
      std::cerr << "ctinit " << verb << ": " << reply.text << "\n";
      return reply.code;
    }
    auto records = control::DecodeServices(reply.text);
    bool colour = !json && WantColour();
    if (!names.empty()) {
      if (records.empty()) return 4;
      std::cout << (json ? FormatServiceJson(records[0]) : FormatServiceDetail(records[0], colour));
      return Active(records[0].state) ? 0 : 3;
    }
    if (json)
      std::cout << FormatServicesJson(records);
    else
      std::cout << FormatServiceTable(records, colour)
                << (verb == "status" ? FormatSummary(records) : "");
    return 0;
  } catch (...) {
    std::cerr << "ctinit " << verb << ": out of memory\n";
    return 1;
  }
}

}  // namespace ctinit
