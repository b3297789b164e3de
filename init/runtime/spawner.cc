#include "init/runtime/spawner.h"

#include <cstdlib>
#include <random>

#include "init/base/capabilities.h"
#include "init/base/log.h"
#include "init/runtime/notify.h"
#include "init/runtime/output_tap.h"
#include "init/runtime/sockets.h"
#include "init/runtime/utmp.h"

namespace ctinit {

namespace {

constexpr size_t kMaxInitEnv = 16;  // sysvinit's NR_EXTRA_ENV

// "NAME=" of "NAME=value".
std::string KeyOf(const std::string& kv) { return kv.substr(0, kv.find('=') + 1); }

// Sets `kv` in `env`, replacing the variable's earlier value.
void SetVariable(std::vector<std::string>* env, const std::string& kv) {
  auto key = KeyOf(kv);
  std::erase_if(*env, [&](const std::string& e) { return e.compare(0, key.size(), key) == 0; });
  env->push_back(kv);
}

// The console output of a service's process through `output`: lines tagged "TAG[PID]: " for a
// service with a log_tag (only the streams it tags), else for scripts (OpenRC, oneshot units)
// as it is, so that ctinit keeps their last words. Sets the options' fds; returns the pipe (or
// -1).
int TapOutput(OutputTap* output, const ServiceSpec& spec, sys::SpawnOptions* options) {
  if (!output) return -1;
  auto console = [](const StdioTarget& t) {
    return t.kind == StdioTarget::Kind::kInherit || t.kind == StdioTarget::Kind::kConsole;
  };
  bool out = console(spec.process.stdout_target), err = console(spec.process.stderr_target);
  if (!spec.log_tag.empty() && ((out && spec.tag_stdout) || (err && spec.tag_stderr))) {
    out = out && spec.tag_stdout;
    err = err && spec.tag_stderr;
    int fd = output->Tap(spec.name, spec.log_tag);
    if (out && err)
      options->output_fd = fd;
    else
      (out ? options->stdout_fd : options->stderr_fd) = fd;
    return fd;
  }
  if (spec.report_states && (spec.kind == Kind::kScripted || spec.kind == Kind::kTask) && out &&
      err)
    return options->output_fd = output->Tap(spec.name);
  return -1;
}

// A launcher whose daemon will be guessed (spawner.h, line 7).
bool GuessesDaemon(const ServiceSpec& spec) {
  return spec.readiness == Readiness::kForking && spec.pidfile.empty() && spec.guess_main_pid;
}

// systemd's $INVOCATION_ID: 128 random bits in hex.
std::string NewInvocationId() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) id += fmt::format("{:08x}", static_cast<uint32_t>(random()));
  return id;
}

// Line 7 of the table in spawner.h, for the service's main command.
void AddMainCommandVariables(const ServiceSpec& spec, SocketActivation* sockets,
                             std::vector<std::string>* env, sys::SpawnOptions* options) {
  if (spec.watchdog.count() > 0 && spec.kind == Kind::kLongRun) {
    auto usec = std::chrono::duration_cast<std::chrono::microseconds>(spec.watchdog).count();
    SetVariable(env, "WATCHDOG_USEC=" + std::to_string(usec));
    options->pid_env.push_back("WATCHDOG_PID");
  }
  if (!sockets) return;
  auto passed = sockets->For(spec.name);
  if (passed.fds.empty()) return;
  options->pass_fds = passed.fds;
  options->stdin_fd = passed.stdin_fd;  // an accepted connection as stdio (Accept=yes)
  if (passed.stdout_fd >= 0) options->stdout_fd = passed.stdout_fd;
  if (passed.stderr_fd >= 0) options->stderr_fd = passed.stderr_fd;
  SetVariable(env, "LISTEN_FDS=" + std::to_string(passed.fds.size()));
  SetVariable(env, "LISTEN_FDNAMES=" + passed.names);
}

}  // namespace

bool Spawner::SetInitEnv(const std::string& name, const std::optional<std::string>& value) {
  std::erase_if(init_env_, [&](const std::string& e) {
    return e.compare(0, name.size() + 1, name + "=") == 0;
  });
  if (!value) return true;
  if (init_env_.size() >= kMaxInitEnv) {
    log::Warn("too many INIT_ variables: {} ignored", name);
    return false;
  }
  init_env_.push_back(name + "=" + *value);
  return true;
}

