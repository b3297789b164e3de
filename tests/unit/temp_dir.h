// Test helper: a temporary directory that is removed with everything in it when the object goes
// out of scope, and the few file operations tests need to fill and inspect it. Paths given to
// the helpers are relative to the directory and start with '/' ("/etc/passwd"), so a TempDir
// reads as the root of an image. Failures (a full /tmp) show up as failed expectations of the
// test itself, not as exceptions.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ctinit::testutil {

class TempDir {
 public:
  // The directory is /tmp/PREFIX-XXXXXX.
  explicit TempDir(const std::string& prefix = "ctinit-test") {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The directory itself (no trailing slash).
  const std::string& path() const { return path_; }
  // A host path inside it: Path("/etc/passwd").
  std::string Path(const std::string& p) const { return path_ + p; }

  // Writes `text` to `p`, making its parent directories; `mode` when given.
  void Write(const std::string& p, const std::string& text, mode_t mode = 0) {
    MakeParent(p);
    std::ofstream(Path(p), std::ios::binary | std::ios::trunc) << text;
    if (mode) ::chmod(Path(p).c_str(), mode);
  }
  void MakeDir(const std::string& p) {
    std::error_code ec;
    std::filesystem::create_directories(Path(p), ec);
  }
  // A symlink at `p` pointing to `target` (taken as it is: not put under the directory).
  void Link(const std::string& target, const std::string& p) {
    MakeParent(p);
    std::error_code ec;
    std::filesystem::create_symlink(target, Path(p), ec);
  }

  // Something is at `p` (a dangling symlink counts).
  bool Exists(const std::string& p) const {
    std::error_code ec;
    return std::filesystem::exists(std::filesystem::symlink_status(Path(p), ec));
  }
  // The contents of `p`; "" if it cannot be read.
  std::string Read(const std::string& p) const {
    std::ifstream in(Path(p), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // A symlink's target; "" if `p` is not one.
  std::string ReadLink(const std::string& p) const {
    std::error_code ec;
    auto t = std::filesystem::read_symlink(Path(p), ec);
    return ec ? "" : t.string();
  }

 private:
  void MakeParent(const std::string& p) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(Path(p)).parent_path(), ec);
  }

  std::string path_;
};

}  // namespace ctinit::testutil
