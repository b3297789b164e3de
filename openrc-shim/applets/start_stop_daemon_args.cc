#include "openrc-shim/applets/start_stop_daemon_args.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "openrc-shim/applets/retry.h"

namespace ctinit::openrc {
namespace {

using Options = StartStopDaemonOptions;

std::string Prefixed(const std::string& message) {
  return std::string(kStartStopDaemon) + ": " + message;
}

bool SetRetry(const std::string& v, Options* o, std::string*) {
  o->retry = v;
  return true;
}

bool SetSignal(const std::string& v, Options* o, std::string* error) {
  std::string err;
  auto sig = ParseSignal(v, &err);
  if (!sig) {
    *error = Prefixed(err);
    return false;
  }
  o->signal = *sig;
  return true;
}

bool SetWait(const std::string& v, Options* o, std::string* error) {
  if (ParseUnsigned(v, &o->wait_ms)) return true;
  *error = Prefixed(Quoted(v) + " not a number");
  return false;
}

bool SetUmask(const std::string& v, Options* o, std::string* error) {
  char* end = nullptr;
  long m = strtol(v.c_str(), &end, 8);
  if (v.empty() || *end != '\0' || m < 0 || m > 0777) {
    *error = Prefixed("invalid mode " + Quoted(v));
    return false;
  }
  o->umask = static_cast<mode_t>(m);
  return true;
}

bool SetNice(const std::string& v, Options* o, std::string* error) {
  char* end = nullptr;
  long n = strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') {
    *error = Prefixed("invalid nice level " + Quoted(v));
    return false;
  }
  o->nice = static_cast<int>(n);
  return true;
}

bool AddEnv(const std::string& v, Options* o, std::string*) {
  o->env.push_back(v);
  return true;
}

bool SetCapabilities(const std::string& v, Options* o, std::string* error) {
  std::string err;
  o->capabilities = ParseCapabilityIab(v, &err);
  if (o->capabilities) return true;
  *error = Prefixed("Could not parse iab: " + err);
  return false;
}

bool SetSecbits(const std::string& v, Options* o, std::string* error) {
  std::string err;
  o->secbits = ParseSecbits(v, &err);
  if (o->secbits) return true;
  *error = Prefixed(err);
  return false;
}

bool SetNotify(const std::string& v, Options* o, std::string* error) {
  std::string err;
  if (ParseNotify(v, &o->notify, &o->notify_fd, &err)) return true;
  *error = Prefixed(err);
  return false;
}

bool Help(Options*, std::string* error) {
  *error = std::string("Usage: ") + kStartStopDaemon +
           " [options] [--] [arguments]; see start-stop-daemon(8)";
  return false;
}

// One option: exactly one of `flag` (set to true), `text` (set to the value), `with_value` or
// `without_value` (anything else) says what it does; none of them: accepted and ignored.
struct OptionDef {
  const char* name;
  char short_name;
  bool Options::*flag = nullptr;
  std::string Options::*text = nullptr;
  bool (*with_value)(const std::string& value, Options* o, std::string* error) = nullptr;
  bool (*without_value)(Options* o, std::string* error) = nullptr;
  const char* warning = nullptr;  // a deprecated option's warning

