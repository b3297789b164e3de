// SocketActivation::OpenListen: UNIX paths (parents, stale files, mode), IPv4/IPv6 addresses,
// datagram sockets, and the addresses it refuses.
#include "init/runtime/sockets.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "init/base/log.h"
#include "tests/unit/temp_dir.h"

namespace ctinit {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using Kind = SocketSpec::Listen::Kind;

class OpenListenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { log::Init(log::Level::kQuiet); }
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    dir_ = temp_.path();
    spec_.name = "test.socket";
    spec_.service = "test.service";
  }
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
  }
  int Open(const std::string& address, Kind kind = Kind::kStream) {
    SocketSpec::Listen l;
    l.kind = kind;
    l.address = address;
    err_.clear();
    int fd = SocketActivation::OpenListen(spec_, l, &err_);
    if (fd >= 0) fds_.push_back(fd);
    return fd;
  }
  static int Type(int fd) {
    int type = 0;
    socklen_t len = sizeof(type);
    ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
    return type;
  }
  static bool Listening(int fd) {
    int v = 0;
    socklen_t len = sizeof(v);
    ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
    return v != 0;
  }
  static bool CloseOnExec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }
  // A TCP port on 127.0.0.1 that nothing listens on right now.
  static uint16_t FreePort() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
  }

  SocketSpec spec_;
  testutil::TempDir temp_{"ctinit-sockets"};  // removed with the fixture
  std::string dir_, err_;
  std::vector<int> fds_;
};

TEST_F(OpenListenTest, UnixPathGetsItsParentsAndMode) {
  spec_.mode = 0600;
  std::string path = dir_ + "/run/app/app.sock";
  int fd = Open(path);
  ASSERT_GE(fd, 0) << err_;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(Listening(fd));
  EXPECT_EQ(Type(fd), SOCK_STREAM);
  EXPECT_TRUE(CloseOnExec(fd));  // only a service's spawn passes it on
  // A client can connect: the connection waits for the service.
  int c = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path, path.c_str(), path.size());
  EXPECT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)), 0) << strerror(errno);
  ::close(c);
}

TEST_F(OpenListenTest, StaleUnixSocketIsReplacedButAnOrdinaryFileIsNot) {
  std::string path = dir_ + "/s.sock";
  int first = Open(path);
  ASSERT_GE(first, 0) << err_;
  int second = Open(path);  // the first's file is a stale socket now
  ASSERT_GE(second, 0) << err_;
  std::string file = dir_ + "/file";
  std::ofstream(file) << "data";
  EXPECT_LT(Open(file), 0);
  EXPECT_THAT(err_, StartsWith("bind"));
  std::ifstream in(file);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "data");
}

TEST_F(OpenListenTest, UnixDatagramAndSeqPacket) {
  int d = Open(dir_ + "/d.sock", Kind::kDatagram);
  ASSERT_GE(d, 0) << err_;
  EXPECT_EQ(Type(d), SOCK_DGRAM);
  int q = Open(dir_ + "/q.sock", Kind::kSeqPacket);
  ASSERT_GE(q, 0) << err_;
  EXPECT_EQ(Type(q), SOCK_SEQPACKET);
  EXPECT_TRUE(Listening(q));
}

TEST_F(OpenListenTest, UnixPathTooLong) {
  EXPECT_LT(Open(dir_ + "/" + std::string(120, 'p')), 0);
  EXPECT_EQ(err_, "path too long");
}

TEST_F(OpenListenTest, AbstractAddressHasNoFileAndAcceptsConnections) {
  spec_.mode = 0600;
  spec_.uid = 12345;  // would fail a chown: an abstract socket has no file to chown
  std::string name = "ctinit-test-" + std::to_string(::getpid());
  int fd = Open("@" + name);
  ASSERT_GE(fd, 0) << err_;
  EXPECT_TRUE(Listening(fd));
  EXPECT_TRUE(CloseOnExec(fd));
  EXPECT_FALSE(std::filesystem::exists(name));
  EXPECT_FALSE(std::filesystem::exists("@" + name));
  int c = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path + 1, name.data(), name.size());
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  EXPECT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&sun), len), 0) << strerror(errno);
  ::close(c);
  // The name is taken while it is listened on; a datagram socket works too.
  EXPECT_LT(Open("@" + name), 0);
  EXPECT_THAT(err_, StartsWith("bind: "));
  int d = Open("@" + name + "-dgram", Kind::kDatagram);
  ASSERT_GE(d, 0) << err_;
  EXPECT_EQ(Type(d), SOCK_DGRAM);
  EXPECT_LT(Open("@"), 0);
  EXPECT_LT(Open("@" + std::string(120, 'a')), 0);
}

