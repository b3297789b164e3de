// Socket activation (service.h SocketSpec): the listening sockets ctinit holds for services.
//
// Set() opens each listed socket that is not open yet (a socket stays open across reloads when
// its name and addresses are unchanged) and closes the rest. Opening: UNIX paths get their
// parent directories (0755), a stale socket file is replaced, then mode and owner are set;
// "PORT" listens on every address (IPv6 with v4-mapped, else IPv4 only), "ADDR:PORT" and
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
// them) and the $LISTEN_FDNAMES value for the service's start. Nothing here throws.
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

  SocketActivation(boost::asio::io_context& io, Activate activate);
  ~SocketActivation();

  void Set(const std::vector<SocketSpec>& specs);
  void CloseAll();

  struct Passed {
    std::vector<int> fds;
    std::string names;  // colon-separated, one per fd
  };
  Passed For(const std::string& service) const;
  void ServiceRunning(const std::string& service, bool running);
  bool Has(const std::string& service) const;

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
  };
  // Socket activity for `service`: stop watching its sockets, and activate it unless that is
  // one activation too many for one of them (which then fails).
  void Fire(const std::string& service);
  void Watch(Open& o);
  static std::string Key(const SocketSpec& s);

  boost::asio::io_context& io_;
  Activate activate_;
  std::map<std::string, std::unique_ptr<Open>> open_;  // by Key()
};

}  // namespace ctinit