  bool TakesValue() const { return text != nullptr || with_value != nullptr; }
};

constexpr const char* kChuidWarning =
    "WARNING: -c/--chuid is deprecated and will be removed in the future, please use -u/--user "
    "instead";
constexpr const char* kStartasWarning =
    "WARNING: -a/--startas is deprecated and will be removed in the future, please use "
    "-x/--exec or -n/--name instead";
constexpr const char* kOknodoWarning =
    "WARNING: -o/--oknodo is deprecated and will be removed in the future";

constexpr OptionDef Flag(const char* name, char c, bool Options::*flag,
                         const char* warning = nullptr) {
  return {name, c, flag, nullptr, nullptr, nullptr, warning};
}
constexpr OptionDef Text(const char* name, char c, std::string Options::*text,
                         const char* warning = nullptr) {
  return {name, c, nullptr, text, nullptr, nullptr, warning};
}
constexpr OptionDef Value(const char* name, char c,
                          bool (*with_value)(const std::string&, Options*, std::string*)) {
  return {name, c, nullptr, nullptr, with_value, nullptr, nullptr};
}

const OptionDef kOptions[] = {
    Flag("start", 'S', &Options::start),
    Flag("stop", 'K', &Options::stop),
    Text("exec", 'x', &Options::exec),
    Text("pidfile", 'p', &Options::pidfile),
    Flag("make-pidfile", 'm', &Options::make_pidfile),
    Flag("background", 'b', &Options::background),
    Text("user", 'u', &Options::user),
    Text("chuid", 'c', &Options::user, kChuidWarning),
    Text("group", 'g', &Options::group),
    Text("chdir", 'd', &Options::chdir),
    Text("chroot", 'r', &Options::chroot),
    Text("stdout", '1', &Options::stdout_path),
    Text("stderr", '2', &Options::stderr_path),
    Text("stdin", '0', &Options::stdin_path),
    Text("stdout-logger", '3', &Options::stdout_logger),
    Text("stderr-logger", '4', &Options::stderr_logger),
    Flag("no-new-privs", '\0', &Options::no_new_privs),
    Value("capabilities", '\0', SetCapabilities),
    Value("secbits", '\0', SetSecbits),
    Value("notify", '\0', SetNotify),
    Value("ready", '\0', SetNotify),
    Value("retry", 'R', SetRetry),
    Value("signal", 's', SetSignal),
    Value("wait", 'w', SetWait),
    Text("name", 'n', &Options::name),
    Text("startas", 'a', &Options::startas, kStartasWarning),
    Flag("interpreted", 'i', &Options::interpreted),
    Value("umask", 'k', SetUmask),
    Flag("oknodo", 'o', &Options::oknodo, kOknodoWarning),
    Flag("test", 't', &Options::test),
    Value("nicelevel", 'N', SetNice),
    Value("env", 'e', AddEnv),
    Flag("progress", 'P', &Options::progress),
    Flag("quiet", 'q', &Options::quiet),
    Flag("verbose", 'v', &Options::verbose),
    {"nocolor", 'C'},
    {"help", 'h', nullptr, nullptr, nullptr, Help},
};

const OptionDef* FindLong(const std::string& name) {
  for (const auto& d : kOptions)
    if (name == d.name) return &d;
  return nullptr;
}

const OptionDef* FindShort(char c) {
  for (const auto& d : kOptions)
    if (d.short_name == c) return &d;
  return nullptr;
}

bool Apply(const OptionDef& d, const std::string& value, Options* o, std::string* error) {
  if (d.warning != nullptr) o->warnings.push_back(d.warning);
  if (d.flag != nullptr) o->*d.flag = true;
  if (d.text != nullptr) o->*d.text = value;
  if (d.with_value != nullptr) return d.with_value(value, o, error);
  if (d.without_value != nullptr) return d.without_value(o, error);
  return true;
}

// `--name`, `--name=value` or `--name value` at args[*i]; advances *i past a separate value.
bool ParseLong(const std::vector<std::string>& args, size_t* i, Options* o, std::string* error) {
  std::string name = args[*i].substr(2), value;
  bool has_value = false;
  if (size_t eq = name.find('='); eq != std::string::npos) {
    value = name.substr(eq + 1);
    name = name.substr(0, eq);
    has_value = true;
  }
  const OptionDef* def = FindLong(name);
  if (def == nullptr) {
    *error = Prefixed("unrecognized option '--" + name + "'");
    return false;
  }
  if (def->TakesValue() && !has_value) {
    if (*i + 1 >= args.size()) {
      *error = Prefixed("option '--" + name + "' requires an argument");
      return false;
    }
    value = args[++*i];
  } else if (!def->TakesValue() && has_value) {
    *error = Prefixed("option '--" + name + "' doesn't allow an argument");
    return false;
  }
  return Apply(*def, value, o, error);
}

// `-abc` (bundled flags), `-xVALUE` or `-x VALUE` at args[*i].
bool ParseShort(const std::vector<std::string>& args, size_t* i, Options* o, std::string* error) {
  const std::string& a = args[*i];
  for (size_t j = 1; j < a.size(); ++j) {
    const OptionDef* def = FindShort(a[j]);
    if (def == nullptr) {
      *error = Prefixed(std::string("invalid option -- '") + a[j] + "'");
      return false;
    }
    if (!def->TakesValue()) {
      if (!Apply(*def, "", o, error)) return false;
      continue;
    }
    std::string value;
    if (j + 1 < a.size()) {
      value = a.substr(j + 1);
    } else if (*i + 1 < args.size()) {
      value = args[++*i];
    } else {
      *error = Prefixed(std::string("option requires an argument -- '") + a[j] + "'");
      return false;
    }
    return Apply(*def, value, o, error);
  }
  return true;
}

// The combinations OpenRC refuses, once every option is read.
bool Validate(Options* o, std::string* error) {
  std::string why;
  if (o->stop || o->signal != -1) {
    if (o->args.empty() && o->exec.empty() && o->startas.empty() && o->pidfile.empty() &&
        o->name.empty() && o->user.empty()) {
      why = Prefixed("--stop needs --exec, --pidfile, --name or --user");
    } else if (o->background) {
      why = Prefixed("--background is only relevant with --start");
    } else if (o->make_pidfile) {
      why = Prefixed("--make-pidfile is only relevant with --start");
    } else if (!o->stdout_path.empty() || !o->stderr_path.empty()) {
      why = Prefixed("--stdout and --stderr are only relevant with --start");
    } else if (o->wait_ms) {
      o->warnings.push_back("using --wait with --stop has no effect, use --retry instead");
    }
  } else if (o->start) {
    if (o->exec.empty() && o->startas.empty() && o->args.empty() && o->name.empty()) {
      why = Prefixed("nothing to start");
    } else if (o->make_pidfile && o->pidfile.empty()) {
      why = Prefixed("--make-pidfile is only relevant with --pidfile");
    } else if ((!o->stdout_path.empty() || !o->stderr_path.empty()) && !o->background) {
      why = Prefixed("--stdout and --stderr are only relevant with --background");
    }
  } else {
    why = Prefixed("need one of --start, --stop or --signal");
  }
  if (!why.empty()) {
    *error = why;
    return false;
  }
  std::string err;
  if (o->retry && !ParseRetry(o->retry, o->signal == -1 ? SIGTERM : o->signal, &err)) {
    *error = Prefixed(err);
    return false;
  }
  return true;
}

}  // namespace

