// Socket activation (service.h SocketSpec): the listening sockets ctinit holds for services.
//
// Set() opens each listed socket that is not open yet (a socket stays open across reloads when
// its name and addresses are unchanged) and closes the rest. Opening: UNIX paths get their
// parent directories (0755), a stale socket file is replaced, then mode and owner are set;
// "@name" binds the abstract UNIX address `name` (no file: mode and owner do not apply); "PORT"
// listens on every address (IPv6 with v4-mapped, else IPv4 only), "ADDR:PORT" and
// "[ADDR6]:PORT" on that address; SO_REUSEADDR; stream and seqpacket sockets listen with the
// backlog. A socket that cannot be opened is one log line naming it; its service then starts
// without it.
//
// Watching: while a socket's service is not running, ctinit waits for the socket to become
// readable (a connection or a datagram); then it calls Activate(service) once and stops
// watching until ServiceRunning(service, false). A socket whose activations pass its trigger
// limit (trigger_limit.h: 20 within 2 s, systemd's default for Accept=no) is failed: one error
// line, and it is no longer watched (until it is opened anew). Nothing is accepted or read: the
// service gets the pending connection. For(service) gives the fds (made blocking, as systemd passes
// them) and the $LISTEN_FDNAMES value for the service's start.
//
// Accepting sockets (SocketSpec::accept, sockets_accept.cc) are always watched: each readable
// turn accepts at most kAcceptsPerTurn connections (then the loop gets its turn back), and each
// connection is handed to a fresh instance of the socket's per_connection spec, spawned through
// InstanceHost::spawn at once; PID 1 then closes its copy of the connection, so it holds no fd
// per running instance, only a small record (name, socket, peer) until the reaper reports the
// instance's end (InstanceExited). Over max_connections (or max_connections_per_source for one
// peer IP) the connection is closed at once, with at most one log line per socket and second
// (then a count of those not logged). EMFILE/ENFILE/ENOMEM from accept back off 250 ms. An
// instance is SIGTERMed (its process group) when its socket is closed (reload, exit) and by
// StopInstances() (shutdown). Nothing here throws.
#pragma once

#include <boost/asio.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "init/engine/trigger_limit.h"
#include "init/model/service.h"

namespace ctinit {

class SocketActivation {
 public:
  using Activate = std::function<void(const std::string& service)>;
  // How per-connection instances run (PID 1's spawner and kill); unset: connections of
  // accepting sockets are closed at once.
  struct InstanceHost {
    std::function<pid_t(const ServiceSpec& instance)> spawn;  // its pid, or -1 (logged)
    std::function<void(pid_t pgid, int sig)> kill;
  };
  static constexpr int kAcceptsPerTurn = 16;

  SocketActivation(boost::asio::io_context& io, Activate activate, InstanceHost instances = {});
  ~SocketActivation();

  void Set(const std::vector<SocketSpec>& specs);
  void CloseAll();

  struct Passed {
    std::vector<int> fds;
    std::string names;  // colon-separated, one per fd
    // An instance's connection as its stdio (-1: the spec's targets).
    int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  };
  Passed For(const std::string& service) const;
  void ServiceRunning(const std::string& service, bool running);
  bool Has(const std::string& service) const;

  // A running per-connection instance, for status output.
  struct Instance {
    std::string name;    // "echo@0-127.0.0.1:7-127.0.0.1:40000.service"
    std::string socket;  // "echo.socket"
    std::string peer;    // "127.0.0.1:40000", "pid 42 uid 0"
    pid_t pid = 0;
    TriggerLimit::Clock::time_point since;
  };
  std::vector<Instance> Instances() const;
  // The spec a running instance was made from (its socket's per_connection), nullptr if `name`
  // is no running instance; valid until the next Set().
  const ServiceSpec* InstanceSpec(const std::string& name) const;
  // The reaper's: true when `pid` was an instance's main process (it is forgotten).
  bool InstanceExited(pid_t pid, int status);
  // Shutdown: every instance gets SIGTERM; new connections are closed until the next Set().
  void StopInstances();

  // Opens one listening socket (exposed for tests). -1 with *err on failure.
  static int OpenListen(const SocketSpec& spec, const SocketSpec::Listen& l, std::string* err);

 private:
  struct Open {
    SocketSpec spec;
    std::vector<std::unique_ptr<boost::asio::posix::stream_descriptor>> fds;
    bool watching = false;
    bool running = false;
    bool failed = false;  // its trigger limit was hit
    TriggerLimit triggers;
    // Accepting sockets: this opening's serial (instances name it), connections accepted
    // (systemd's counter in instance names), instances running, per peer address.
    uint64_t serial = 0;
    unsigned accepted = 0;
    int running_instances = 0;
    std::map<std::string, int> per_source;
    std::unique_ptr<boost::asio::steady_timer> backoff;
    TriggerLimit::Clock::time_point refusal_logged{};
    unsigned refusals_not_logged = 0;
  };
  struct Running {  // an instance, by its pid
    Instance instance;
    uint64_t socket_serial = 0;
    std::string source;  // per_source key ("" for UNIX peers)
  };
  // Socket activity for `service`: stop watching its sockets, and activate it unless that is
  // one activation too many for one of them (which then fails).
  void Fire(const std::string& service);
  void Watch(Open& o);
  static std::string Key(const SocketSpec& s);
  // sockets_accept.cc
  void WaitAccept(Open& o, size_t index);
  void AcceptSome(Open& o, size_t index);
  void OnConnection(Open& o, int fd);
  void Refuse(Open& o, int fd, const std::string& why);
  void SignalInstancesOf(uint64_t serial, int sig);

  boost::asio::io_context& io_;
  Activate activate_;
  std::map<std::string, std::unique_ptr<Open>> open_;  // by Key()
  InstanceHost host_;
  std::map<pid_t, Running> instances_;
  uint64_t next_serial_ = 1;
  bool stopping_instances_ = false;
  // During an instance's spawn: its name and connection, for For().
  const std::string* spawning_name_ = nullptr;
  Passed spawning_;
};

}  // namespace ctinit
