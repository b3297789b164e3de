// control::Server on a real socket in a temp directory, driven by polling the io_context.
#include "init/runtime/control_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "init/protocol/control.h"
#include "tests/unit/temp_dir.h"

namespace ctinit::control {
namespace {

// Fds of this process without FD_CLOEXEC (what a forked child would keep after exec).
std::vector<int> InheritableFds() {
  std::vector<int> out;
  for (int fd = 0; fd < 4096; ++fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) out.push_back(fd);
  }
  return out;
}

int Connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class ControlServerTest : public ::testing::Test {
 protected:
  // Runs the loop until `done` or 5 s.
  template <typename Pred>
  void RunUntil(Pred done) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < end) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(10));
    }
  }
  testutil::TempDir dir_{"ctinit-control"};
  boost::asio::io_context io_;
};

TEST_F(ControlServerTest, TheListeningAndAcceptedSocketsAreCloseOnExec) {
  if (::getuid() != 0) GTEST_SKIP() << "the server answers root only";
  std::vector<int> before = InheritableFds();
  std::vector<int> during;
  Server server(io_, [&](const std::vector<std::string>& words, Respond respond) {
    during = InheritableFds();  // the accepted connection is open now
    respond(0, words.front());
  });
  ASSERT_TRUE(server.Open(dir_.Path("/ctl/sock")));
  int client = Connect(dir_.Path("/ctl/sock"));
  ASSERT_GE(client, 0);
  std::string req = Encode({"status"});
  ASSERT_EQ(::write(client, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  RunUntil([&] { return !during.empty(); });
  ::close(client);
  EXPECT_EQ(during, before);
  EXPECT_EQ(InheritableFds(), before);
}

// Out of fds with a connection waiting: the accept loop backs off instead of spinning. Run in a
// forked child, whose RLIMIT_NOFILE is used up; the child's CPU time over 1 s is the measure
// (a spinning loop uses about all of it).
TEST_F(ControlServerTest, OutOfFdsTheAcceptLoopBacksOff) {
  std::string path = dir_.Path("/ctl/sock");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    boost::asio::io_context io;
    Server server(io, [](const std::vector<std::string>&, Respond respond) { respond(0, ""); });
    if (!server.Open(path)) ::_exit(2);
    int client = Connect(path);  // waits in the backlog
    if (client < 0) ::_exit(3);
    rlimit few{256, 256};
    ::setrlimit(RLIMIT_NOFILE, &few);
    while (::dup(0) >= 0) {
    }  // every fd used: accept fails with EMFILE
    rusage before{}, after{};
    ::getrusage(RUSAGE_SELF, &before);
    io.run_for(std::chrono::seconds(1));
    ::getrusage(RUSAGE_SELF, &after);
    auto cpu_ms = [](const rusage& r) {
      return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000L +
             (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1000L;
    };
    long used = cpu_ms(after) - cpu_ms(before);
    ::_exit(used < 200 ? 0 : 10);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2/3: no server or client; 10: the accept loop spun";
}

// The modes come from mkdir and the umask at bind(), with no chmod by path afterwards; an
// existing directory is made 0700 through an fd.
TEST_F(ControlServerTest, TheSocketIs0600InA0700Directory) {
  ASSERT_EQ(::mkdir(dir_.Path("/ctl").c_str(), 0755), 0);
  Server server(io_, [](const std::vector<std::string>&, Respond respond) { respond(0, ""); });
  ASSERT_TRUE(server.Open(dir_.Path("/ctl/sock")));
  struct stat st {};
  ASSERT_EQ(::lstat(dir_.Path("/ctl/sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::lstat(dir_.Path("/ctl").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

}  // namespace
}  // namespace ctinit::control
