// Accepting sockets (sockets.h, SocketSpec::accept): one transient instance per connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "init/base/log.h"
#include "init/runtime/sockets.h"
#include "init/runtime/sys.h"

namespace ctinit {

namespace {

constexpr auto kAcceptBackoff = std::chrono::milliseconds(250);

// "ADDR:PORT" of an IP socket address ("" for other families); *ip gets ADDR alone. IPv4
// mapped into IPv6 is shown as IPv4 (systemd's instance names do the same).
std::string IpEndpoint(const sockaddr_storage& sa, std::string* ip) {
  char text[INET6_ADDRSTRLEN] = "";
  unsigned port = 0;
  if (sa.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(sa);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
    port = ntohs(in.sin_port);
  } else if (sa.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(sa);
    if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr))
      inet_ntop(AF_INET, &in6.sin6_addr.s6_addr[12], text, sizeof(text));
    else
      inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    port = ntohs(in6.sin6_port);
  } else {
    return "";
  }
  if (ip) *ip = text;
  return std::string(text) + ":" + std::to_string(port);
}

// systemd's instance id of a connection (socket.c, instance_from_socket()): "N-LOCAL-PEER" for
// IP, "N-PID-UID" of the peer for UNIX sockets ("N-unknown" when the kernel does not say).
// *peer gets a readable peer, *source the peer's IP ("" for UNIX).
std::string InstanceId(unsigned n, int fd, std::string* peer, std::string* source) {
  sockaddr_storage local{}, remote{};
  socklen_t llen = sizeof(local), rlen = sizeof(remote);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
  ::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &rlen);
  std::string l = IpEndpoint(local, nullptr), r = IpEndpoint(remote, source);
  if (!l.empty() && !r.empty()) {
    *peer = r;
    return std::to_string(n) + "-" + l + "-" + r;
  }
  ucred cred{};
  socklen_t clen = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.pid > 0) {
    *peer = "pid " + std::to_string(cred.pid) + " uid " + std::to_string(cred.uid);
    return std::to_string(n) + "-" + std::to_string(cred.pid) + "-" + std::to_string(cred.uid);
  }
  *peer = "unknown";
  return std::to_string(n) + "-unknown";
}

// "echo@.service" + id -> "echo@ID.service" (the id after the '@').
std::string InstanceName(const std::string& template_name, const std::string& id) {
  auto at = template_name.find('@');
  if (at == std::string::npos) return template_name + "@" + id;
  return template_name.substr(0, at + 1) + id + template_name.substr(at + 1);
}

}  // namespace

void SocketActivation::WaitAccept(Open& o, size_t index) {
  o.fds[index]->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, &o, index](const boost::system::error_code& ec) {
                             if (ec) return;  // closed: `o` may be gone
                             log::Guarded("accept", [&] { AcceptSome(o, index); });
                           });
}

void SocketActivation::AcceptSome(Open& o, size_t index) {
  int listen_fd = o.fds[index]->native_handle();
  for (int n = 0; n < kAcceptsPerTurn; ++n) {
    // Blocking, as systemd passes it; close-on-exec: only the instance's spawn passes it on.
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      OnConnection(o, fd);
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
    // Out of fds or memory: the pending connections wait in the backlog for a while.
    log::Warn("{}: accept: {}; trying again in {} ms", o.spec.name, strerror(errno),
              kAcceptBackoff.count());
    if (!o.backoff) o.backoff = std::make_unique<boost::asio::steady_timer>(io_);
    o.backoff->expires_after(kAcceptBackoff);
    o.backoff->async_wait([this, &o, index](const boost::system::error_code& ec) {
      if (!ec) WaitAccept(o, index);
    });
    return;
  }
  WaitAccept(o, index);  // more may be queued: the loop's other work goes first
}