std::string Quoted(const std::string& text) { return "`" + text + "'"; }

bool ParseNotify(const std::string& text, StartStopDaemonOptions::Notify* kind, int* fd,
                 std::string* error) {
  using Notify = StartStopDaemonOptions::Notify;
  *kind = Notify::kNone;
  if (text.rfind("fd:", 0) == 0) {
    unsigned n = 0;
    if (ParseUnsigned(text.substr(3), &n) && n <= 1024) {
      *kind = Notify::kFd;
      *fd = static_cast<int>(n);
      return true;
    }
  } else if (text.rfind("socket", 0) == 0) {
    if (text == "socket:ready") *kind = Notify::kSocket;
    return true;
  }
  *error = "invalid ready " + Quoted(text);
  return false;
}

bool ParseUnsigned(const std::string& s, unsigned* out) {
  if (s.empty() || s[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long v = strtoul(s.c_str(), &end, 10);
  if (end == s.c_str() || errno != 0 || v > 0xffffffffUL) return false;
  *out = static_cast<unsigned>(v);
  return true;
}

bool ParseStartStopDaemonArgs(const std::vector<std::string>& args, StartStopDaemonOptions* o,
                              std::string* error) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    bool ok = true;
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      ok = ParseLong(args, &i, o, error);
    } else if (a.size() > 1 && a[0] == '-') {
      ok = ParseShort(args, &i, o, error);
    } else {
      o->args.push_back(a);
    }
    if (!ok) return false;
  }
  for (; i < args.size(); ++i) o->args.push_back(args[i]);
  return Validate(o, error);
}

}  // namespace ctinit::openrc
