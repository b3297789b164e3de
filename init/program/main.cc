// ctinit's entry point: PID 1 (or a subreaper), or one of its client personalities chosen by
// argv[0]: `telinit`, or `init` with a runlevel argument while not PID 1 (as sysvinit does).
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "init/base/files.h"
#include "init/base/log.h"
#include "init/clients/status.h"
#include "init/clients/telinit.h"
#include "init/program/front_ends.h"
#include "init/runtime/config_env.h"
#include "init/runtime/container_runtime.h"
#include "init/runtime/pid1.h"
#include "openrc-shim/applets/applets.h"
#include "openrc-shim/supervise_request.h"
#include "unit-compat/clients/systemctl.h"
#include "unit-compat/clients/systemd_notify.h"
#include "unit-compat/generators.h"

namespace {

constexpr const char* kUsage =
    "usage: ctinit [--config PATH] [--inittab PATH] [--fifo PATH] [-q|--quiet] [-v|--verbose]\n"
    "              [--subreaper] [RUNLEVEL|single|-s|auto|-a|emergency|-b|-z X]...\n"
    "              [-- CMD ARGS...]\n"
    "       ctinit telinit [-t SECONDS] [-e VAR[=VAL]] {0-9|S|Q|A|B|C|U}\n"
    "       ctinit {status [NAME]|list} [--json]\n"
    "       ctinit run-generators [--root DIR]   (systemd's generators; PID 1 runs it)\n"
    "       ctinit --version\n"
    "\n"
    "environment: every key of ctinit.yaml(5) as CTINIT_ + its path in upper case, '.' as '_'\n"
    "(file < environment < command line; services do not see them):\n"
    "  CTINIT_LOG_LEVEL CTINIT_FIFO CTINIT_DEFAULT_RUNLEVEL CTINIT_REBOOT CTINIT_REBOOT_EXIT_CODE\n"
    "  CTINIT_SHUTDOWN_BUDGET=25s CTINIT_SHUTDOWN_FINAL_GRACE CTINIT_SHUTDOWN_KILL_WAIT\n"
    "  CTINIT_SIGNALS=SIGINT=halt,SIGPWR=reboot CTINIT_INITTAB CTINIT_INITTAB_D\n"
    "  CTINIT_OPENRC_MODE CTINIT_OPENRC_LEVELS=3=default CTINIT_OPENRC_STRICT_NEED\n"
    "  CTINIT_UNITS_MODE CTINIT_UNITS_SKIP=a.service,b.service CTINIT_UNITS_SKIP_ALSO\n"
    "  CTINIT_UNITS_STRICT CTINIT_UNITS_INIT_SCRIPTS_WIN CTINIT_UNITS_TAG_OUTPUT\n";

// The runtime as systemd names it in SYSTEMD_VIRTUALIZATION=container:NAME; "" when unknown.
std::string VirtualizationName() {
  ctinit::RuntimeProbe probe = ctinit::ProbeContainerRuntime();
  if (probe.container_env && !probe.container_env->empty()) return *probe.container_env;
  if (probe.containerenv) return "podman";
  if (probe.dockerenv) return "docker";
  return "";
}

bool IsRunlevelArg(const std::string& a) {
  return a.size() == 1 && strchr("0123456789SsQqAaBbCcUu", a[0]) != nullptr;
}

// What the command line asked for besides ctinit::Options.
struct Extra {
  std::optional<std::string> inittab;  // --inittab
  bool subreaper = false;              // --subreaper: boot although not PID 1
};

// Returns -1 to go on booting, or an exit code.
int ParseArgs(const std::vector<std::string>& args, bool is_pid1, ctinit::Options* o,
              Extra* extra) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--") {
      o->app_argv.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      if (o->app_argv.empty()) {
        std::cerr << "ctinit: nothing after --\n" << kUsage;
        return 2;
      }
      return -1;
    } else if (a == "--version" || a == "-V") {
      std::cout << "ctinit " << CTINIT_VERSION << "\n";
      return 0;
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--config" || a == "-c") {
      if (!value(&o->config_path)) break;
    } else if (a == "--inittab") {
      if (!value(&v)) break;
      extra->inittab = v;
    } else if (a == "--fifo") {
      if (!value(&v)) break;
      o->fifo = v;
    } else if (a == "--subreaper" || a == "--init") {
      extra->subreaper = true;
    } else if (a == "-q" || a == "--quiet") {
      o->log_level = ctinit::log::Level::kQuiet;
    } else if (a == "-v" || a == "--verbose") {
      o->log_level = ctinit::log::Level::kVerbose;
    } else if (a == "--debug") {
      o->log_level = ctinit::log::Level::kDebug;
    } else if (a == "single" || a == "-s") {
      o->level = 'S';
    } else if (a == "auto" || a == "-a") {
      o->autoboot = true;
    } else if (a == "emergency" || a == "-b") {
      o->level = 'S';
    } else if (a == "-z") {
      ++i;  // sysvinit: ignored, only there to make room in argv
    } else if (a.size() == 1 && strchr("0123456789Ss", a[0])) {
      o->level = static_cast<char>(toupper(a[0]));
    } else if (is_pid1) {
      // The kernel and runtimes may pass things we do not know: say so, never die of it.
      ctinit::log::Warn("ignoring unknown argument \"{}\"", a);
    } else {
      // Not PID 1, a person typed this (`ctinit status`): booting anyway would start every
      // service of the machine it runs on.
      std::cerr << "ctinit: unknown argument \"" << a << "\"\n" << kUsage;
      return 2;
    }
  }
  return -1;
}

