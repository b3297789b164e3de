#include "openrc-shim/applets/checkpath.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <optional>

#include "init/base/passwd.h"
#include "openrc-shim/applets/einfo.h"

namespace ctinit::openrc {
namespace {

enum class Type { kNone, kDir, kFile, kFifo, kWritable };

std::string Kind(Type t) {
  return t == Type::kDir ? "directory" : t == Type::kFile ? "file" : "fifo";
}

}  // namespace

int CheckpathMain(const std::vector<std::string>& args, const std::string& root) noexcept {
  try {
    Type type = Type::kNone;
    bool trunc = false, quiet = false;
    std::optional<mode_t> mode;
    std::string owner;
    std::vector<std::string> paths;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      auto value = [&](std::string* out) {
        if (i + 1 >= args.size()) return false;
        *out = args[++i];
        return true;
      };
      if (a == "-d" || a == "--directory") {
        type = Type::kDir;
      } else if (a == "-D" || a == "--directory-truncate") {
        type = Type::kDir, trunc = true;
      } else if (a == "-f" || a == "--file") {
        type = Type::kFile;
      } else if (a == "-F" || a == "--file-truncate") {
        type = Type::kFile, trunc = true;
      } else if (a == "-p" || a == "--pipe") {
        type = Type::kFifo;
      } else if (a == "-W" || a == "--writable") {
        type = Type::kWritable;
      } else if (a == "-q" || a == "--quiet") {
        quiet = true;
      } else if (a == "-m" || a == "--mode" || a.rfind("--mode=", 0) == 0) {
        std::string v;
        if (a.rfind("--mode=", 0) == 0) {
          v = a.substr(7);
        } else if (!value(&v)) {
          EError("checkpath: option requires an argument -- 'm'");
          return 1;
        }
        char* end = nullptr;
        long m = strtol(v.c_str(), &end, 8);
        if (v.empty() || *end != '\0' || m < 0 || m > 07777) {
          EError("checkpath: " + v + ": invalid mode");
          return 1;
        }
        mode = static_cast<mode_t>(m);
      } else if (a == "-o" || a == "--owner" || a.rfind("--owner=", 0) == 0) {
        if (a.rfind("--owner=", 0) == 0) {
          owner = a.substr(8);
        } else if (!value(&owner)) {
          EError("checkpath: option requires an argument -- 'o'");
          return 1;
        }
      } else if (!a.empty() && a[0] == '-' && a != "-") {
        EError("checkpath: unknown option " + a);
        return 1;
      } else {
        paths.push_back(a);
      }
    }
    if (paths.empty()) {
      EError("checkpath: no path specified");
      return 1;
    }
    if (type == Type::kNone) {
      EError("checkpath: -d, -f, -p or -W is required");
      return 1;
    }
    if (type == Type::kWritable) {
      for (const auto& p : paths)
        if (access(p.c_str(), W_OK) != 0) return 1;
      return 0;
    }
    std::optional<Credentials> cred;
    if (!owner.empty()) {
      std::string err;
      std::string user = owner, group;
      if (auto c = user.find(':'); c != std::string::npos) {
        group = user.substr(c + 1);
        user = user.substr(0, c);
      }
      if (user.empty()) user = "0";
      cred = passwd::Resolve(root, user, group, {}, &err);
      if (!cred) {
        EError("checkpath: owner `" + owner + "' not found (" + err + ")");
        return 1;
      }
    }
    auto info = [&](const std::string& t) {
      if (!quiet) EInfo(t);
    };
    int rc = 0;
    for (const auto& p : paths) {
      struct stat st;
      bool created = false;
      if (lstat(p.c_str(), &st) != 0) {
        if (errno != ENOENT) {
          EError(p + ": " + strerror(errno));
          rc = 1;
          continue;
        }
        mode_t m = mode.value_or(type == Type::kDir ? 0775 : type == Type::kFile ? 0644 : 0600);
        mode_t old = umask(0);
        int r = 0;
        if (type == Type::kDir) {
          info(p + ": creating directory");
          r = mkdir(p.c_str(), m);
        } else if (type == Type::kFile) {
          info(p + ": creating file");
          int fd = open(p.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, m);
          r = fd < 0 ? -1 : close(fd);
        } else {
          info(p + ": creating fifo");
          r = mkfifo(p.c_str(), m);
        }
        umask(old);
        if (r != 0) {
          EError(p + ": " + strerror(errno));
          rc = 1;
          continue;
        }
        created = true;
        lstat(p.c_str(), &st);
      } else {
        bool ok = type == Type::kDir    ? S_ISDIR(st.st_mode)
                  : type == Type::kFile ? S_ISREG(st.st_mode)
                                        : S_ISFIFO(st.st_mode);
        if (!ok) {
          EError(p + ": is not a " + Kind(type));
          rc = 1;
          continue;
        }
        if (trunc && type == Type::kFile) {
          info(p + ": truncating file");
          if (truncate(p.c_str(), 0) != 0) {
            EError(p + ": " + strerror(errno));
            rc = 1;
          }
        } else if (trunc && type == Type::kDir) {
          info(p + ": truncating directory");
          std::error_code ec;
          for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
            std::filesystem::remove_all(e.path(), ec);
          }
        }
      }
      if (mode && !created && (st.st_mode & 07777) != *mode) {
        info(p + ": correcting mode");
        if (chmod(p.c_str(), *mode) != 0) {
          EError(p + ": chmod: " + strerror(errno));
          rc = 1;
        }
      }
      if (cred && (st.st_uid != cred->uid || st.st_gid != cred->gid)) {
        if (!created) info(p + ": correcting owner");
        if (lchown(p.c_str(), cred->uid, cred->gid) != 0) {
          EError(p + ": chown: " + strerror(errno));
          rc = 1;
        }
      }
    }
    return rc;
  } catch (...) {
    EError("checkpath: out of memory");
  }
  return 1;
}

}  // namespace ctinit::openrc
