#include "openrc-shim/run_mount.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "init/base/files.h"
#include "init/base/log.h"
#include "init/base/text.h"
#include "openrc-shim/depend.h"
#include "openrc-shim/lsb_header.h"
#include "openrc-shim/native.h"

namespace ctinit::openrc {

bool ShouldMountRun(std::string_view mountinfo, std::string* why) {
  std::vector<std::string> below;
  for (const auto& line : text::Split(mountinfo, '\n')) {
    // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": field 5 is the point.
    std::vector<std::string> fields = text::Split(line, ' ');
    if (fields.size() < 5) continue;
    std::string point = text::DecodeOctalEscapes(fields[4]);
    if (point == "/run") {
      *why = "/run is a mount point already";
      return false;
    }
    if (point.rfind("/run/", 0) == 0) below.push_back(point);
  }
  if (!below.empty()) {
    *why = "mounts below /run would be hidden: " + text::Join(below, " ");
    return false;
  }
  return true;
}

bool SysinitRunsLsbScripts(const std::string& root) {
  std::vector<Diagnostic> ignored;
  for (const auto& name : RunlevelServices(root, "sysinit", &ignored)) {
    std::string text;
    if (!ReadInitScript(files::Under(root, "/etc/init.d/" + name), &text)) continue;
    if (!IsOpenrcShebang(FirstLineOf(text)) && HasLsbHeader(text)) return true;
  }
  return false;
}

void MountRunForSysinit() noexcept {
  try {
    std::string mountinfo, why;
    if (!files::ReadFile("/proc/self/mountinfo", &mountinfo)) return;
    if (!ShouldMountRun(mountinfo, &why)) {
      log::Info("OpenRC native mode: /run left as it is ({})", why);
      return;
    }
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_STRICTATIME;
    if (::mount("tmpfs", "/run", "tmpfs", flags, "mode=0755,nr_inodes=800k,size=20%") != 0) {
      log::Info("OpenRC native mode: mounting a tmpfs on /run (as OpenRC's init.sh): {}",
                std::strerror(errno));
      return;
    }
    log::Info("OpenRC native mode: mounted a tmpfs on /run, as OpenRC's init.sh does");
  } catch (...) {
  }
}

}  // namespace ctinit::openrc
