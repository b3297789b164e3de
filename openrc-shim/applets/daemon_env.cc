#include "openrc-shim/applets/daemon_env.h"

#include <sstream>

namespace ctinit::openrc {

bool IsRcInternal(const std::string& name) {
  return name.rfind("RC_", 0) == 0 && name != "RC_SVCNAME" && name != "RC_SERVICE";
}

std::string DaemonPath(const std::string& path) {
  std::string out;
  std::istringstream in(path);
  for (std::string d; std::getline(in, d, ':');) {
    if (d.empty() || d == "/lib/rc/bin" || d == "/lib/rc/sbin") continue;
    out += (out.empty() ? "" : ":") + d;
  }
  return out;
}

}  // namespace ctinit::openrc
