// Test helper (not part of the front end): a temporary root directory for the unit-compat
// tests, optionally filled with the Debian 12 fixtures (tests/fixtures/units/debian12: units
// shipped by nginx, redis-server, cron, openssh-server; debian12-boot: systemd 252's targets and
// a few of its units with their .wants/ links, /etc/passwd, /etc/group, and the
// /etc/systemd/system links `systemctl enable nginx cron ssh redis-server` made).
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ctinit::units::unittest {

class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/ctinit-unitset-XXXXXX";
    if (mkdtemp(tmpl)) path_ = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const std::string& path() const { return path_; }
  void CopyFixture(const std::string& name) {
    std::filesystem::copy(std::string(CTINIT_SOURCE_DIR) + "/tests/fixtures/units/" + name, path_,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::copy_symlinks |
                              std::filesystem::copy_options::overwrite_existing);
  }
  void Debian() {
    CopyFixture("debian12");
    CopyFixture("debian12-boot");
  }
  void Write(const std::string& p, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path_ + p).parent_path());
    std::ofstream(path_ + p) << text;
  }
  void Link(const std::string& target, const std::string& p) {
    std::filesystem::create_directories(std::filesystem::path(path_ + p).parent_path());
    std::filesystem::create_symlink(target, path_ + p);
  }
  // A unit in /etc/systemd/system, enabled in multi-user.target.
  void Unit(const std::string& name, const std::string& text, bool enable = true) {
    Write("/etc/systemd/system/" + name, text);
    if (enable)
      Link("/etc/systemd/system/" + name, "/etc/systemd/system/multi-user.target.wants/" + name);
  }
  bool Exists(const std::string& p) const {
    std::error_code ec;
    return std::filesystem::exists(std::filesystem::symlink_status(path_ + p, ec));
  }
  std::string ReadLink(const std::string& p) const {
    std::error_code ec;
    auto t = std::filesystem::read_symlink(path_ + p, ec);
    return ec ? "" : t.string();
  }

 private:
  std::string path_;
};

}  // namespace ctinit::units::unittest
