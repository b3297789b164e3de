#include "openrc-shim/applets/service_values.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "init/base/files.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/service_state.h"

namespace ctinit::openrc {
namespace {

bool IsGetter(const std::string& applet) {
  return applet == "service_get_value" || applet == "get_options";
}

// A name that stays one file inside options/<svc>/ (OpenRC passes it to openat as is; the shim
// refuses what would leave the directory).
bool SafeName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

}  // namespace

bool IsServiceValueApplet(const std::string& name) noexcept {
  return IsGetter(name) || name == "service_set_value" || name == "save_options";
}

int ServiceValueMain(const std::string& applet, const std::vector<std::string>& args,
                     const std::string& svcdir_arg) noexcept {
  try {
    const char* svc_env = getenv("RC_SVCNAME");
    const std::string svc = svc_env ? svc_env : "";
    if (!SafeName(svc)) {
      EError(applet + ": no service specified");
      return 1;
    }
    if (args.empty() || args[0].empty()) {
      EError(applet + ": no option specified");
      return 1;
    }
    if (!SafeName(args[0])) return 1;
    const std::string svcdir = svcdir_arg.empty() ? SvcDirFromEnv() : svcdir_arg;
    const std::string dir = svcdir + "/options/" + svc;
    const std::string file = dir + "/" + args[0];
    if (IsGetter(applet)) {
      std::string value;
      if (!files::ReadFile(file, &value)) return 1;
      fwrite(value.data(), 1, value.size(), stdout);
      fflush(stdout);
      return 0;
    }
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      if (errno != ENOENT) return 1;
      // options/ itself is missing (a shim-only image that never ran openrc-run).
      std::string err;
      if (!EnsureSvcDir(svcdir, &err) || (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)) {
        return 1;
      }
    }
    if (args.size() < 2) {
      unlink(file.c_str());
      return 0;
    }
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << args[1];
    out.close();
    return out ? 0 : 1;
  } catch (...) {
  }
  return 1;
}

}  // namespace ctinit::openrc
