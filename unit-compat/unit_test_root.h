// Test helper (not part of the front end): a temporary root directory for the unit-compat
// tests (tests/unit/temp_dir.h), optionally filled with the Debian 12 fixtures
// (tests/fixtures/units/debian12: units shipped by nginx, redis-server, cron, openssh-server;
// debian12-boot: systemd 252's targets and a few of its units with their .wants/ links,
// /etc/passwd, /etc/group, and the /etc/systemd/system links `systemctl enable nginx cron ssh
// redis-server` made).
#pragma once

#include <filesystem>
#include <string>

#include "tests/unit/temp_dir.h"

namespace ctinit::units::unittest {

class TempRoot : public testutil::TempDir {
 public:
  TempRoot() : TempDir("ctinit-unitset") {}

  void CopyFixture(const std::string& name) {
    std::filesystem::copy(std::string(CTINIT_SOURCE_DIR) + "/tests/fixtures/units/" + name, path(),
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::copy_symlinks |
                              std::filesystem::copy_options::overwrite_existing);
  }
  void Debian() {
    CopyFixture("debian12");
    CopyFixture("debian12-boot");
  }
  // A unit in /etc/systemd/system, enabled in multi-user.target.
  void Unit(const std::string& name, const std::string& text, bool enable = true) {
    Write("/etc/systemd/system/" + name, text);
    if (enable)
      Link("/etc/systemd/system/" + name, "/etc/systemd/system/multi-user.target.wants/" + name);
  }
};

}  // namespace ctinit::units::unittest