std::vector<std::string> Spawner::Environment(char level, char prev) const {
  // sysvinit's children see RUNLEVEL=S PREVLEVEL=N during sysinit and boot.
  const char level_for_front_ends = level;
  if (level == '#' || level == '*') {
    level = 'S';
    prev = 'N';
  }
  auto overridden = [&](const std::string& kv) {
    auto name = KeyOf(kv);
    for (const char* ours : {"SHELL=", "RUNLEVEL=", "PREVLEVEL=", "INIT_VERSION=", "CONSOLE="})
      if (name == ours) return true;
    for (const auto& e : init_env_)
      if (e.compare(0, name.size(), name) == 0) return true;
    return false;
  };
  std::vector<std::string> env;
  for (const auto& e : base_env_)
    if (!overridden(e)) env.push_back(e);
  for (const auto& e : init_env_)
    if (e.find('=') != std::string::npos) env.push_back(e);
  env.push_back("SHELL=/bin/sh");
  env.push_back(std::string("RUNLEVEL=") + level);
  env.push_back(std::string("PREVLEVEL=") + prev);
  const char* console = getenv("CONSOLE");
  env.push_back(std::string("CONSOLE=") + (console ? console : "/dev/console"));
  env.push_back(std::string("INIT_VERSION=ctinit-") + CTINIT_VERSION);
  if (level_env_) {
    log::Guarded("level environment", [&] {
      for (const auto& kv : level_env_(level_for_front_ends)) SetVariable(&env, kv);
    });
  }
  return env;
}

std::vector<std::string> Spawner::MissingCapabilities(const ServiceSpec& spec,
                                                      const sys::OwnCapabilities& own) {
  const ProcessContext& p = spec.process;
  std::vector<std::string> out;
  if (uint64_t missing = p.ambient_capabilities & ~own.bounding)
    out.push_back(
        fmt::format("{}: {} not available in this container: left out of its ambient capabilities",
                    spec.name, caps::Names(missing)));
  if (p.capability_bounding_set && !own.can_limit &&
      (own.bounding & ~*p.capability_bounding_set) != 0)
    out.push_back(fmt::format(
        "{}: no CAP_SETPCAP in this container: its capability bounding set is not reduced",
        spec.name));
  return out;
}

void Spawner::TellMissingCapabilities(const ServiceSpec& spec) {
  const ProcessContext& p = spec.process;
  if ((!p.ambient_capabilities && !p.capability_bounding_set) || told_caps_.count(spec.name))
    return;
  told_caps_.insert(spec.name);
  if (!own_caps_) own_caps_ = sys::ReadOwnCapabilities();
  for (const auto& warning : MissingCapabilities(spec, *own_caps_)) log::Warn("{}", warning);
}

pid_t Spawner::Spawn(const ServiceSpec& spec, const Command& cmd, char level, char prev_level,
                     const std::vector<std::string>& extra_env, const Parts& parts) {
  // ctinit's own environment plus the level's, unless the service asks for exactly its own.
  std::vector<std::string> env;
  if (spec.process.inherit_environment) env = Environment(level, prev_level);
  for (const auto& u : spec.process.unset_env)
    std::erase_if(env, [&](const std::string& e) { return e == u || e.rfind(u + "=", 0) == 0; });
  for (const auto& kv : spec.process.env) SetVariable(&env, kv);
  for (const auto& kv : extra_env) SetVariable(&env, kv);
  if (spec.Notifies() && parts.notify && parts.notify->open())
    SetVariable(&env, std::string("NOTIFY_SOCKET=") + kNotifySocketPath);
  sys::SpawnOptions options;
  const bool main_command = &cmd == &spec.command;
  if (main_command) AddMainCommandVariables(spec, parts.sockets, &env, &options);
  std::string token;
  if (main_command && GuessesDaemon(spec)) {
    token = "INVOCATION_ID=" + NewInvocationId();
    SetVariable(&env, token);
  }
  std::vector<std::string> argv = cmd.argv_at_run ? cmd.argv_at_run(env) : cmd.argv;
  int tap = TapOutput(parts.output, spec, &options);
  options.path = cmd.path;
  options.full_privileges = cmd.full_privileges;
  if (!cmd.full_privileges) TellMissingCapabilities(spec);
  std::string err;
  pid_t pid = system_.Spawn(argv, cmd.text, env, spec.process, options, &err);
  if (tap >= 0) parts.output->Spawned(tap, pid);
  if (pid < 0) {
    log::Error("{}: {}: {}", spec.origin, spec.name, err);
    return -1;
  }
  log::Verbose("started {} (pid {}): {}", spec.name, pid, cmd.text);
  if (!token.empty()) launch_tokens_[pid] = std::move(token);
  if (spec.utmp && main_command && parts.utmp) parts.utmp->InitProcess(pid, spec.name);
  return pid;
}

std::string Spawner::LaunchToken(pid_t pid) const {
  auto it = launch_tokens_.find(pid);
  return it == launch_tokens_.end() ? "" : it->second;
}

}  // namespace ctinit
