// SocketActivation with Accept=yes sockets (sockets.h): real listening sockets on loopback and
// abstract UNIX names, a recording InstanceHost instead of PID 1's spawner: one instance per
// connection with systemd's names, the connection passed as fd 3 and stdio, the limits, and
// instances stopped with their socket.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "init/base/log.h"
#include "init/runtime/sockets.h"

namespace ctinit {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

class AcceptTest : public ::testing::Test {
 protected:
  struct Spawned {
    std::string name;
    SocketActivation::Passed passed;
    std::string peer_of_fd;  // getpeername of the passed fd, while the spawn runs
    pid_t pid;
  };

  static void SetUpTestSuite() { log::Init(log::Level::kQuiet); }
  void SetUp() override {
    SocketActivation::InstanceHost host;
    host.spawn = [this](const ServiceSpec& instance) {
      Spawned s{instance.name, sockets_->For(instance.name), "", next_pid_};
      if (!s.passed.fds.empty() && !spawn_fails_)
        held_.push_back(::dup(s.passed.fds[0]));  // the instance's own copy
      if (!s.passed.fds.empty()) {
        sockaddr_storage sa{};
        socklen_t len = sizeof(sa);
        if (::getpeername(s.passed.fds[0], reinterpret_cast<sockaddr*>(&sa), &len) == 0)
          s.peer_of_fd = "ok";
      }
      spawned_.push_back(s);
      return spawn_fails_ ? -1 : next_pid_++;
    };
    host.kill = [this](pid_t pgid, int sig) { kills_.push_back({pgid, sig}); };
    sockets_ = std::make_unique<SocketActivation>(
        io_, [](const std::string&) {}, std::move(host));
  }
  void TearDown() override {
    sockets_.reset();  // its destructor still reports kills to this fixture
    for (int fd : clients_) ::close(fd);
    for (int fd : held_) ::close(fd);
  }
  // An Accept=yes socket "echo.socket" on 127.0.0.1:<free port> for "echo@.service".
  SocketSpec TcpSpec() {
    SocketSpec spec;
    spec.name = "echo.socket";
    spec.service = "echo@.service";
    spec.accept = true;
    port_ = FreePort();
    spec.listens.push_back(
        {SocketSpec::Listen::Kind::kStream, "127.0.0.1:" + std::to_string(port_)});
    ServiceSpec tmpl;
    tmpl.name = "echo@.service";
    tmpl.kind = Kind::kLongRun;
    tmpl.command.argv = {"/bin/cat"};
    spec.per_connection = tmpl;
    spec.connection_on_stdin = spec.connection_on_stdout = true;
    return spec;
  }
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
  // Connects to 127.0.0.1:port_; the client's own port in *local_port.
  int Connect(uint16_t* local_port = nullptr) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
    if (local_port) {
      socklen_t len = sizeof(a);
      ::getsockname(c, reinterpret_cast<sockaddr*>(&a), &len);
      *local_port = ntohs(a.sin_port);
    }
    clients_.push_back(c);
    return c;
  }
  // Runs the loop until `n` spawns were seen (or a second passed), then a little more.
  void RunUntilSpawned(size_t n) {
    for (int i = 0; i < 100 && spawned_.size() < n; ++i) io_.run_for(std::chrono::milliseconds(10));
    io_.run_for(std::chrono::milliseconds(20));
  }
  // The client end sees the connection closed by PID 1 (EOF), within a second.
  static bool ClosedByPeer(int fd) {
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char c;
    return ::recv(fd, &c, 1, 0) == 0;
  }
  static size_t OpenFds() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
  }

  boost::asio::io_context io_;
  std::unique_ptr<SocketActivation> sockets_;
  std::vector<Spawned> spawned_;
  std::vector<std::pair<pid_t, int>> kills_;
  std::vector<int> clients_;
  std::vector<int> held_;  // the connections as the instances would hold them
  pid_t next_pid_ = 1000;
  bool spawn_fails_ = false;
  uint16_t port_ = 0;
};

TEST_F(AcceptTest, EachConnectionGetsItsOwnInstanceNamedAsSystemdDoes) {
  sockets_->Set({TcpSpec()});
  uint16_t p[3];
  for (auto& port : p) Connect(&port);
  RunUntilSpawned(3);
  ASSERT_EQ(spawned_.size(), 3u);
  std::string local = "127.0.0.1:" + std::to_string(port_);
  for (unsigned i = 0; i < 3; ++i) {
    EXPECT_EQ(spawned_[i].name, "echo@" + std::to_string(i) + "-" + local +
                                    "-127.0.0.1:" + std::to_string(p[i]) + ".service");
    // The connection is fd 3 ($LISTEN_FDS=1) and stdin and stdout; stderr stays its own.
    ASSERT_EQ(spawned_[i].passed.fds.size(), 1u);
    EXPECT_EQ(spawned_[i].passed.names, "connection");
    EXPECT_EQ(spawned_[i].passed.stdin_fd, spawned_[i].passed.fds[0]);
    EXPECT_EQ(spawned_[i].passed.stdout_fd, spawned_[i].passed.fds[0]);
    EXPECT_EQ(spawned_[i].passed.stderr_fd, -1);
    EXPECT_EQ(spawned_[i].peer_of_fd, "ok");
  }
  auto running = sockets_->Instances();
  ASSERT_EQ(running.size(), 3u);
  EXPECT_EQ(running[0].socket, "echo.socket");
  EXPECT_EQ(running[0].pid, 1000);
  EXPECT_EQ(running[0].peer, "127.0.0.1:" + std::to_string(p[0]));
  // The instances' ends are the reaper's news; other pids are not theirs.
  EXPECT_FALSE(sockets_->InstanceExited(4242, 0));
  EXPECT_TRUE(sockets_->InstanceExited(1001, 0));
  EXPECT_FALSE(sockets_->InstanceExited(1001, 0));
  EXPECT_EQ(sockets_->Instances().size(), 2u);
  // The service-level view is untouched: no listening fds for a service of that name.
  EXPECT_TRUE(sockets_->For("echo@.service").fds.empty());
  EXPECT_FALSE(sockets_->Has("echo@.service"));
}

