// NotifySocket: splitting datagrams into fields, and a real socket on a temporary path that
// receives what this process sends with sendmsg(2), with its pid from SO_PASSCRED.
#include "init/runtime/notify.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "init/base/log.h"
#include "tests/unit/temp_dir.h"

namespace ctinit {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(NotifyFields, SplitsOnNewlinesAndDropsEmptyLines) {
  EXPECT_THAT(NotifySocket::Fields("READY=1"), ElementsAre("READY=1"));
  EXPECT_THAT(NotifySocket::Fields("READY=1\nSTATUS=Serving 3 clients\n"),
              ElementsAre("READY=1", "STATUS=Serving 3 clients"));
  EXPECT_THAT(NotifySocket::Fields("\n\nMAINPID=42\n\n\nSTOPPING=1"),
              ElementsAre("MAINPID=42", "STOPPING=1"));
  EXPECT_THAT(NotifySocket::Fields(""), IsEmpty());
  EXPECT_THAT(NotifySocket::Fields("\n"), IsEmpty());
  EXPECT_THAT(NotifySocket::Fields("STATUS=a=b"), ElementsAre("STATUS=a=b"));
}

class NotifySocketTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { log::Init(log::Level::kQuiet); }
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    dir_ = temp_.path();
    path_ = dir_ + "/sub/notify";
  }
  // Sends `data` to the socket from this process, with `fd` attached when >= 0.
  void Send(const std::string& data, int fd = -1) {
    int s = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(s, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path_.c_str(), path_.size());
    iovec iov{const_cast<char*>(data.data()), data.size()};
    msghdr msg{};
    msg.msg_name = &addr;
    msg.msg_namelen = sizeof(addr);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    if (fd >= 0) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    EXPECT_EQ(::sendmsg(s, &msg, 0), static_cast<ssize_t>(data.size())) << strerror(errno);
    ::close(s);
  }
  // Runs the loop until `n` datagrams were handled (or 5 s passed).
  void RunUntil(size_t n) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got_.size() < n && std::chrono::steady_clock::now() < end) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(50));
    }
  }
  static int OpenFds() {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      (void)e;
      ++n;
    }
    return n;
  }

  struct Got {
    pid_t sender;
    std::vector<std::string> fields;
  };
  boost::asio::io_context io_;
  std::vector<Got> got_;
  NotifySocket sock_{io_, [this](pid_t sender, const std::vector<std::string>& fields) {
                       got_.push_back({sender, fields});
                     }};
  testutil::TempDir temp_{"ctinit-notify"};  // removed with the fixture
  std::string dir_, path_;
};

TEST_F(NotifySocketTest, ReceivesFieldsWithTheSendersPid) {
  ASSERT_TRUE(sock_.Open(path_));
  EXPECT_TRUE(sock_.open());
  EXPECT_EQ(sock_.path(), path_);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0666u);  // any service user may notify
  Send("READY=1\nSTATUS=up\n");
  RunUntil(1);
  ASSERT_EQ(got_.size(), 1u);
  EXPECT_EQ(got_[0].sender, ::getpid());
  EXPECT_THAT(got_[0].fields, ElementsAre("READY=1", "STATUS=up"));
}

TEST_F(NotifySocketTest, EmptyAndOversizedDatagramsAreDropped) {
  ASSERT_TRUE(sock_.Open(path_));
  Send("\n\n");
  Send("STATUS=" + std::string(NotifySocket::kMaxDatagram + 100, 'x'));
  Send("READY=1");
  RunUntil(1);
  io_.restart();
  io_.run_for(std::chrono::milliseconds(50));
  ASSERT_EQ(got_.size(), 1u);
  EXPECT_THAT(got_[0].fields, ElementsAre("READY=1"));
}

TEST_F(NotifySocketTest, FdsSentAlongAreClosed) {
  ASSERT_TRUE(sock_.Open(path_));
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  int before = OpenFds();
  Send("FDSTORE=1", fd);
  ::close(fd);
  RunUntil(1);
  ASSERT_EQ(got_.size(), 1u);
  EXPECT_EQ(OpenFds(), before - 1);  // ours is closed, the received copy too
}

TEST_F(NotifySocketTest, ReplacesAStaleSocketAndNoticesWhenItIsGone) {
  ASSERT_TRUE(sock_.Open(path_));
  EXPECT_TRUE(sock_.StillThere());
  NotifySocket second(io_, [this](pid_t sender, const std::vector<std::string>& fields) {
    got_.push_back({-sender, fields});
  });
  ASSERT_TRUE(second.Open(path_));  // the first one's file is stale now
  EXPECT_FALSE(sock_.StillThere());
  EXPECT_TRUE(second.StillThere());
  Send("READY=1");
  RunUntil(1);
  ASSERT_EQ(got_.size(), 1u);
  EXPECT_EQ(got_[0].sender, -::getpid());
  ::unlink(path_.c_str());
  EXPECT_FALSE(second.StillThere());
  second.Close();
  EXPECT_FALSE(second.open());
  EXPECT_FALSE(second.StillThere());
}

TEST_F(NotifySocketTest, PathTooLongFails) {
  EXPECT_FALSE(sock_.Open(dir_ + "/" + std::string(200, 'n')));
  EXPECT_FALSE(sock_.open());
}

}  // namespace
}  // namespace ctinit
