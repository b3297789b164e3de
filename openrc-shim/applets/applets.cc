#include "openrc-shim/applets/applets.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "openrc-shim/applets/checkpath.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/kill_all.h"
#include "openrc-shim/applets/lsb_run.h"
#include "openrc-shim/applets/mount_tools.h"
#include "openrc-shim/applets/openrc_run.h"
#include "openrc-shim/applets/output_logger.h"
#include "openrc-shim/applets/rc_depend.h"
#include "openrc-shim/applets/rc_tools.h"
#include "openrc-shim/applets/service_values.h"
#include "openrc-shim/applets/start_stop_daemon.h"
#include "openrc-shim/applets/supervise_daemon.h"

// Dispatch: basename(argv[0]) names the applet (symlinks made by `ctinit install-applets`), or
// `ctinit <applet> args…` (how the shim's shell library reaches the helpers without links).
// Applets installed as links: openrc-run runscript start-stop-daemon supervise-daemon rc-service
// rc-status rc-update, and systemctl systemd-notify (unit-compat, dispatched by main.cc), in DIR
// (default /sbin), and the helpers of kHelpers in /lib/rc/bin: OpenRC puts that directory first
// in the PATH of scripts, so a script calling start-stop-daemon gets the shim's even when busybox
// (in /bin) has its own applet of that name, and a program a script starts finds mountinfo,
// save_options & co. there as with OpenRC.
// mark_service_{started,starting,stopping,stopped,inactive,failed} are only reached through
// `ctinit <name>` (the shell library's functions of the same names).

namespace ctinit::openrc {
namespace {

const char* const kLinked[] = {"openrc-run",       "runscript",  "start-stop-daemon",
                               "supervise-daemon", "rc-service", "rc-status",
                               "rc-update",        "systemctl",  "systemd-notify"};
const char* const kHelpers[] = {"start-stop-daemon", "supervise-daemon",  "checkpath",
                                "mountinfo",         "fstabinfo",         "kill_all",
                                "service_get_value", "service_set_value", "get_options",
                                "save_options",      "rc-depend",         "rc-abort"};
constexpr const char* kHelperDir = "/lib/rc/bin";

int Run(const std::string& name, const std::vector<std::string>& argv) {
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (name == "openrc-run" || name == "runscript") return OpenrcRunMain(argv);
  if (name == "start-stop-daemon") return StartStopDaemonMain(rest);
  if (name == "supervise-daemon") return SuperviseDaemonMain(rest);
  if (name == "rc-service") return RcServiceMain(rest);
  if (name == "rc-status") return RcStatusMain(rest);
  if (name == "rc-update") return RcUpdateMain(rest);
  if (name == "checkpath") return CheckpathMain(rest);
  if (name == "mountinfo") return MountinfoMain(rest);
  if (name == "fstabinfo") return FstabinfoMain(rest);
  if (name == "kill_all") return KillAllMain(rest);
  if (name == "lsb-run") return LsbRunMain(rest);
  if (name == kRunWithLoggers) return RunWithLoggersMain(rest);
  if (name == "rc-depend") return RcDependMain(rest);
  if (name == "rc-abort") return RcAbortMain(rest);
  if (IsServiceValueApplet(name)) return ServiceValueMain(name, rest);
  if (name.rfind("mark_service_", 0) == 0) return MarkServiceMain(name, rest);
  return -1;
}

bool IsCtinit(const std::string& path, const std::string& self) {
  struct stat a, b;
  return stat(path.c_str(), &a) == 0 && stat(self.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

// Moves another program's `path` aside to `path`.ctinit-orig so the link can take its place.
// Through dpkg-divert when the image has it, so that a later upgrade of the owning package
// (dpkg's own start-stop-daemon, systemd's systemctl) writes to the diverted name and does not
// put its program back over the link; a plain rename otherwise.
bool MoveAside(const std::string& path) {
  const std::string aside = path + ".ctinit-orig";
  for (const char* divert : {"/usr/bin/dpkg-divert", "/usr/sbin/dpkg-divert"}) {
    if (access(divert, X_OK) != 0) continue;
    std::string cmd = std::string(divert) + " --quiet --local --rename --divert '" + aside +
                      "' --add '" + path + "' >/dev/null 2>&1";
    if (path.find('\'') == std::string::npos && std::system(cmd.c_str()) == 0 &&
        access(path.c_str(), F_OK) != 0)
      return true;
    break;
  }
  if (rename(path.c_str(), aside.c_str()) == 0) return true;
  EError("install-applets: cannot move " + path + " aside: " + strerror(errno));
  return false;
}

// `ctinit install-applets [--replace] [DIR]`: DIR/<applet> -> the ctinit binary for each linked
// applet. A file of that name that is not ctinit is left alone and named — scripts calling it
// by absolute path (Debian's scripts call /sbin/start-stop-daemon) then get that program, not
// the shim's — unless --replace moves it aside first.
int InstallApplets(const std::vector<std::string>& args) {
  bool replace = false;
  std::string dir = "/sbin";
  for (const auto& a : args) {
    if (a == "--replace")
      replace = true;
    else
      dir = a;
  }
  std::string self = SelfExe();
  if (self.empty()) {
    EError("install-applets: cannot find the ctinit binary (/proc/self/exe); is /proc mounted?");
    return 1;
  }
  struct stat st;
  if (lstat(dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char buf[4096];
    ssize_t n = readlink(dir.c_str(), buf, sizeof(buf) - 1);
    std::string target = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
    EInfo(dir + " is a symlink to " + target + " (merged /usr): the links go there");
  }
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    EError("install-applets: " + dir + " is not a directory");
    return 1;
  }
  std::vector<std::string> links;
  for (const char* name : kLinked) links.push_back(dir + "/" + name);
  std::error_code ec;
  std::filesystem::create_directories(kHelperDir, ec);
  for (const char* name : kHelpers) links.push_back(std::string(kHelperDir) + "/" + name);
  int rc = 0;
  for (const std::string& link : links) {
    if (lstat(link.c_str(), &st) == 0) {
      if (IsCtinit(link, self)) continue;  // already ours
      if (!replace) {
        EWarn("install-applets: " + link +
              " exists and is not ctinit; left alone: scripts that call it by this path get "
              "that program (--replace moves it to " +
              link + ".ctinit-orig)");
        continue;
      }
      if (!MoveAside(link)) {
        rc = 1;
        continue;
      }
      EInfo(link + " moved to " + link + ".ctinit-orig");
    }
    if (symlink(self.c_str(), link.c_str()) != 0) {
      EError("install-applets: " + link + ": " + strerror(errno));
      rc = 1;
      continue;
    }
    EInfo(link + " -> " + self);
  }
  return rc;
}

}  // namespace

int RunApplet(int argc, char** argv) noexcept {
  try {
    if (argc < 1 || argv == nullptr || argv[0] == nullptr) return -1;
    std::vector<std::string> args(argv, argv + argc);
    std::string self = BaseName(args[0]);
    if (self == "ctinit" || self == "init") {
      if (args.size() < 2) return -1;
      if (args[1] == "install-applets") {
        return InstallApplets(std::vector<std::string>(args.begin() + 2, args.end()));
      }
      if (self != "ctinit") return -1;
      std::vector<std::string> rest(args.begin() + 1, args.end());
      return Run(args[1], rest);
    }
    return Run(self, args);
  } catch (...) {
    fprintf(stderr, " * %s: out of memory\n", argv && argv[0] ? argv[0] : "ctinit");
  }
  return 1;
}

}  // namespace ctinit::openrc
