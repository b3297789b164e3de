#include "openrc-shim/applets/checkpath.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

struct CheckpathArgs {
  Type type = Type::kNone;
  bool trunc = false, quiet = false;
  std::optional<mode_t> mode;
  std::string owner;
  std::vector<std::string> paths;
};

// The flags that take no value: what each sets.
struct TypeFlag {
  const char* short_name;
  const char* long_name;
  Type type;  // kNone: -q
  bool trunc;
};
constexpr TypeFlag kTypeFlags[] = {
    {"-d", "--directory", Type::kDir, false}, {"-D", "--directory-truncate", Type::kDir, true},
    {"-f", "--file", Type::kFile, false},     {"-F", "--file-truncate", Type::kFile, true},
    {"-p", "--pipe", Type::kFifo, false},     {"-W", "--writable", Type::kWritable, false},
    {"-q", "--quiet", Type::kNone, false},
};

// -m/--mode and -o/--owner: `-x VALUE`, `--long VALUE` or `--long=VALUE` at args[*i]. nullopt
// when args[*i] is not that option; else false (message printed) when the value is missing.
std::optional<bool> TakeValue(const std::vector<std::string>& args, size_t* i, char short_name,
                              const std::string& long_name, std::string* value) {
  const std::string& a = args[*i];
  if (a.rfind(long_name + "=", 0) == 0) {
    *value = a.substr(long_name.size() + 1);
    return true;
  }
  if (a != std::string("-") + short_name && a != long_name) return std::nullopt;
  if (*i + 1 >= args.size()) {
    EError(std::string("checkpath: option requires an argument -- '") + short_name + "'");
    return false;
  }
  *value = args[++*i];
  return true;
}

bool ParseMode(const std::string& v, CheckpathArgs* out) {
  char* end = nullptr;
  long m = strtol(v.c_str(), &end, 8);
  if (v.empty() || *end != '\0' || m < 0 || m > 07777) {
    EError("checkpath: " + v + ": invalid mode");
    return false;
  }
  out->mode = static_cast<mode_t>(m);
  return true;
}

// False (message printed) for a bad option or value.
bool ParseCheckpathArgs(const std::vector<std::string>& args, CheckpathArgs* out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto flag = std::find_if(std::begin(kTypeFlags), std::end(kTypeFlags), [&](const TypeFlag& f) {
      return a == f.short_name || a == f.long_name;
    });
    std::string value;
    if (flag != std::end(kTypeFlags)) {
      if (flag->type == Type::kNone) {
        out->quiet = true;
      } else {
        out->type = flag->type;
        out->trunc = out->trunc || flag->trunc;
      }
    } else if (auto mode = TakeValue(args, &i, 'm', "--mode", &value)) {
      if (!*mode || !ParseMode(value, out)) return false;
    } else if (auto owner = TakeValue(args, &i, 'o', "--owner", &out->owner)) {
      if (!*owner) return false;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      EError("checkpath: unknown option " + a);
      return false;
    } else {
      out->paths.push_back(a);
    }
  }
  return true;
}

// -o USER[:GROUP] as the image's /etc/passwd and /etc/group know it; false (message printed)
// when they do not.
bool ResolveOwner(const std::string& owner, const std::string& root,
                  std::optional<Credentials>* cred) {
  if (owner.empty()) return true;
  std::string err;
  std::string user = owner, group;
  if (auto c = user.find(':'); c != std::string::npos) {
    group = user.substr(c + 1);
    user = user.substr(0, c);
  }
  if (user.empty()) user = "0";
  *cred = passwd::Resolve(root, user, group, {}, &err);
  if (*cred) return true;
  EError("checkpath: owner `" + owner + "' not found (" + err + ")");
  return false;
}

class Checker {
 public:
  Checker(const CheckpathArgs& a, const std::optional<Credentials>& cred) : a_(a), cred_(cred) {}

