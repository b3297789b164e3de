// Accepting sockets (sockets.h, SocketSpec::accept): one transient instance per connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "init/base/log.h"
#include "init/runtime/sockets.h"

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

std::optional<ServiceSpec> SocketActivation::MakeInstance(const Open& o, const std::string& id,
                                                          Running* r, std::string* err) {
  std::optional<ServiceSpec> instance;
  if (o.spec.instantiate) {
    instance = o.spec.instantiate(id, err);
    if (!instance) return std::nullopt;
  } else {
    instance = *o.spec.per_connection;
    instance->name = InstanceName(instance->name, id);
  }
  instance->trigger = Trigger::kManual;
  instance->restart = Restart::kNo;
  // Nothing kept per instance name: no utmp record, no output tap (whose tails are per name),
  // no state changes in the log.
  instance->utmp = false;
  instance->log_tag.clear();
  instance->report_states = false;
  // Streams on the connection are not the console's (no output tap for them); the main command
  // gets the connection there, the other steps nothing.
  if (o.spec.connection_on_stdout) instance->process.stdout_target = {StdioTarget::Kind::kNull, ""};
  if (o.spec.connection_on_stderr) instance->process.stderr_target = {StdioTarget::Kind::kNull, ""};
  // systemd's $REMOTE_ADDR/$REMOTE_PORT, first: the template's Environment= comes after them.
  if (!r->source.empty()) {
    auto port = r->instance.peer.substr(r->instance.peer.rfind(':') + 1);
    instance->process.env.insert(instance->process.env.begin(),
                                 {"REMOTE_ADDR=" + r->source, "REMOTE_PORT=" + port});
  }
  r->instance.name = instance->name;
  r->instance.socket = o.spec.name;
  r->instance.since = TriggerLimit::Clock::now();
  r->socket_serial = o.serial;
  r->on_stdin = o.spec.connection_on_stdin;
  r->on_stdout = o.spec.connection_on_stdout;
  r->on_stderr = o.spec.connection_on_stderr;
  return instance;
}

void SocketActivation::OnConnection(Open& o, int fd) {
  if (stopping_instances_ || !host_.start || !o.spec.per_connection)
    return Refuse(o, fd, "not accepting connections now");
  if (o.running_instances >= o.spec.max_connections)
    return Refuse(o, fd, "too many connections (" + std::to_string(o.running_instances) + ")");
  Running r;
  std::string id = InstanceId(o.accepted, fd, &r.instance.peer, &r.source);
  int per_source = r.source.empty() ? 0 : o.per_source[r.source];
  if (o.spec.max_connections_per_source > 0 && per_source >= o.spec.max_connections_per_source)
    return Refuse(
        o, fd, "too many connections from " + r.source + " (" + std::to_string(per_source) + ")");
  std::string err;
  auto instance = MakeInstance(o, id, &r, &err);
  if (!instance) return Refuse(o, fd, "no instance of " + o.spec.service + ": " + err);
  std::string name = instance->name;
  if (instances_.count(name)) return Refuse(o, fd, name + " is still running");
  // Counted before it starts: its end may be reported while it is being started.
  r.connection = fd;
  std::string peer = r.instance.peer;
  ++o.running_instances;
  if (!r.source.empty()) ++o.per_source[r.source];
  instances_[name] = std::move(r);
  if (!host_.start(std::move(*instance), &err)) {
    log::Warn("{}: connection from {}: {}: {}", o.spec.name, peer, name, err);
    ForgetInstance(name);  // closes the connection
    return;
  }
  ++o.accepted;
  log::Verbose("{}: connection from {}: {}", o.spec.name, peer, name);
}

SocketActivation::Passed SocketActivation::HandOver(Running& r) {
  Passed p;
  if (r.connection < 0) return p;  // given already (a restart runs without it)
  int fd = r.connection;
  r.connection = -1;
  p.fds = {fd};
  p.names = "connection";
  p.stdin_fd = r.on_stdin ? fd : -1;
  p.stdout_fd = r.on_stdout ? fd : -1;
  p.stderr_fd = r.on_stderr ? fd : -1;
  // The spawn that asked is under way (For() is called just before it): close after it.
  handed_over_->push_back(fd);
  if (handed_over_->size() == 1)
    boost::asio::post(io_, [handed = handed_over_] {
      for (int c : *handed) ::close(c);
      handed->clear();
    });
  return p;
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

void SocketActivation::ForgetInstance(const std::string& name) {
  auto it = instances_.find(name);
  if (it == instances_.end()) return;
  const Running& r = it->second;
  if (r.connection >= 0) ::close(r.connection);  // it ended before its main command ran
  for (auto& [k, o] : open_) {
    if (o->serial != r.socket_serial) continue;
    --o->running_instances;
    if (!r.source.empty() && --o->per_source[r.source] <= 0) o->per_source.erase(r.source);
  }
  log::Verbose("{}: ended", name);
  instances_.erase(it);
}

void SocketActivation::StopInstances() {
  stopping_instances_ = true;
  if (!host_.stop) return;
  std::vector<std::string> names;
  for (const auto& [name, r] : instances_) names.push_back(name);
  for (const auto& name : names) host_.stop(name);  // may forget it at once
}

std::vector<SocketActivation::Instance> SocketActivation::Instances() const {
  std::vector<Instance> out;
  out.reserve(instances_.size());
  for (const auto& [name, r] : instances_) out.push_back(r.instance);
  return out;
}

}  // namespace ctinit
