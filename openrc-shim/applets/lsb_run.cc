#include "openrc-shim/applets/lsb_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "openrc-shim/applets/service_state.h"

namespace ctinit::openrc {

namespace {

// Runs `argv` (argv[0] the script) and waits for it: its exit status, 128 + signal, or 1.
int RunAndWait(const std::vector<std::string>& argv) {
  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::fprintf(stderr, "lsb-run: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (pid == 0) {
    ::execv(c_argv[0], c_argv.data());
    std::fprintf(stderr, "lsb-run: %s: %s\n", c_argv[0], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void MarkOrSay(const std::string& svcdir, const std::string& svc, int state,
               const std::string& script) {
  std::string error;
  if (!Mark(svcdir, svc, state, script, &error))
    std::fprintf(stderr, "lsb-run: %s: %s\n", svc.c_str(), error.c_str());
}

}  // namespace

int LsbRunMain(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[0].empty() || args[0][0] != '/') {
    std::fprintf(stderr, "usage: lsb-run /etc/init.d/SCRIPT VERB [ARG...]\n");
    return 1;
  }
  const std::string& script = args[0];
  const std::string& verb = args[1];
  const std::string svc = BaseName(script);
  const std::string svcdir = SvcDirFromEnv();
  bool start = verb == "start", stop = verb == "stop";
  if (start || stop) {
    std::string error;
    if (!EnsureSvcDir(svcdir, &error)) std::fprintf(stderr, "lsb-run: %s\n", error.c_str());
    MarkOrSay(svcdir, svc, start ? kStateStarting : kStateStopping, script);
  }
  int code = RunAndWait(args);
  if (start || stop) {
    bool ok = code == 0;
    MarkOrSay(svcdir, svc, (start == ok) ? kStateStarted : kStateStopped, script);
    if (!ok) MarkOrSay(svcdir, svc, kStateFailed, script);
  }
  return code;
}

}  // namespace ctinit::openrc
