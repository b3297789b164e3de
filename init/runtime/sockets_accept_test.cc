// SocketActivation with Accept=yes sockets (sockets.h): real listening sockets on loopback and
// abstract UNIX names, a recording InstanceHost instead of PID 1's supervisor: one instance per
// connection with systemd's names and $REMOTE_ADDR, the connection passed once as fd 3 and
// stdio, the limits, instances that outlive their socket and stop at shutdown.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
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
  struct Started {
    ServiceSpec spec;
    SocketActivation::Passed passed;  // what its main command got
    std::string peer_of_fd;           // getpeername of the passed fd, while the spawn runs
  };

  static void SetUpTestSuite() { log::Init(log::Level::kQuiet); }
  // A host that plays PID 1's supervisor: the instance starts (running), its start steps run
  // (if `main_spawned_`) its main command is spawned at once and keeps its own copy of the
  // connection; a stop request ends it at once.
  void SetUp() override {
    SocketActivation::InstanceHost host;
    host.start = [this](ServiceSpec instance, std::string* err) {
      std::string name = instance.name;
      started_.emplace_back();
      started_.back().spec = std::move(instance);
      sockets_->ServiceRunning(name, true);
      if (start_fails_) {  // its main command could not be spawned: the run is over
        sockets_->ServiceRunning(name, false);
        *err = "cannot be started";
        return false;
      }
      if (main_spawned_) SpawnMain(name, &started_.back());
      return true;
    };
    host.stop = [this](const std::string& name) {
      stops_.push_back(name);
      sockets_->ServiceRunning(name, false);
    };
    sockets_ = std::make_unique<SocketActivation>(
        io_, [](const std::string&) {}, std::move(host));
  }
  void SpawnMain(const std::string& name, Started* s) {
    s->passed = sockets_->For(name);
    if (s->passed.fds.empty()) return;
    held_.push_back(::dup(s->passed.fds[0]));  // the instance's own copy
    sockaddr_storage sa{};
    socklen_t len = sizeof(sa);
    if (::getpeername(s->passed.fds[0], reinterpret_cast<sockaddr*>(&sa), &len) == 0)
      s->peer_of_fd = "ok";
  }
  void TearDown() override {
    sockets_.reset();
    for (int fd : clients_) ::close(fd);
    for (int fd : held_) ::close(fd);
  }
  std::vector<std::string> StartedNames() const {
    std::vector<std::string> names;
    for (const auto& s : started_) names.push_back(s.spec.name);
    return names;
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
    tmpl.process.env = {"FROM_TEMPLATE=1"};
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
  // Runs the loop until `n` instances were started (or a second passed), then a little more.
  void RunUntilSpawned(size_t n) {
    for (int i = 0; i < 100 && started_.size() < n; ++i) io_.run_for(std::chrono::milliseconds(10));
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
  std::vector<Started> started_;
  std::vector<std::string> stops_;
  std::vector<int> clients_;
  std::vector<int> held_;  // the connections as the instances would hold them
  bool start_fails_ = false;
  bool main_spawned_ = true;
  uint16_t port_ = 0;
};

TEST_F(AcceptTest, EachConnectionGetsItsOwnInstanceNamedAsSystemdDoes) {
  sockets_->Set({TcpSpec()});
  uint16_t p[3];
  for (auto& port : p) Connect(&port);
  RunUntilSpawned(3);
  ASSERT_EQ(started_.size(), 3u);
  std::string local = "127.0.0.1:" + std::to_string(port_);
  for (unsigned i = 0; i < 3; ++i) {
    const Started& s = started_[i];
    EXPECT_EQ(s.spec.name, "echo@" + std::to_string(i) + "-" + local +
                               "-127.0.0.1:" + std::to_string(p[i]) + ".service");
    // The template, as a one-off service: not restarted, no utmp record, no state lines.
    EXPECT_EQ(s.spec.command.argv, std::vector<std::string>{"/bin/cat"});
    EXPECT_EQ(s.spec.restart, Restart::kNo);
    EXPECT_FALSE(s.spec.utmp);
    EXPECT_FALSE(s.spec.report_states);
    // systemd's $REMOTE_ADDR and $REMOTE_PORT, before the template's own variables.
    EXPECT_THAT(s.spec.process.env,
                ElementsAre("REMOTE_ADDR=127.0.0.1", "REMOTE_PORT=" + std::to_string(p[i]),
                            "FROM_TEMPLATE=1"));
    // The connection is fd 3 ($LISTEN_FDS=1) and stdin and stdout; stderr stays its own.
    ASSERT_EQ(s.passed.fds.size(), 1u);
    EXPECT_EQ(s.passed.names, "connection");
    EXPECT_EQ(s.passed.stdin_fd, s.passed.fds[0]);
    EXPECT_EQ(s.passed.stdout_fd, s.passed.fds[0]);
    EXPECT_EQ(s.passed.stderr_fd, -1);
    EXPECT_EQ(s.peer_of_fd, "ok");
  }
  auto running = sockets_->Instances();
  ASSERT_EQ(running.size(), 3u);
  EXPECT_EQ(running[0].name, started_[0].spec.name);
  EXPECT_EQ(running[0].socket, "echo.socket");
  EXPECT_EQ(running[0].peer, "127.0.0.1:" + std::to_string(p[0]));
  // An instance's end is its service's: other names are not its.
  sockets_->ServiceRunning("other.service", false);
  sockets_->ServiceRunning(started_[1].spec.name, true);
  EXPECT_EQ(sockets_->Instances().size(), 3u);
  sockets_->ServiceRunning(started_[1].spec.name, false);
  sockets_->ServiceRunning(started_[1].spec.name, false);
  EXPECT_EQ(sockets_->Instances().size(), 2u);
  // The service-level view is untouched: no listening fds for a service of that name.
  EXPECT_TRUE(sockets_->For("echo@.service").fds.empty());
  EXPECT_FALSE(sockets_->Has("echo@.service"));
}

TEST_F(AcceptTest, TheConnectionIsGivenOnceAndPid1ClosesItsCopyAfterTheSpawn) {
  sockets_->Set({TcpSpec()});
  int client = Connect();
  RunUntilSpawned(1);
  ASSERT_EQ(started_.size(), 1u);
  ASSERT_EQ(started_[0].passed.fds.size(), 1u);
  // A second spawn of its main command (a restart) runs without it.
  EXPECT_TRUE(sockets_->For(started_[0].spec.name).fds.empty());
  // PID 1's copy is closed: once the instance's copy goes too, the client sees the end.
  ::close(held_.back());
  held_.pop_back();
  EXPECT_TRUE(ClosedByPeer(client));
}

TEST_F(AcceptTest, AnInstanceThatEndsBeforeItsMainCommandClosesTheConnection) {
  // An ExecStartPre= failed (or a condition): its main command never asked for it.
  main_spawned_ = false;
  sockets_->Set({TcpSpec()});
  int client = Connect();
  RunUntilSpawned(1);
  ASSERT_EQ(started_.size(), 1u);
  EXPECT_EQ(sockets_->Instances().size(), 1u);
  sockets_->ServiceRunning(started_[0].spec.name, false);
  EXPECT_THAT(sockets_->Instances(), IsEmpty());
  EXPECT_TRUE(ClosedByPeer(client));
}

TEST_F(AcceptTest, InstantiateMakesEachInstanceFromItsId) {
  SocketSpec spec = TcpSpec();
  std::vector<std::string> ids;
  spec.instantiate = [&ids](const std::string& id, std::string* err) -> std::optional<ServiceSpec> {
    ids.push_back(id);
    if (ids.size() == 2) {
      *err = "no such user";
      return std::nullopt;
    }
    ServiceSpec s;
    s.name = "echo@" + id + ".service";
    s.command.argv = {"/bin/echo", id};
    s.process.env = {"REMOTE_PORT=template"};
    return s;
  };
  sockets_->Set({spec});
  uint16_t port;
  Connect(&port);
  RunUntilSpawned(1);
  ASSERT_EQ(started_.size(), 1u);
  std::string id = "0-127.0.0.1:" + std::to_string(port_) + "-127.0.0.1:" + std::to_string(port);
  EXPECT_THAT(ids, ElementsAre(id));
  EXPECT_EQ(started_[0].spec.name, "echo@" + id + ".service");
  EXPECT_EQ(started_[0].spec.command.argv, (std::vector<std::string>{"/bin/echo", id}));
  EXPECT_THAT(started_[0].spec.process.env,
              ElementsAre("REMOTE_ADDR=127.0.0.1", "REMOTE_PORT=" + std::to_string(port),
                          "REMOTE_PORT=template"));
  // One that cannot be made: the connection is closed, nothing runs, the counter stays.
  int second = Connect();
  for (int i = 0; i < 20; ++i) io_.run_for(std::chrono::milliseconds(5));
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(started_.size(), 1u);
  EXPECT_TRUE(ClosedByPeer(second));
  EXPECT_EQ(sockets_->Instances().size(), 1u);
  Connect();
  RunUntilSpawned(2);
  ASSERT_EQ(started_.size(), 2u);
  EXPECT_THAT(started_[1].spec.name, MatchesRegex("echo@1-.*"));
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
  EXPECT_EQ(started_.size(), 2u);
  EXPECT_TRUE(ClosedByPeer(third));
  // One ends: there is room again, and the counter in the name goes on.
  sockets_->ServiceRunning(started_[0].spec.name, false);
  Connect();
  RunUntilSpawned(3);
  ASSERT_EQ(started_.size(), 3u);
  EXPECT_THAT(started_[2].spec.name, MatchesRegex("echo@2-.*"));
}

TEST_F(AcceptTest, MaxConnectionsPerSourceCountsPeerAddresses) {
  SocketSpec spec = TcpSpec();
  spec.max_connections_per_source = 1;
  sockets_->Set({spec});
  Connect();
  RunUntilSpawned(1);
  int second = Connect();
  RunUntilSpawned(2);
  EXPECT_EQ(started_.size(), 1u);
  EXPECT_TRUE(ClosedByPeer(second));
  sockets_->ServiceRunning(started_[0].spec.name, false);
  Connect();
  RunUntilSpawned(2);
  EXPECT_EQ(started_.size(), 2u);
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
  EXPECT_EQ(started_.size(), 4u);
  EXPECT_EQ(sockets_->Instances().size(), 4u);
  // PID 1 keeps no fd per connection: only the 4 instances' own copies are new.
  EXPECT_EQ(OpenFds(), with_clients + 4);
  EXPECT_EQ(with_clients, before + 200);
  int closed = 0;
  for (int fd : flood) closed += ClosedByPeer(fd) ? 1 : 0;
  EXPECT_EQ(closed, 196);
}

TEST_F(AcceptTest, AFailedStartClosesTheConnectionAndRecordsNothing) {
  sockets_->Set({TcpSpec()});
  start_fails_ = true;
  int c = Connect();
  RunUntilSpawned(1);
  EXPECT_EQ(started_.size(), 1u);
  EXPECT_TRUE(ClosedByPeer(c));
  EXPECT_THAT(sockets_->Instances(), IsEmpty());
  // Not counted: the next one is instance 0 again.
  start_fails_ = false;
  Connect();
  RunUntilSpawned(2);
  ASSERT_EQ(started_.size(), 2u);
  EXPECT_THAT(started_[1].spec.name, MatchesRegex("echo@0-.*"));
}

TEST_F(AcceptTest, InstancesOutliveTheirSocketAndStopAtShutdown) {
  SocketSpec a = TcpSpec();
  SocketSpec b = TcpSpec();
  b.name = "other.socket";
  uint16_t b_port = port_;
  sockets_->Set({a, b});
  Connect();  // to b (port_ is b's)
  RunUntilSpawned(1);
  ASSERT_EQ(started_.size(), 1u);
  EXPECT_THAT(started_[0].spec.name,
              MatchesRegex("echo@0-127.0.0.1:" + std::to_string(b_port) + "-.*"));
  // other.socket is gone: it no longer listens, but its instance runs on (as in systemd).
  sockets_->Set({a});
  EXPECT_THAT(stops_, IsEmpty());
  EXPECT_EQ(sockets_->Instances().size(), 1u);
  // Its end is still told apart (nothing is counted for a socket that is gone).
  sockets_->ServiceRunning(started_[0].spec.name, false);
  EXPECT_THAT(sockets_->Instances(), IsEmpty());
  // Shutdown: running instances are asked to stop, new connections are closed.
  port_ = static_cast<uint16_t>(std::stoi(a.listens[0].address.substr(10)));
  Connect();
  Connect();
  RunUntilSpawned(3);
  ASSERT_EQ(started_.size(), 3u);
  sockets_->StopInstances();
  EXPECT_THAT(stops_, ElementsAre(started_[1].spec.name, started_[2].spec.name));
  EXPECT_THAT(sockets_->Instances(), IsEmpty());
  int late = Connect();
  RunUntilSpawned(4);
  EXPECT_EQ(started_.size(), 3u);
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
  ASSERT_EQ(started_.size(), 1u);
  EXPECT_EQ(started_[0].spec.name,
            "echo@0-" + std::to_string(::getpid()) + "-" + std::to_string(::getuid()) + ".service");
  // No $REMOTE_ADDR for a UNIX peer.
  EXPECT_THAT(started_[0].spec.process.env, ElementsAre("FROM_TEMPLATE=1"));
}

}  // namespace
}  // namespace ctinit