TEST_F(OpenListenTest, Ipv4AddressAndPort) {
  uint16_t port = FreePort();
  int fd = Open("127.0.0.1:" + std::to_string(port));
  ASSERT_GE(fd, 0) << err_;
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  EXPECT_EQ(a.sin_family, AF_INET);
  EXPECT_EQ(ntohs(a.sin_port), port);
  EXPECT_EQ(ntohl(a.sin_addr.s_addr), INADDR_LOOPBACK);
  EXPECT_TRUE(Listening(fd));
  int c = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
  ::close(c);
}

TEST_F(OpenListenTest, Ipv4Datagram) {
  uint16_t port = FreePort();
  int fd = Open("127.0.0.1:" + std::to_string(port), Kind::kDatagram);
  ASSERT_GE(fd, 0) << err_;
  EXPECT_EQ(Type(fd), SOCK_DGRAM);
}

TEST_F(OpenListenTest, PortAloneListensOnEveryAddress) {
  uint16_t port = FreePort();
  int fd = Open(std::to_string(port));
  ASSERT_GE(fd, 0) << err_;
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len), 0);
  if (ss.ss_family == AF_INET6) {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    EXPECT_EQ(ntohs(a6->sin6_port), port);
    EXPECT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr));
    int v6only = 1;
    socklen_t l = sizeof(v6only);
    ::getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &l);
    EXPECT_EQ(v6only, 0);  // IPv4 clients too
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    EXPECT_EQ(ntohs(a4->sin_port), port);
    EXPECT_EQ(a4->sin_addr.s_addr, htonl(INADDR_ANY));
  }
  // An IPv4 client reaches it either way.
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int c = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
  ::close(c);
}

TEST_F(OpenListenTest, Ipv6LoopbackInBrackets) {
  int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) GTEST_SKIP() << "no IPv6 here";
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  if (::bind(probe, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(probe);
    GTEST_SKIP() << "no ::1 here";
  }
  socklen_t len = sizeof(a);
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&a), &len);
  uint16_t port = ntohs(a.sin6_port);
  ::close(probe);
  int fd = Open("[::1]:" + std::to_string(port));
  ASSERT_GE(fd, 0) << err_;
  sockaddr_in6 b{};
  len = sizeof(b);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&b), &len), 0);
  EXPECT_EQ(b.sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(b.sin6_port), port);
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&b.sin6_addr));
}

TEST_F(OpenListenTest, PortInUseIsABindError) {
  uint16_t port = FreePort();
  ASSERT_GE(Open("127.0.0.1:" + std::to_string(port)), 0) << err_;
  spec_.name = "other.socket";
  // SO_REUSEADDR does not let a second listener take a port that is listened on.
  EXPECT_LT(Open("127.0.0.1:" + std::to_string(port)), 0);
  EXPECT_THAT(err_, StartsWith("bind: "));
}

TEST_F(OpenListenTest, BadAddressesAreRefused) {
  // Port 0 (a port chosen by the kernel) is refused: clients could not know it.
  for (const char* a :
       {"127.0.0.1:0", "0", "", "http", "80x", "65536", "127.0.0.1:", "localhost:80",
        "1.2.3.4.5:80", "[::1]80", "[::1:80", "[nonsense]:80", "999.1.1.1:80", "127.0.0.1:-1"}) {
    EXPECT_LT(Open(a), 0) << a;
    EXPECT_THAT(err_, HasSubstr("bad address")) << a;
  }
}

}  // namespace
}  // namespace ctinit
