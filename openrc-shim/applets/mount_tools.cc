#include "openrc-shim/applets/mount_tools.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>

#include "init/base/files.h"
#include "init/base/text.h"
#include "openrc-shim/applets/einfo.h"
#include "openrc-shim/applets/getopt_argv.h"

namespace ctinit::openrc {
namespace {

// A compiled POSIX extended regex (what OpenRC's regcomp(REG_EXTENDED | REG_NOSUB) accepts).
class Regex {
 public:
  static std::unique_ptr<Regex> Compile(const std::string& pattern, std::string* error) {
    auto r = std::unique_ptr<Regex>(new Regex);
    int rc = regcomp(&r->re_, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char buf[256];
      regerror(rc, &r->re_, buf, sizeof(buf));
      *error = buf;
      return nullptr;
    }
    r->compiled_ = true;
    return r;
  }
  ~Regex() {
    if (compiled_) regfree(&re_);
  }
  bool Matches(const std::string& s) const { return regexec(&re_, s.c_str(), 0, nullptr, 0) == 0; }

 private:
  Regex() = default;
  regex_t re_{};
  bool compiled_ = false;
};

// ---- mountinfo --------------------------------------------------------------------------------

enum class Show { kPoint, kNode, kFstype, kOptions };
enum class Net { kIgnore, kYes, kNo };

struct MountinfoArgs {
  std::unique_ptr<Regex> node, skip_node, fstype, skip_fstype, options, skip_options, point,
      skip_point;
  Show show = Show::kPoint;
  Net net = Net::kIgnore;
  bool quiet = false;
  std::vector<std::string> points;
};

// -1: no fstab entry for the mount point; 0: its fstab entry has _netdev; 1: it has not (the
// encoding OpenRC's mountinfo uses).
int NetdevOf(const std::vector<MountEntry>& fstab, const std::string& point) {
  for (const auto& e : fstab) {
    if (e.point == point) return e.options.find("_netdev") != std::string::npos ? 0 : 1;
  }
  return -1;
}

bool Selected(const MountinfoArgs& a, const MountEntry& m, int netdev) {
  if (m.fstype == "rootfs") return false;
  const bool by_net = netdev != -1 || !a.points.empty();
  if (a.net == Net::kYes && by_net) {
    if (netdev != 0) return false;
  } else if (a.net == Net::kNo && by_net) {
    if (netdev != 1) return false;
  } else {
    auto fails = [](const std::unique_ptr<Regex>& want, const std::unique_ptr<Regex>& skip,
                    const std::string& value) {
      return (want && !want->Matches(value)) || (skip && skip->Matches(value));
    };
    if (fails(a.node, a.skip_node, m.node) || fails(a.fstype, a.skip_fstype, m.fstype) ||
        fails(a.options, a.skip_options, m.options)) {
      return false;
    }
  }
  return a.points.empty() || std::find(a.points.begin(), a.points.end(), m.point) != a.points.end();
}

const std::string& Shown(const MountinfoArgs& a, const MountEntry& m) {
  switch (a.show) {
    case Show::kNode:
      return m.node;
    case Show::kFstype:
      return m.fstype;
    case Show::kOptions:
      return m.options;
    case Show::kPoint:
      break;
  }
  return m.point;
}

const option kMountinfoOptions[] = {
    {"fstype-regex", 1, nullptr, 'f'},  {"skip-fstype-regex", 1, nullptr, 'F'},
    {"node-regex", 1, nullptr, 'n'},    {"skip-node-regex", 1, nullptr, 'N'},
    {"options-regex", 1, nullptr, 'o'}, {"skip-options-regex", 1, nullptr, 'O'},
    {"point-regex", 1, nullptr, 'p'},   {"skip-point-regex", 1, nullptr, 'P'},
    {"options", 0, nullptr, 'i'},       {"fstype", 0, nullptr, 's'},
    {"node", 0, nullptr, 't'},          {"netdev", 0, nullptr, 'e'},
    {"nonetdev", 0, nullptr, 'E'},      {"quiet", 0, nullptr, 'q'},
    {"verbose", 0, nullptr, 'v'},       {"nocolor", 0, nullptr, 'C'},
    {"help", 0, nullptr, 'h'},          {nullptr, 0, nullptr, 0}};

// False (message printed) when the arguments are wrong.
bool ParseMountinfo(const std::vector<std::string>& args, MountinfoArgs* a) {
  GetoptArgv av("mountinfo", args);
  std::string err;
  int opt;
  while ((opt = getopt_long(av.argc(), av.argv(), "f:F:n:N:o:O:p:P:isteEqvCh", kMountinfoOptions,
                            nullptr)) != -1) {
    std::unique_ptr<Regex>* target = nullptr;
    switch (opt) {
      case 'f':
        target = &a->fstype;
        break;
      case 'F':
        target = &a->skip_fstype;
        break;
      case 'n':
        target = &a->node;
        break;
      case 'N':
        target = &a->skip_node;
        break;
      case 'o':
        target = &a->options;
        break;
      case 'O':
        target = &a->skip_options;
        break;
      case 'p':
        target = &a->point;
        break;
      case 'P':
        target = &a->skip_point;
        break;
      case 'i':
        a->show = Show::kOptions;
        break;
      case 's':
        a->show = Show::kFstype;
        break;
      case 't':
        a->show = Show::kNode;
        break;
      case 'e':
        a->net = Net::kYes;
        break;
      case 'E':
        a->net = Net::kNo;
        break;
      case 'q':
        a->quiet = true;
        break;
      case 'v':
      case 'C':
        break;
      case 'h':
        printf("Usage: mountinfo [options] [mount1] [mount2] ...\n");
        return false;
      default:
        return false;
    }
    if (target != nullptr && !(*target = Regex::Compile(optarg, &err))) {
      EError("mountinfo: invalid regex `" + err + "'");
      return false;
    }
  }
  for (int i = optind; i < av.argc(); ++i) {
    std::string p = av.argv()[i];
    if (p.empty() || p[0] != '/') {
      EError("mountinfo: `" + p + "' is not a mount point");
      return false;
    }
    char real[PATH_MAX];
    a->points.push_back(realpath(p.c_str(), real) ? std::string(real) : p);
  }
  return true;
}

// ---- fstabinfo --------------------------------------------------------------------------------

enum class Output { kFile, kMountArgs, kOptions, kPassno, kBlockDev, kMount, kRemount };

const MountEntry* FindPoint(const std::vector<MountEntry>& fstab, const std::string& point) {
  for (const auto& e : fstab)
    if (e.point == point) return &e;
  return nullptr;
}

// mount's exit code, -1 when it did not exit normally.
int RunMount(const MountEntry& e, bool remount) {
  std::vector<std::string> argv = {"mount", "-o", e.options, "-t", e.fstype};
  if (remount) argv.insert(argv.end(), {"-o", "remount"});
  argv.insert(argv.end(), {e.node, e.point});
  std::vector<char*> c;
  for (auto& s : argv) c.push_back(s.data());
  c.push_back(nullptr);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    execvp("mount", c.data());
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// -p with =N, <N, >N: the mount points whose pass number compares so (none for "none").
bool AddByPassno(const std::vector<MountEntry>& fstab, const std::string& spec,
                 std::vector<std::string>* points) {
  char* end = nullptr;
  long n = strtol(spec.c_str() + 1, &end, 10);
  if (end == spec.c_str() + 1) {
    EError("fstabinfo: invalid passno " + spec.substr(1));
    return false;
  }
  for (const auto& e : fstab) {
    if (e.point == "none") continue;
    long p = e.passno;
    if ((spec[0] == '=' && n == p) || (spec[0] == '<' && n > p && p != 0) ||
        (spec[0] == '>' && n < p && p != 0)) {
      points->push_back(e.point);
    }
  }
  return true;
}

const option kFstabinfoOptions[] = {
    {"mount", 0, nullptr, 'M'},     {"remount", 0, nullptr, 'R'}, {"blockdevice", 0, nullptr, 'b'},
    {"mountargs", 0, nullptr, 'm'}, {"options", 0, nullptr, 'o'}, {"passno", 1, nullptr, 'p'},
    {"fstype", 1, nullptr, 't'},    {"quiet", 0, nullptr, 'q'},   {"verbose", 0, nullptr, 'v'},
    {"nocolor", 0, nullptr, 'C'},   {"help", 0, nullptr, 'h'},    {nullptr, 0, nullptr, 0}};

struct FstabinfoArgs {
  Output output = Output::kFile;
  bool quiet = false, filtered = false;
  std::vector<std::string> points;
};

bool ParseFstabinfo(const std::vector<std::string>& args, const std::vector<MountEntry>& fstab,
                    FstabinfoArgs* a) {
  GetoptArgv av("fstabinfo", args);
  int opt;
  while ((opt = getopt_long(av.argc(), av.argv(), "MRbmop:t:qvCh", kFstabinfoOptions, nullptr)) !=
         -1) {
    switch (opt) {
      case 'M':
        a->output = Output::kMount;
        break;
      case 'R':
        a->output = Output::kRemount;
        break;
      case 'b':
        a->output = Output::kBlockDev;
        break;
      case 'o':
        a->output = Output::kOptions;
        break;
      case 'm':
        a->output = Output::kMountArgs;
        break;
      case 'p': {
        std::string v = optarg;
        if (!v.empty() && (v[0] == '=' || v[0] == '<' || v[0] == '>')) {
          a->filtered = true;
          if (!AddByPassno(fstab, v, &a->points)) return false;
        } else {
          a->points.push_back(v);
          a->output = Output::kPassno;
        }
        break;
      }
      case 't': {
        a->filtered = true;
        std::istringstream types(optarg);
        for (std::string t; std::getline(types, t, ',');) {
          for (const auto& e : fstab)
            if (e.fstype == t) a->points.push_back(e.point);
        }
        break;
      }
      case 'q':
        a->quiet = true;
        break;
      case 'v':
      case 'C':
        break;
      case 'h':
        printf("Usage: fstabinfo [options] [mount points]\n");
        return false;
      default:
        return false;
    }
  }
  std::vector<std::string> operands(av.argv() + optind, av.argv() + av.argc());
  if (!operands.empty()) {
    if (!a->points.empty()) {
      std::erase_if(a->points, [&](const std::string& p) {
        return std::find(operands.begin(), operands.end(), p) == operands.end();
      });
    } else {
      a->points = operands;
    }
  } else if (!a->filtered) {
    for (const auto& e : fstab) a->points.push_back(e.point);
    if (a->points.empty()) {
      EError("fstabinfo: empty fstab");
      return false;
    }
  }
  return true;
}

void PrintEntry(Output output, const MountEntry& e, const std::string& point) {
  switch (output) {
    case Output::kBlockDev:
      printf("%s\n", e.node.c_str());
      break;
    case Output::kMountArgs:
      printf("-o %s -t %s %s %s\n", e.options.c_str(), e.fstype.c_str(), e.node.c_str(),
             point.c_str());
      break;
    case Output::kOptions:
      printf("%s\n", e.options.c_str());
      break;
    case Output::kFile:
      printf("%s\n", point.c_str());
      break;
    case Output::kPassno:
      printf("%d\n", e.passno);
      break;
    case Output::kMount:
    case Output::kRemount:
      break;
  }
}

}  // namespace

std::vector<MountEntry> ParseMountTable(const std::string& text, bool decode) {
  std::vector<MountEntry> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> f;
    for (std::string w; words >> w;) f.push_back(decode ? text::DecodeOctalEscapes(w) : w);
    if (f.size() < 2 || f[0][0] == '#') continue;
    MountEntry e;
    e.node = f[0];
    e.point = f[1];
    e.fstype = f.size() > 2 ? f[2] : "";
    e.options = f.size() > 3 ? f[3] : "";
    e.passno = f.size() > 5 ? atoi(f[5].c_str()) : 0;
    out.push_back(e);
  }
  return out;
}

int MountinfoMain(const std::vector<std::string>& args, const MountFiles& files) noexcept {
  try {
    MountinfoArgs a;
    if (!ParseMountinfo(args, &a)) return 1;
    std::string text;
    if (!files::ReadFile(files.proc_mounts, &text)) {
      EError("mountinfo: cannot read " + files.proc_mounts);
      return 1;
    }
    std::string fstab_text;
    files::ReadFile(files.fstab, &fstab_text);
    const auto fstab = ParseMountTable(fstab_text, true);
    std::vector<std::string> values;
    for (const auto& m : ParseMountTable(text, false)) {
      if (Selected(a, m, NetdevOf(fstab, m.point))) values.push_back(Shown(a, m));
    }
    const bool quiet = a.quiet || EnvYes("EINFO_QUIET");
    int rc = 1;
    // Newest first, which is the order to unmount them in.
    for (auto it = values.rbegin(); it != values.rend(); ++it) {
      if ((a.point && !a.point->Matches(*it)) || (a.skip_point && a.skip_point->Matches(*it))) {
        continue;
      }
      if (!quiet) printf("%s\n", it->c_str());
      rc = 0;
    }
    fflush(stdout);
    return rc;
  } catch (...) {
  }
  return 1;
}

int FstabinfoMain(const std::vector<std::string>& args, const MountFiles& files) noexcept {
  try {
    std::string text;
    if (!files::ReadFile(files.fstab, &text)) {
      EError(files.fstab + " does not exist");
      return 1;
    }
    const auto fstab = ParseMountTable(text, true);
    FstabinfoArgs a;
    if (!ParseFstabinfo(args, fstab, &a)) return 1;
    if (a.points.empty()) return 1;
    int rc = 0;
    for (const auto& point : a.points) {
      const MountEntry* e = FindPoint(fstab, point);
      if (e == nullptr) {
        rc = 1;
        continue;
      }
      if (a.output == Output::kMount || a.output == Output::kRemount) {
        rc += RunMount(*e, a.output == Output::kRemount);
      }
      if (!a.quiet) PrintEntry(a.output, *e, point);
    }
    fflush(stdout);
    return rc;
  } catch (...) {
  }
  return 1;
}

}  // namespace ctinit::openrc
