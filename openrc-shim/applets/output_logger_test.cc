#include "openrc-shim/applets/output_logger.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/unit/temp_dir.h"

namespace ctinit::openrc {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits (up to 5 s) until `path` holds `want`.
bool Eventually(const std::string& path, const std::string& want) {
  for (int i = 0; i < 250; ++i) {
    if (ReadAll(path) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(OutputLogger, TheLoggerReadsWhatIsWrittenUntilTheEnd) {
  testutil::TempDir dir{"ctinit-logger"};
  std::string log = dir.path() + "/log";
  std::string err;
  int fd = StartLogger("cat >" + log, -1, true, &err);
  ASSERT_GE(fd, 0) << err;
  ASSERT_EQ(write(fd, "line 1\n", 7), 7);
  close(fd);
  EXPECT_TRUE(Eventually(log, "line 1\n"));
}

TEST(OutputLogger, RunWithLoggersSendsEachStreamToItsLoggerAndExecs) {
  testutil::TempDir dir{"ctinit-logger"};
  std::string out = dir.path() + "/out", errlog = dir.path() + "/err";
  pid_t pid = fork();
  if (pid == 0) {
    RunWithLoggersMain({"--stdout-logger", "cat >" + out, "--stderr-logger", "cat >" + errlog, "--",
                        "sh", "-c", "echo to-out; echo to-err >&2"});
    _exit(99);  // only reached when the exec failed
  }
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  EXPECT_TRUE(Eventually(out, "to-out\n"));
  EXPECT_TRUE(Eventually(errlog, "to-err\n"));
}

TEST(OutputLogger, RunWithLoggersRefusesBadArguments) {
  EXPECT_EQ(RunWithLoggersMain({"--stdout-logger", "cat"}), 127);
  EXPECT_EQ(RunWithLoggersMain({"--bogus", "--", "true"}), 127);
}

}  // namespace
}  // namespace ctinit::openrc
