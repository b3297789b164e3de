#include "openrc-shim/applets/process_match.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "openrc-shim/applets/einfo.h"

namespace ctinit::openrc {
namespace {

std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<pid_t> FindPids(const std::vector<ProcInfo>& procs, const MatchSpec& spec,
                            pid_t self) noexcept {
  std::vector<pid_t> out;
  try {
    std::string base = BaseName(spec.exec);
    std::string base15 = base.substr(0, 15);
    for (const auto& p : procs) {
      if (p.pid == self || p.zombie) continue;
      if (spec.pid > 0) {
        if (p.pid == spec.pid) out.push_back(p.pid);
        continue;
      }
      if (spec.pid < 0) continue;
      if (spec.uid != 0 && p.uid != spec.uid) continue;
      if (!spec.exec.empty()) {
        bool exe_match = !p.exe.empty() && p.exe == spec.exec;
        bool comm_match = p.comm == base || p.comm == base15;
        if (!exe_match && !comm_match) continue;
      }
      if (!spec.argv.empty()) {
        if (p.cmdline.size() < spec.argv.size()) continue;
        if (!std::equal(spec.argv.begin(), spec.argv.end(), p.cmdline.begin())) continue;
      }
      out.push_back(p.pid);
    }
  } catch (...) {
  }
  return out;
}

std::vector<ProcInfo> ReadProcs(const std::string& proc_root) noexcept {
  std::vector<ProcInfo> out;
  try {
    DIR* d = opendir(proc_root.c_str());
    if (d == nullptr) return out;
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      long pid = strtol(e->d_name, &end, 10);
      if (pid <= 0 || *end != '\0') continue;
      std::string base = proc_root + "/" + e->d_name;
      ProcInfo p;
      p.pid = static_cast<pid_t>(pid);
      std::string stat = ReadFile(base + "/stat");
      size_t lp = stat.find('('), rp = stat.rfind(')');
      if (lp == std::string::npos || rp == std::string::npos || rp < lp) continue;
      p.comm = stat.substr(lp + 1, rp - lp - 1);
      p.zombie = rp + 2 < stat.size() && stat[rp + 2] == 'Z';
      struct stat st;
      if (::stat(base.c_str(), &st) == 0) p.uid = st.st_uid;
      char buf[4096];
      ssize_t n = readlink((base + "/exe").c_str(), buf, sizeof(buf) - 1);
      if (n > 0) {
        p.exe.assign(buf, static_cast<size_t>(n));
        const std::string deleted = " (deleted)";
        if (p.exe.size() > deleted.size() &&
            p.exe.compare(p.exe.size() - deleted.size(), deleted.size(), deleted) == 0) {
          p.exe.resize(p.exe.size() - deleted.size());
        }
      }
      std::string cmd = ReadFile(base + "/cmdline");
      size_t pos = 0;
      while (pos < cmd.size()) {
        size_t z = cmd.find('\0', pos);
        if (z == std::string::npos) z = cmd.size();
        p.cmdline.push_back(cmd.substr(pos, z - pos));
        pos = z + 1;
      }
      out.push_back(std::move(p));
    }
    closedir(d);
  } catch (...) {
  }
  return out;
}

}  // namespace ctinit::openrc
