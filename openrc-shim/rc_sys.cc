#include "openrc-shim/rc_sys.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "init/base/files.h"
#include "init/base/text.h"

namespace ctinit::openrc {
namespace {

namespace fs = std::filesystem;

// "<key>" followed by blanks and a digit 1-9, at the start of a line.
bool HasNonZeroField(const std::string& status, std::string_view key) {
  size_t pos = 0;
  while ((pos = status.find(key, pos)) != std::string::npos) {
    bool at_line_start = pos == 0 || status[pos - 1] == '\n';
    size_t i = pos + key.size();
    while (i < status.size() && (status[i] == ' ' || status[i] == '\t')) ++i;
    if (at_line_start && i < status.size() && status[i] >= '1' && status[i] <= '9') return true;
    pos += key.size();
  }
  return false;
}

bool EnvironHas(const std::string& environ, std::string_view entry) {
  size_t start = 0;
  while (start <= environ.size()) {
    size_t end = environ.find('\0', start);
    if (end == std::string::npos) end = environ.size();
    if (std::string_view(environ).substr(start, end - start) == entry) return true;
    start = end + 1;
  }
  return false;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

using text::Lower;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of the last `rc_sys=` assignment in a shell-style config file, quotes removed.
void ScanRcSys(const std::string& path, std::optional<std::string>* out) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line.compare(i, 7, "rc_sys=") != 0) continue;
    std::string v = line.substr(i + 7);
    size_t end;
    if (!v.empty() && (v[0] == '"' || v[0] == '\'')) {
      end = v.find(v[0], 1);
      v = v.substr(1, end == std::string::npos ? std::string::npos : end - 1);
    } else {
      end = v.find_first_of(" \t#");
      if (end != std::string::npos) v.resize(end);
    }
    *out = v;
  }
}

}  // namespace

std::string MaskKeyword(const std::string& rc_sys) noexcept {
  try {
    if (rc_sys.empty()) return "";
    std::string out = "-";  // not `"-" + Lower(…)`: GCC 12 -Wrestrict false positive (PR105329)
    out += Lower(rc_sys);
    return out;
  } catch (...) {
    return "";
  }
}

std::string DetectRcSys(const SysProbe& p) noexcept {
  try {
    if (p.rc_sys_conf) return Upper(*p.rc_sys_conf);
    if (p.cpuinfo.find("UML") != std::string::npos) return "UML";
    if (HasNonZeroField(p.self_status, "s_context:") || HasNonZeroField(p.self_status, "VxID:")) {
      return "VSERVER";
    }
    if (p.vz_veinfo && !p.vz_version) return "OPENVZ";
    if (HasNonZeroField(p.self_status, "envID:")) return "OPENVZ";
    if (EnvironHas(p.pid1_environ, "container=lxc")) return "LXC";
    if (EnvironHas(p.pid1_environ, "container=rkt")) return "RKT";
    if (EnvironHas(p.pid1_environ, "container=systemd-nspawn")) return "SYSTEMD-NSPAWN";
    if (p.containerenv) return "PODMAN";
    if (p.dockerenv || EnvironHas(p.pid1_environ, "container=docker")) return "DOCKER";
    if (Lower(p.osrelease).find("microsoft") != std::string::npos || p.wsl_distro_name ||
        p.wsl_interop) {
      return "WSL";
    }
    if (p.proc_xen) {
      return p.xen_capabilities.find("control_d") != std::string::npos ? "XEN0" : "XENU";
    }
  } catch (...) {
  }
  return "";
}

SysProbe ProbeSystem(const std::string& root) noexcept {
  SysProbe p;
  try {
    std::string r = root == "/" ? "" : root;
    ScanRcSys(r + "/etc/rc.conf", &p.rc_sys_conf);
    std::error_code ec;
    std::vector<std::string> confs;
    for (const auto& e : fs::directory_iterator(r + "/etc/rc.conf.d", ec)) {
      if (e.path().extension() == ".conf") confs.push_back(e.path().string());
    }
    std::sort(confs.begin(), confs.end());
    for (const auto& c : confs) ScanRcSys(c, &p.rc_sys_conf);
    p.cpuinfo = Slurp(r + "/proc/cpuinfo");
    p.self_status = Slurp(r + "/proc/self/status");
    p.vz_veinfo = files::Resolves(r + "/proc/vz/veinfo");
    p.vz_version = files::Resolves(r + "/proc/vz/version");
    p.pid1_environ = Slurp(r + "/proc/1/environ");
    p.containerenv = files::Resolves(r + "/run/.containerenv");
    p.dockerenv = files::Resolves(r + "/.dockerenv");
    p.osrelease = Slurp(r + "/proc/sys/kernel/osrelease");
    p.wsl_distro_name = std::getenv("WSL_DISTRO_NAME") != nullptr;
    p.wsl_interop = files::Resolves(r + "/proc/sys/fs/binfmt_misc/WSLInterop");
    p.proc_xen = files::Resolves(r + "/proc/xen");
    p.xen_capabilities = Slurp(r + "/proc/xen/capabilities");
  } catch (...) {
  }
  return p;
}

}  // namespace ctinit::openrc
