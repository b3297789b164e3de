#include "unit-compat/generators.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>

#include "init/base/files.h"

extern char** environ;

namespace ctinit::units {

namespace {

using Clock = std::chrono::steady_clock;
using files::Under;

// Why an entry of a generator directory does not run, or "" when it runs.
std::string PassOverReason(const std::string& host_path) {
  struct stat lst {};
  if (::lstat(host_path.c_str(), &lst) != 0) return "cannot be read";
  if (S_ISLNK(lst.st_mode)) {
    auto target = files::ReadLink(host_path);
    if (target && *target == "/dev/null") return "masked";
  }
  struct stat st {};
  if (::stat(host_path.c_str(), &st) != 0) return "a dangling link";
  if (S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0)) return "masked";
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  if ((st.st_mode & 0111) == 0) return "not executable";
  return "";
}

// The applet's environment with the SYSTEMD_* variables systemd gives its generators.
std::vector<std::string> GeneratorEnvironment(const std::string& virtualization) {
  std::map<std::string, std::string> ours = {{"SYSTEMD_SCOPE", "system"},
                                             {"SYSTEMD_IN_INITRD", "0"}};
  if (!virtualization.empty()) ours["SYSTEMD_VIRTUALIZATION"] = "container:" + virtualization;
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    if (key == "SYSTEMD_VIRTUALIZATION" || key == "SYSTEMD_FIRST_BOOT" || ours.count(key)) continue;
    env.push_back(std::move(kv));
  }
  for (const auto& [k, v] : ours) env.push_back(k + "=" + v);
  return env;
}

bool EmptyOutputDir(const std::string& host_dir, std::ostream& log) {
  std::error_code ec;
  std::filesystem::remove_all(host_dir, ec);  // a link there is removed, not followed
  std::filesystem::create_directories(host_dir, ec);
  if (ec) log << "run-generators: cannot make " << host_dir << ": " << ec.message() << "\n";
  return !ec;
}

// fork + exec of one generator in its own process group; -1 when fork fails.
pid_t StartGenerator(const std::string& host_path, const std::vector<std::string>& argv,
                     const std::vector<std::string>& env, const sigset_t& old_mask) {
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    execve(host_path.c_str(), cargv.data(), cenv.data());
    _exit(127);
  }
  if (pid > 0) setpgid(pid, pid);  // also here: no race with the kill of a timeout
  return pid;
}

// Waits for `pid` until `deadline` (SIGCHLD is blocked, so sigtimedwait sees it). The wait
// status, or nullopt when the deadline passed first.
std::optional<int> WaitUntil(pid_t pid, Clock::time_point deadline) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return 0;  // not our child any more: nothing to wait for
    auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return std::nullopt;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    sigtimedwait(&chld, nullptr, &ts);  // a SIGCHLD, a timeout or EINTR: look again
  }
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "ended";
}

long long Millis(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

std::vector<std::string> GeneratorDirs() {
  return {"/run/systemd/system-generators", "/etc/systemd/system-generators",
          "/usr/local/lib/systemd/system-generators", "/usr/lib/systemd/system-generators",
          "/lib/systemd/system-generators"};
}

std::vector<std::string> DefaultGeneratorSkipList() {
  return {"systemd-sysv-generator",           "systemd-fstab-generator",
          "systemd-getty-generator",          "systemd-gpt-auto-generator",
          "systemd-cryptsetup-generator",     "systemd-veritysetup-generator",
          "systemd-integritysetup-generator", "systemd-hibernate-resume-generator",
          "systemd-bless-boot-generator",     "systemd-system-update-generator",
          "systemd-debug-generator",          "systemd-run-generator"};
}

std::vector<std::string> ManagerSearchPath() {
  return {kGeneratorEarlyDir,
          "/etc/systemd/system",
          "/run/systemd/system",
          kGeneratorDir,
          "/usr/local/lib/systemd/system",
          "/usr/lib/systemd/system",
          "/lib/systemd/system",
          kGeneratorLateDir};
}

std::vector<Generator> FindGenerators(const GeneratorOptions& options,
                                      std::vector<std::string>* passed_over) {
  std::map<std::string, std::string> first;  // name -> path of its highest-priority entry
  for (const auto& dir : options.dirs)
    for (const auto& name : files::ListDir(Under(options.root, dir)))
      first.emplace(name, dir + "/" + name);  // an earlier directory's entry stays
  std::vector<Generator> out;
  for (const auto& [name, path] : first) {  // a map: in order of name
    std::string why;
    if (std::find(options.skip.begin(), options.skip.end(), name) != options.skip.end())
      why = "in the skip list";
    else
      why = PassOverReason(Under(options.root, path));
    if (why.empty())
      out.push_back({name, path});
    else if (passed_over)
      passed_over->push_back(name + ": " + why);
  }
  return out;
}

int RunGenerators(const GeneratorOptions& options, std::ostream& log) {
  const std::vector<std::string> outputs = {Under(options.root, kGeneratorDir),
                                            Under(options.root, kGeneratorEarlyDir),
                                            Under(options.root, kGeneratorLateDir)};
  bool ok = true;
  for (const auto& dir : outputs) ok = EmptyOutputDir(dir, log) && ok;
  auto generators = FindGenerators(options, nullptr);
  if (generators.empty()) return ok ? 0 : 1;

  const auto env = GeneratorEnvironment(options.virtualization);
  signal(SIGCHLD, SIG_DFL);  // never SIG_IGN: the children must stay waitable
  sigset_t chld, old_mask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old_mask);
  const auto all_until = Clock::now() + options.total;
  for (const auto& g : generators) {
    const auto started = Clock::now();
    if (started >= all_until) {
      log << "run-generators: " << g.name << ": not run, the " << Millis(options.total)
          << " ms for all generators are spent\n";
      ok = false;
      continue;
    }
    const std::string host_path = Under(options.root, g.path);
    pid_t pid =
        StartGenerator(host_path, {host_path, outputs[0], outputs[1], outputs[2]}, env, old_mask);
    if (pid < 0) {
      log << "run-generators: " << g.name << ": cannot fork: " << strerror(errno) << "\n";
      ok = false;
      continue;
    }
    auto status = WaitUntil(pid, std::min(started + options.each, all_until));
    if (!status) {
      kill(-pid, SIGKILL);
      waitpid(pid, nullptr, 0);  // SIGKILL: it ends now
      log << "run-generators: " << g.path << ": killed after " << Millis(Clock::now() - started)
          << " ms (time bound)\n";
      ok = false;
    } else if (*status != 0) {
      log << "run-generators: " << g.path << ": " << DescribeExit(*status) << "\n";
      ok = false;
    }
  }
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  return ok ? 0 : 1;
}

int RunGeneratorsMain(const std::vector<std::string>& args, const std::string& virtualization) {
  GeneratorOptions options;
  options.virtualization = virtualization;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--root" && i + 1 < args.size()) {
      options.root = args[++i];
    } else {
      std::cerr << "usage: ctinit run-generators [--root DIR]\n";
      return 2;
    }
  }
  return RunGenerators(options, std::cerr);
}

}  // namespace ctinit::units