TEST_F(AcceptTest, OverMaxConnectionsTheConnectionIsClosedAtOnce) {
  SocketSpec spec = TcpSpec();
  spec.max_connections = 2;
  sockets_->Set({spec});
  Connect();
  Connect();
  RunUntilSpawned(2);
  int third = Connect();
  RunUntilSpawned(3);
  EXPECT_EQ(spawned_.size(), 2u);
  EXPECT_TRUE(ClosedByPeer(third));
  // One ends: there is room again, and the counter in the name goes on.
  ASSERT_TRUE(sockets_->InstanceExited(1000, 0));
  Connect();
  RunUntilSpawned(3);
  ASSERT_EQ(spawned_.size(), 3u);
  EXPECT_THAT(spawned_[2].name, MatchesRegex("echo@2-.*"));
}

TEST_F(AcceptTest, MaxConnectionsPerSourceCountsPeerAddresses) {
  SocketSpec spec = TcpSpec();
  spec.max_connections_per_source = 1;
  sockets_->Set({spec});
  Connect();
  RunUntilSpawned(1);
  int second = Connect();
  RunUntilSpawned(2);
  EXPECT_EQ(spawned_.size(), 1u);
  EXPECT_TRUE(ClosedByPeer(second));
  ASSERT_TRUE(sockets_->InstanceExited(1000, 0));
  Connect();
  RunUntilSpawned(2);
  EXPECT_EQ(spawned_.size(), 2u);
}

TEST_F(AcceptTest, AFloodCostsNoFdsAndOnlyTheAllowedInstances) {
  SocketSpec spec = TcpSpec();
  spec.max_connections = 4;
  spec.backlog = 512;
  sockets_->Set({spec});
  size_t before = OpenFds();
  std::vector<int> flood;
  for (int i = 0; i < 200; ++i) flood.push_back(Connect());
  size_t with_clients = OpenFds();
  for (int i = 0; i < 100; ++i) io_.run_for(std::chrono::milliseconds(5));
  EXPECT_EQ(spawned_.size(), 4u);
  EXPECT_EQ(sockets_->Instances().size(), 4u);
  // PID 1 keeps no fd per connection: only the 4 instances' own copies are new.
  EXPECT_EQ(OpenFds(), with_clients + 4);
  EXPECT_EQ(with_clients, before + 200);
  int closed = 0;
  for (int fd : flood) closed += ClosedByPeer(fd) ? 1 : 0;
  EXPECT_EQ(closed, 196);
}

TEST_F(AcceptTest, AFailedSpawnClosesTheConnectionAndRecordsNothing) {
  sockets_->Set({TcpSpec()});
  spawn_fails_ = true;
  int c = Connect();
  RunUntilSpawned(1);
  EXPECT_EQ(spawned_.size(), 1u);
  EXPECT_TRUE(ClosedByPeer(c));
  EXPECT_THAT(sockets_->Instances(), IsEmpty());
}

TEST_F(AcceptTest, InstancesStopWithTheirSocketAndAtShutdown) {
  SocketSpec a = TcpSpec();
  SocketSpec b = TcpSpec();
  b.name = "other.socket";
  uint16_t b_port = port_;
  sockets_->Set({a, b});
  Connect();  // to b (port_ is b's)
  RunUntilSpawned(1);
  ASSERT_EQ(spawned_.size(), 1u);
  EXPECT_THAT(spawned_[0].name, MatchesRegex("echo@0-127.0.0.1:" + std::to_string(b_port) + "-.*"));
  sockets_->Set({a});  // other.socket is gone: its instance is stopped
  EXPECT_THAT(kills_, ElementsAre(std::pair<pid_t, int>(1000, SIGTERM)));
  EXPECT_EQ(sockets_->Instances().size(), 1u);  // until the reaper says it has ended
  EXPECT_TRUE(sockets_->InstanceExited(1000, 0));
  // Shutdown: running instances get SIGTERM, new connections are closed.
  port_ = static_cast<uint16_t>(std::stoi(a.listens[0].address.substr(10)));
  Connect();
  RunUntilSpawned(2);
  ASSERT_EQ(spawned_.size(), 2u);
  kills_.clear();
  sockets_->StopInstances();
  EXPECT_THAT(kills_, ElementsAre(std::pair<pid_t, int>(1001, SIGTERM)));
  int late = Connect();
  RunUntilSpawned(3);
  EXPECT_EQ(spawned_.size(), 2u);
  EXPECT_TRUE(ClosedByPeer(late));
}

TEST_F(AcceptTest, AbstractUnixSocketInstancesAreNamedByPeerPidAndUid) {
  SocketSpec spec = TcpSpec();
  std::string name = "ctinit-accept-test-" + std::to_string(::getpid());
  spec.listens = {{SocketSpec::Listen::Kind::kStream, "@" + name}};
  sockets_->Set({spec});
  int c = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  clients_.push_back(c);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path + 1, name.data(), name.size());
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&sun), len), 0) << strerror(errno);
  RunUntilSpawned(1);
  ASSERT_EQ(spawned_.size(), 1u);
  EXPECT_EQ(spawned_[0].name,
            "echo@0-" + std::to_string(::getpid()) + "-" + std::to_string(::getuid()) + ".service");
}

}  // namespace
}  // namespace ctinit