// The init that container runtimes put in front of the image's command (docker run --init,
// podman --init, k8s images using tini/dumb-init): under one of them ctinit is where the
// container's services belong, and boots as their subreaper without being asked.
bool Pid1IsAContainerRuntimeInit(std::string* pid1_name) {
  std::string comm = ctinit::files::ReadFirstLine("/proc/1/comm");
  *pid1_name = comm.empty() ? "unknown" : comm;
  for (const char* known : {"docker-init", "tini", "tini-static", "catatonit", "dumb-init"})
    if (comm == known) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  ctinit::log::Init(ctinit::log::Level::kNormal);
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string self = ctinit::files::BaseName(argv[0]);
  const bool is_pid1 = getpid() == 1;

  // Client personalities.
  if (self == "systemctl") return ctinit::units::SystemctlMain(argc, argv, "/");
  if (self == "systemd-notify") return ctinit::units::SystemdNotifyMain(args);
  if (!args.empty() && (args[0] == "systemctl" || args[0] == "systemd-notify")) {
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "systemd-notify") return ctinit::units::SystemdNotifyMain(rest);
    return ctinit::units::SystemctlMain(argc - 1, argv + 1, "/");
  }
  if (int rc = ctinit::openrc::RunApplet(argc, argv); rc >= 0) return rc;
  // What PID 1 runs before loading units (unit-compat/generators.h): an ordinary child.
  if (!args.empty() && args[0] == "run-generators")
    return ctinit::units::RunGeneratorsMain(std::vector<std::string>(args.begin() + 1, args.end()),
                                            VirtualizationName());
  if (self == "telinit") return ctinit::TelinitMain(args, "/run/initctl");
  if (!args.empty() && (args[0] == "status" || args[0] == "list"))  // before the PID 1 checks
    return ctinit::StatusMain(args[0], std::vector<std::string>(args.begin() + 1, args.end()));
  if (!args.empty() && args[0] == "telinit") {
    return ctinit::TelinitMain(std::vector<std::string>(args.begin() + 1, args.end()),
                               "/run/initctl");
  }
  if (self == "init" && !is_pid1 && !args.empty() &&
      (IsRunlevelArg(args.back()) || args[0] == "-e" || args[0] == "-t")) {
    return ctinit::TelinitMain(args, "/run/initctl");
  }

  ctinit::Options opts;
  Extra extra;
  if (int rc = ParseArgs(args, is_pid1, &opts, &extra); rc >= 0) return rc;
  std::string pid1_name;
  if (!is_pid1 && !extra.subreaper && !Pid1IsAContainerRuntimeInit(&pid1_name)) {
    std::cerr << "ctinit: not PID 1 (PID 1 is " << pid1_name
              << "): not starting this machine's services. To boot as a child subreaper "
                 "anyway, pass --subreaper.\n";
    return 2;
  }
  // The front ends, composed in one place (init/program/front_ends.h).
  char self_buf[4096] = {};
  ssize_t n = readlink("/proc/self/exe", self_buf, sizeof(self_buf) - 1);
  std::string self_exe = n > 0 ? std::string(self_buf, static_cast<size_t>(n)) : "/sbin/ctinit";
  opts.front_end = ctinit::MakeFrontEnds("/", self_exe, extra.inittab);
  ctinit::TakeConfigEnvironment(opts.front_end->ConfigKeys());  // CTINIT_*: config_env.h
  opts.supervise_request = ctinit::openrc::SuperviseRequestToService;
  ctinit::Pid1 pid1(std::move(opts));
  return pid1.Run();
}