  // 0, or 1 when something went wrong (message printed).
  int Check(const std::string& p) {
    struct stat st;
    bool created = false;
    if (lstat(p.c_str(), &st) != 0) {
      if (errno != ENOENT || !Create(p)) return Failed(p);
      created = true;
      lstat(p.c_str(), &st);
    } else if (!HasType(st)) {
      EError(p + ": is not a " + Kind(a_.type));
      return 1;
    } else if (a_.trunc && !Truncate(p)) {
      rc_ = 1;
    }
    if (a_.mode && !created && (st.st_mode & 07777) != *a_.mode) {
      Info(p + ": correcting mode");
      if (chmod(p.c_str(), *a_.mode) != 0) Report(p + ": chmod: " + strerror(errno));
    }
    if (cred_ && (st.st_uid != cred_->uid || st.st_gid != cred_->gid)) {
      if (!created) Info(p + ": correcting owner");
      if (lchown(p.c_str(), cred_->uid, cred_->gid) != 0) {
        Report(p + ": chown: " + strerror(errno));
      }
    }
    int rc = rc_;
    rc_ = 0;
    return rc;
  }

 private:
  void Info(const std::string& text) const {
    if (!a_.quiet) EInfo(text);
  }
  void Report(const std::string& text) {
    EError(text);
    rc_ = 1;
  }
  static int Failed(const std::string& p) {
    EError(p + ": " + strerror(errno));
    return 1;
  }

  bool HasType(const struct stat& st) const {
    return a_.type == Type::kDir    ? S_ISDIR(st.st_mode)
           : a_.type == Type::kFile ? S_ISREG(st.st_mode)
                                    : S_ISFIFO(st.st_mode);
  }

  // The missing path with its type and mode (-m, else 0775 / 0644 / 0600); false with errno.
  bool Create(const std::string& p) const {
    const Type t = a_.type;
    mode_t m = a_.mode.value_or(t == Type::kDir ? 0775 : t == Type::kFile ? 0644 : 0600);
    mode_t old = umask(0);
    int r = 0;
    if (t == Type::kDir) {
      Info(p + ": creating directory");
      r = mkdir(p.c_str(), m);
    } else if (t == Type::kFile) {
      Info(p + ": creating file");
      int fd = open(p.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, m);
      r = fd < 0 ? -1 : close(fd);
    } else {
      Info(p + ": creating fifo");
      r = mkfifo(p.c_str(), m);
    }
    int saved = errno;
    umask(old);
    errno = saved;
    return r == 0;
  }

  // -F empties the file, -D the directory; false (message printed) when that fails.
  bool Truncate(const std::string& p) const {
    if (a_.type == Type::kFile) {
      Info(p + ": truncating file");
      if (truncate(p.c_str(), 0) == 0) return true;
      EError(p + ": " + strerror(errno));
      return false;
    }
    if (a_.type == Type::kDir) {
      Info(p + ": truncating directory");
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        std::filesystem::remove_all(e.path(), ec);
      }
    }
    return true;
  }

  const CheckpathArgs& a_;
  const std::optional<Credentials>& cred_;
  int rc_ = 0;
};

}  // namespace

int CheckpathMain(const std::vector<std::string>& args, const std::string& root) noexcept {
  try {
    CheckpathArgs a;
    if (!ParseCheckpathArgs(args, &a)) return 1;
    if (a.paths.empty()) {
      EError("checkpath: no path specified");
      return 1;
    }
    if (a.type == Type::kNone) {
      EError("checkpath: -d, -f, -p or -W is required");
      return 1;
    }
    if (a.type == Type::kWritable) {
      for (const auto& p : a.paths)
        if (access(p.c_str(), W_OK) != 0) return 1;
      return 0;
    }
    std::optional<Credentials> cred;
    if (!ResolveOwner(a.owner, root, &cred)) return 1;
    Checker checker(a, cred);
    int rc = 0;
    for (const auto& p : a.paths) rc |= checker.Check(p);
    return rc;
  } catch (...) {
    EError("checkpath: out of memory");
  }
  return 1;
}

}  // namespace ctinit::openrc
