#include "openrc-shim/supervise_request.h"

#include <errno.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>

#include "init/base/text.h"

namespace ctinit::openrc {

namespace {

StdioTarget FileTarget(const std::string& path) {
  StdioTarget t;
  t.kind = StdioTarget::Kind::kAppend;
  t.path = path;
  return t;
}

std::nullopt_t Fail(std::string* err, const std::string& why) {
  *err = why;
  return std::nullopt;
}

// The numbers come from a request (a script's options): each is clamped to what makes sense,
// so that no sum the engine forms with them (now + timeout) can overflow and no cast wraps.
// A stop may wait at most an hour for SIGKILL (`--retry forever`, sent as 0, waits that long;
// the shutdown budget caps every stop anyway), a respawn delay at most an hour.
constexpr long long kMaxWaitMs = 3'600'000;
constexpr long long kMaxPeriodMs = 365LL * 24 * 3'600'000;
constexpr long long kMaxStarts = 1'000'000;
constexpr long long kMaxId = 4'294'967'294;  // (uid_t)-1 means "no change" to setuid & co

std::chrono::milliseconds ClampedMs(long long ms, long long max) {
  return std::chrono::milliseconds(std::min(ms, max));
}

// A capability mask: "0x400" (or decimal), 64 bits.
std::optional<uint64_t> ParseMask(const std::string& v) {
  if (v.empty() || v[0] == '-') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long m = strtoull(v.c_str(), &end, 0);
  if (*end != '\0' || errno != 0) return std::nullopt;
  return static_cast<uint64_t>(m);
}

}  // namespace

std::optional<ServiceSpec> SuperviseRequestToService(const std::string& name,
                                                     const std::vector<std::string>& options,
                                                     std::string* err) {
  std::vector<std::string> words = {"supervise", name};
  words.insert(words.end(), options.begin(), options.end());
  ServiceSpec spec;
  spec.name = "supervise:" + name;
  spec.origin = "supervise-daemon " + name;
  spec.trigger = Trigger::kManual;
  spec.kind = Kind::kLongRun;
  spec.utmp = false;
  spec.action_label = "supervise";
  // OpenRC's supervise-daemon gives the daemon exactly the environment its script passed.
  spec.process.inherit_environment = false;
  spec.respawn_limit.max_starts = 10;
  spec.respawn_limit.interval = std::chrono::seconds(12);
  spec.respawn_limit.give_up = true;
  spec.stop_timeout = std::chrono::seconds(5);
  Credentials cred;
  bool have_cred = false;
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string& w = words[i];
    auto eq = w.find('=');
    if (eq == std::string::npos) return Fail(err, "bad option \"" + w + "\"");
    std::string k = w.substr(0, eq), v = w.substr(eq + 1);
    auto num = text::ParseCount(v);
    auto need_num = [&]() {
      if (!num) *err = "option " + k + " needs a number, got \"" + v + "\"";
      return num.has_value();
    };
    if (k == "arg") {
      spec.command.argv.push_back(v);
      spec.command.text += (spec.command.text.empty() ? "" : " ") + v;
    } else if (k == "env") {
      spec.process.env.push_back(v);
    } else if (k == "uid") {
      if (!need_num()) return std::nullopt;
      if (*num > kMaxId) return Fail(err, "bad uid");
      cred.uid = static_cast<uid_t>(*num);
      have_cred = true;
    } else if (k == "gid") {
      if (!need_num()) return std::nullopt;
      if (*num > kMaxId) return Fail(err, "bad gid");
      cred.gid = static_cast<gid_t>(*num);
      have_cred = true;
    } else if (k == "groups") {
      size_t pos = 0;
      while (pos < v.size()) {
        size_t comma = v.find(',', pos);
        if (comma == std::string::npos) comma = v.size();
        auto g = text::ParseCount(v.substr(pos, comma - pos));
        if (!g) return Fail(err, "bad groups \"" + v + "\"");
        cred.groups.push_back(static_cast<gid_t>(*g));
        pos = comma + 1;
      }
    } else if (k == "user") {
      cred.user_name = v;
    } else if (k == "home") {
      cred.home = v;
    } else if (k == "dir") {
      spec.process.working_directory = v;
    } else if (k == "umask") {
      char* end = nullptr;
      long m = strtol(v.c_str(), &end, 8);
      if (v.empty() || *end != '\0' || m < 0 || m > 0777) return Fail(err, "bad umask");
      spec.process.umask = static_cast<mode_t>(m);
    } else if (k == "stdin") {
      spec.process.stdin_target.kind = StdioTarget::Kind::kFile;
      spec.process.stdin_target.path = v;
    } else if (k == "stdout") {
      spec.process.stdout_target = FileTarget(v);
    } else if (k == "stderr") {
      spec.process.stderr_target = FileTarget(v);
    } else if (k == "pidfile") {
      spec.pidfile = v;
    } else if (k == "respawn_delay_ms") {
      if (!need_num()) return std::nullopt;
      spec.restart_delay = ClampedMs(*num, kMaxWaitMs);
    } else if (k == "respawn_max") {
      if (!need_num()) return std::nullopt;
      spec.respawn_limit.max_starts = static_cast<int>(std::min(*num, kMaxStarts));
    } else if (k == "respawn_period_ms") {
      if (!need_num()) return std::nullopt;
      spec.respawn_limit.interval =
          std::chrono::duration_cast<std::chrono::seconds>(ClampedMs(*num, kMaxPeriodMs));
      if (*num == 0) spec.respawn_limit.interval = std::chrono::hours(24 * 365);
    } else if (k == "stop_signal") {
      if (!need_num() || *num < 1 || *num >= NSIG) return Fail(err, "bad stop_signal");
      spec.stop_signal = static_cast<int>(*num);
    } else if (k == "stop_timeout_ms") {
      if (!need_num()) return std::nullopt;
      spec.stop_timeout =
          *num == 0 ? ClampedMs(kMaxWaitMs, kMaxWaitMs) : ClampedMs(*num, kMaxWaitMs);
    } else if (k == "ambient_capabilities" || k == "capability_bounding_set") {
      auto mask = ParseMask(v);
      if (!mask) return Fail(err, "bad " + k + " \"" + v + "\"");
      if (k == "ambient_capabilities") spec.process.ambient_capabilities = *mask;
      if (k == "capability_bounding_set") spec.process.capability_bounding_set = *mask;
    } else if (k == "readiness") {
      if (v != "notify") return Fail(err, "bad readiness \"" + v + "\"");
      spec.readiness = Readiness::kNotify;
    } else if (k == "no_new_privs") {
      spec.process.no_new_privileges = v == "yes";
    } else if (k == "origin") {
      spec.origin = v;
    } else {
      return Fail(err, "unknown option \"" + k + "\"");
    }
  }
  if (spec.command.argv.empty()) return Fail(err, "nothing to run (no arg=)");
  if (have_cred) {
    if (cred.groups.empty()) cred.groups.push_back(cred.gid);
    spec.process.credentials = cred;
  }
  return spec;
}

}  // namespace ctinit::openrc
