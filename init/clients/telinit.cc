#include "init/clients/telinit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <optional>

#include "init/protocol/initreq.h"

namespace ctinit {
namespace {

constexpr int kDefaultSleeptime = 3;
constexpr int kWriteTimeoutMs = 3000;
constexpr std::string_view kLevels = "0123456789SsQqAaBbCcUu";

using Request = std::array<unsigned char, kInitRequestSize>;

struct Options {
  int sleeptime = kDefaultSleeptime;
  std::vector<std::string> env;
  std::optional<char> level;
};

void Error(const std::string& msg) { std::fprintf(stderr, "telinit: %s\n", msg.c_str()); }

int Usage(const std::string& why) {
  if (!why.empty()) Error(why);
  std::fputs(TelinitUsage().c_str(), stderr);
  return 1;
}

std::optional<int> ParseSeconds(const std::string& s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// Returns 0 with *opts filled, or the exit status after printing the usage.
int Parse(const std::vector<std::string>& args, Options* opts) {
  std::vector<std::string> levels;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      levels.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    char opt = a[1];
    if (opt != 't' && opt != 'e') return Usage("unknown option " + a);
    std::string value = a.substr(2);
    if (value.empty()) {
      if (i + 1 == args.size()) return Usage(std::string("option -") + opt + " needs a value");
      value = args[++i];
    }
    if (opt == 't') {
      std::optional<int> secs = ParseSeconds(value);
      if (!secs) return Usage("invalid -t value '" + value + "'");
      opts->sleeptime = *secs;
    } else {
      if (value.empty() || value[0] == '=' || value.find('\0') != std::string::npos) {
        return Usage("invalid -e value '" + value + "'");
      }
      opts->env.push_back(value);
    }
  }
  if (levels.size() > 1) return Usage("only one runlevel may be given");
  if (levels.empty() && opts->env.empty()) return Usage("");
  if (!levels.empty()) {
    const std::string& l = levels[0];
    if (l.size() != 1 || kLevels.find(l[0]) == std::string_view::npos) {
      return Usage("invalid runlevel '" + l + "'");
    }
    opts->level = l[0];
  }
  if (!SetEnvFits(opts->env)) {
    Error("-e option data too large");
    return 1;
  }
  return 0;
}

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

// Writes all requests, waiting at most kWriteTimeoutMs for room in the FIFO. Returns "" or the
// error message.
std::string WriteAll(int fd, const std::vector<Request>& reqs, const std::string& path) {
  const int64_t deadline = NowMs() + kWriteTimeoutMs;
  for (const Request& r : reqs) {
    size_t done = 0;
    while (done < r.size()) {
      ssize_t n = write(fd, r.data() + done, r.size() - done);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN) return path + ": " + std::strerror(errno);
      int64_t left = deadline - NowMs();
      pollfd p = {fd, POLLOUT, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) == 0) {
        return "timeout opening/writing control channel " + path;
      }
    }
  }
  return "";
}

// WriteAll with SIGPIPE blocked; a SIGPIPE raised by our write is consumed, not delivered.
std::string WriteNoSigpipe(int fd, const std::vector<Request>& reqs, const std::string& path) {
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  std::string err = WriteAll(fd, reqs, path);
  sigpending(&pending);
  if (!was_pending && sigismember(&pending, SIGPIPE) == 1) {
    timespec zero = {0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return err;
}

int Send(const std::vector<Request>& reqs, const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENXIO) {
      Error("cannot open control channel " + path +
            ": no process is reading it (is init running?)");
    } else {
      Error(path + ": " + std::strerror(errno));
    }
    return 1;
  }
  struct stat st;
  std::string err;
  if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
    err = path + " is not a fifo";
  } else {
    err = WriteNoSigpipe(fd, reqs, path);
  }
  close(fd);
  if (err.empty()) return 0;
  Error(err);
  return 1;
}

}  // namespace

std::string TelinitUsage() {
  return "Usage: telinit [-t SECONDS] [-e VAR[=VAL]]... "
         "{0|1|2|3|4|5|6|7|8|9|S|s|Q|q|A|a|B|b|C|c|U|u}\n"
         "       telinit -e VAR[=VAL]...\n"
         "  0 halt, 6 reboot, 1/S/s single user, 2-5 multi-user, 7-9 custom,\n"
         "  Q/q re-read inittab, A/B/C (a/b/c) run ondemand entries, U/u re-exec init.\n"
         "  -t SECONDS  wait between TERM and KILL when leaving a level (default 3)\n"
         "  -e VAR=VAL  set (-e VAR: unset) an INIT_* variable for init's children\n";
}

int TelinitMain(const std::vector<std::string>& args, const std::string& fifo_path) noexcept {
  try {
    Options opts;
    if (int rc = Parse(args, &opts); rc != 0) return rc;
    std::vector<Request> reqs;
    if (!opts.env.empty()) reqs.push_back(EncodeSetEnv(opts.env));
    if (opts.level) reqs.push_back(EncodeRunlevel(*opts.level, opts.sleeptime));
    return Send(reqs, fifo_path);
  } catch (...) {
    Error("out of memory");
    return 1;
  }
}

}  // namespace ctinit
