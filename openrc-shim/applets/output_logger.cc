#include "openrc-shim/applets/output_logger.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "openrc-shim/applets/einfo.h"

namespace ctinit::openrc {
namespace {

[[noreturn]] void ExecLogger(const std::string& command, int read_end, int devnull) {
  dup2(read_end, 0);
  if (devnull >= 0) {
    dup2(devnull, 1);
    dup2(devnull, 2);
  }
  for (int fd = 3; fd < 1024; ++fd) close(fd);
  signal(SIGPIPE, SIG_DFL);
  execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
  _exit(127);
}

}  // namespace

int StartLogger(const std::string& command, int devnull, bool detach, std::string* error) {
  int p[2];
  if (pipe(p) != 0) {
    *error = std::string("pipe: ") + strerror(errno);
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + strerror(errno);
    close(p[0]);
    close(p[1]);
    return -1;
  }
  if (pid == 0) {
    close(p[1]);
    if (!detach) ExecLogger(command, p[0], devnull);
    setsid();
    if (fork() == 0) ExecLogger(command, p[0], devnull);
    _exit(0);
  }
  close(p[0]);
  if (detach) {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  }
  return p[1];
}

int RunWithLoggersMain(const std::vector<std::string>& args) noexcept {
  try {
    std::string out_cmd, err_cmd;
    size_t i = 0;
    for (; i < args.size(); ++i) {
      if (args[i] == "--") {
        ++i;
        break;
      }
      if (i + 1 < args.size() && args[i] == "--stdout-logger") {
        out_cmd = args[++i];
      } else if (i + 1 < args.size() && args[i] == "--stderr-logger") {
        err_cmd = args[++i];
      } else {
        EError(std::string(kRunWithLoggers) + ": unexpected argument `" + args[i] + "'");
        return 127;
      }
    }
    if (i >= args.size()) {
      EError(std::string(kRunWithLoggers) + ": nothing to run");
      return 127;
    }
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    std::string error;
    for (int stream : {1, 2}) {
      const std::string& cmd = stream == 1 ? out_cmd : err_cmd;
      if (cmd.empty()) continue;
      int fd = StartLogger(cmd, devnull, true, &error);
      if (fd < 0 || dup2(fd, stream) < 0) {
        EError(std::string(kRunWithLoggers) + ": " + (fd < 0 ? error : strerror(errno)));
        return 127;
      }
      close(fd);
    }
    std::vector<char*> argv;
    for (size_t k = i; k < args.size(); ++k) argv.push_back(const_cast<char*>(args[k].c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    EError(std::string(kRunWithLoggers) + ": failed to exec `" + args[i] + "': " + strerror(errno));
  } catch (...) {
  }
  return 127;
}

}  // namespace ctinit::openrc