void SocketActivation::OnConnection(Open& o, int fd) {
  if (stopping_instances_ || !host_.spawn || !o.spec.per_connection)
    return Refuse(o, fd, "not accepting connections now");
  if (o.running_instances >= o.spec.max_connections)
    return Refuse(o, fd, "too many connections (" + std::to_string(o.running_instances) + ")");
  std::string peer, source;
  std::string id = InstanceId(o.accepted, fd, &peer, &source);
  int per_source = source.empty() ? 0 : o.per_source[source];
  if (o.spec.max_connections_per_source > 0 && per_source >= o.spec.max_connections_per_source)
    return Refuse(o, fd,
                  "too many connections from " + source + " (" + std::to_string(per_source) + ")");
  ServiceSpec instance = *o.spec.per_connection;
  instance.name = InstanceName(instance.name, id);
  instance.trigger = Trigger::kManual;
  instance.restart = Restart::kNo;
  // Nothing kept per instance name: no utmp record, no output tap (whose tails are per name).
  instance.utmp = false;
  instance.log_tag.clear();
  instance.report_states = false;
  // Streams on the connection are not the console's (no output tap for them).
  if (o.spec.connection_on_stdout) instance.process.stdout_target = {StdioTarget::Kind::kNull, ""};
  if (o.spec.connection_on_stderr) instance.process.stderr_target = {StdioTarget::Kind::kNull, ""};
  spawning_ = Passed{{fd},
                     "connection",
                     o.spec.connection_on_stdin ? fd : -1,
                     o.spec.connection_on_stdout ? fd : -1,
                     o.spec.connection_on_stderr ? fd : -1};
  spawning_name_ = &instance.name;
  pid_t pid = host_.spawn(instance);
  spawning_name_ = nullptr;
  spawning_ = {};
  ::close(fd);  // the instance has its own copy now
  if (pid <= 0) return;
  ++o.accepted;
  ++o.running_instances;
  if (!source.empty()) ++o.per_source[source];
  log::Verbose("{}: connection from {}: {} (pid {})", o.spec.name, peer, instance.name, pid);
  Running r;
  r.instance = {instance.name, o.spec.name, peer, pid, TriggerLimit::Clock::now()};
  r.socket_serial = o.serial;
  r.source = source;
  instances_[pid] = std::move(r);
}

void SocketActivation::Refuse(Open& o, int fd, const std::string& why) {
  ::close(fd);
  // One line per socket and second at most: a flood must not become a flood of log lines.
  auto now = TriggerLimit::Clock::now();
  if (now - o.refusal_logged < std::chrono::seconds(1)) {
    ++o.refusals_not_logged;
    return;
  }
  std::string more = o.refusals_not_logged
                         ? " (" + std::to_string(o.refusals_not_logged) + " more not logged)"
                         : "";
  log::Warn("{}: {}: connection closed{}", o.spec.name, why, more);
  o.refusal_logged = now;
  o.refusals_not_logged = 0;
}

bool SocketActivation::InstanceExited(pid_t pid, int status) {
  auto it = instances_.find(pid);
  if (it == instances_.end()) return false;
  const Running& r = it->second;
  for (auto& [k, o] : open_) {
    if (o->serial != r.socket_serial) continue;
    --o->running_instances;
    if (!r.source.empty() && --o->per_source[r.source] <= 0) o->per_source.erase(r.source);
  }
  log::Verbose("{}: ended ({})", r.instance.name, sys::DescribeStatus(status));
  instances_.erase(it);
  return true;
}

void SocketActivation::SignalInstancesOf(uint64_t serial, int sig) {
  if (!host_.kill) return;
  for (const auto& [pid, r] : instances_)
    if (r.socket_serial == serial) host_.kill(pid, sig);
}

void SocketActivation::StopInstances() {
  stopping_instances_ = true;
  if (!host_.kill) return;
  for (const auto& [pid, r] : instances_) host_.kill(pid, SIGTERM);
}

std::vector<SocketActivation::Instance> SocketActivation::Instances() const {
  std::vector<Instance> out;
  out.reserve(instances_.size());
  for (const auto& [pid, r] : instances_) out.push_back(r.instance);
  return out;
}

const ServiceSpec* SocketActivation::InstanceSpec(const std::string& name) const {
  for (const auto& [pid, r] : instances_) {
    if (r.instance.name != name) continue;
    for (const auto& [k, o] : open_)
      if (o->serial == r.socket_serial && o->spec.per_connection) return &*o->spec.per_connection;
  }
  return nullptr;
}

}  // namespace ctinit
