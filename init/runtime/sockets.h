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
// turn accepts at most kAcceptsPerTurn connections (then the loop gets its turn back). Each
// connection becomes an instance, a service of its own named as systemd names it: NAME@ID.service
// with ID "N-LOCAL:PORT-PEER:PORT" for IP (IPv6 addresses as inet_ntop writes them, no brackets;
// v4-mapped ones as IPv4), "N-PID-UID" of the peer for UNIX sockets ("N-unknown" when the
// kernel does not say), N counting the socket's instances from 0. Its spec comes from
// SocketSpec::instantiate (else per_connection, renamed), with $REMOTE_ADDR and $REMOTE_PORT for
// IP peers (the template's Environment= may override them, as in systemd), and
// InstanceHost::start runs it (PID 1: as a supervised service, so its start and stop steps,
// `systemctl stop` and status apply to it). PID 1 holds the connection only until the
// instance's main command is spawned: For(name) then gives it (fd 3, $LISTEN_FDNAMES=connection,
// and stdin/stdout/stderr as the socket's connection_on_* say) and PID 1's copy is closed as soon
// as that spawn has returned; so it keeps no fd per running instance, only a small record until
// ServiceRunning(name, false) says the instance is over. Over max_connections (or
// max_connections_per_source for one peer IP) the connection is closed at once, with at most one
// log line per socket and second (then a count of those not logged). EMFILE/ENFILE/ENOMEM from
// accept back off 250 ms. Closing a socket (reload, exit) leaves its running instances alone, as
// systemd does; StopInstances() (shutdown) asks each to stop (InstanceHost::stop). Nothing here
// throws.
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
  // How per-connection instances run (PID 1's supervisor); unset: connections of accepting
  // sockets are closed at once.
  struct InstanceHost {
    // Runs `instance` as a service of its own; false (with *err) when it cannot.
    std::function<bool(ServiceSpec instance, std::string* err)> start;
    // Asks a running instance to stop, as `systemctl stop` does.
    std::function<void(const std::string& name)> stop;
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
  // The fds a service's main command gets. An instance's connection is given once (then PID 1
  // closes its copy, after the spawn that asked for it has returned).
  Passed For(const std::string& service);
  // A service's state: its sockets are watched again when it is no longer running; an instance
  // that is no longer running is forgotten.
  void ServiceRunning(const std::string& service, bool running);
  bool Has(const std::string& service) const;

  // A running per-connection instance.
  struct Instance {
    std::string name;    // "echo@0-127.0.0.1:7-127.0.0.1:40000.service"
    std::string socket;  // "echo.socket"
    std::string peer;    // "127.0.0.1:40000", "pid 42 uid 0"
    TriggerLimit::Clock::time_point since;
  };
  std::vector<Instance> Instances() const;
  // Shutdown: every instance is asked to stop; new connections are closed until the next Set().
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
  struct Running {  // an instance, by its name
    Instance instance;
    uint64_t socket_serial = 0;
    std::string source;   // per_source key ("" for UNIX peers)
    int connection = -1;  // held until the main command's spawn (For)
    bool on_stdin = false, on_stdout = false, on_stderr = false;
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
  // The spec of instance `id` of `o` (nullopt with *err); its record is filled in *r.
  std::optional<ServiceSpec> MakeInstance(const Open& o, const std::string& id, Running* r,
                                          std::string* err);
  void Refuse(Open& o, int fd, const std::string& why);
  // The instance is over: its record, its count and its connection (if still held) go.
  void ForgetInstance(const std::string& name);
  Passed HandOver(Running& r);

  boost::asio::io_context& io_;
  Activate activate_;
  std::map<std::string, std::unique_ptr<Open>> open_;  // by Key()
  InstanceHost host_;
  std::map<std::string, Running> instances_;
  uint64_t next_serial_ = 1;
  bool stopping_instances_ = false;
  // Connections just given to a spawn, closed on the loop's next turn (shared with that turn's
  // handler, which may outlive this object).
  std::shared_ptr<std::vector<int>> handed_over_ = std::make_shared<std::vector<int>>();
};

}  // namespace ctinit
