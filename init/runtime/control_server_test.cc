// control::Server on a real socket in a temp directory, driven by polling the io_context.
#include "init/runtime/control_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
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

}  // namespace
}  // namespace ctinit::control
