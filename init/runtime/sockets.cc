#include "init/runtime/sockets.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>

#include "init/base/log.h"

namespace ctinit {

namespace {

int SockType(SocketSpec::Listen::Kind k) {
  switch (k) {
    case SocketSpec::Listen::Kind::kDatagram:
      return SOCK_DGRAM;
    case SocketSpec::Listen::Kind::kSeqPacket:
      return SOCK_SEQPACKET;
    case SocketSpec::Listen::Kind::kStream:
      break;
  }
  return SOCK_STREAM;
}

bool ParsePort(const std::string& s, uint16_t* port) {
  if (s.empty() || s.size() > 5) return false;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v == 0 || v > 65535) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

// An abstract UNIX address (no file: nothing to make, chmod or chown; the name lives in the
// network namespace). -1 with *err on failure.
int OpenAbstract(const std::string& name, int type, int backlog, std::string* err) {
  sockaddr_un sun{};
  if (name.empty() || name.size() >= sizeof(sun.sun_path) - 1) {
    *err = "bad abstract name";
    return -1;
  }
  int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = std::string("socket: ") + strerror(errno);
    return -1;
  }
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path + 1, name.data(), name.size());  // sun_path[0] = '\0': abstract
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  const char* step = "bind";
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sun), len) == 0) {
    step = "listen";
    if (type == SOCK_DGRAM || ::listen(fd, backlog) == 0) return fd;
  }
  *err = std::string(step) + ": " + strerror(errno);
  ::close(fd);
  return -1;
}

}  // namespace

SocketActivation::SocketActivation(boost::asio::io_context& io, Activate activate,
                                   InstanceHost instances)
    : io_(io), activate_(std::move(activate)), host_(std::move(instances)) {}

SocketActivation::~SocketActivation() {
  CloseAll();
  for (auto& [name, r] : instances_)
    if (r.connection >= 0) ::close(r.connection);
  for (int fd : *handed_over_) ::close(fd);
  handed_over_->clear();
}

std::string SocketActivation::Key(const SocketSpec& s) {
  std::string k = s.name;
  k += '|';
  k += s.service;
  for (const auto& l : s.listens) {
    k += '|';
    k += static_cast<char>('0' + static_cast<int>(l.kind));
    k += l.address;
  }
  return k;
}

int SocketActivation::OpenListen(const SocketSpec& spec, const SocketSpec::Listen& l,
                                 std::string* err) {
  int type = SockType(l.kind);
  const std::string& a = l.address;
  int fd = -1;
  auto fail = [&](const std::string& what) {
    *err = what + ": " + strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  };
  if (!a.empty() && a[0] == '@') return OpenAbstract(a.substr(1), type, spec.backlog, err);
  if (!a.empty() && a[0] == '/') {
    sockaddr_un sun{};
    if (a.size() >= sizeof(sun.sun_path)) {
      *err = "path too long";
      return -1;
    }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(a).parent_path(), ec);
    fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail("socket");
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, a.c_str(), a.size());
    struct stat st {};
    if (::lstat(a.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(a.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)) != 0) return fail("bind");
    ::chmod(a.c_str(), spec.mode);
    if (spec.uid || spec.gid)
      if (::chown(a.c_str(), spec.uid.value_or(static_cast<uid_t>(-1)),
                  spec.gid.value_or(static_cast<gid_t>(-1))) != 0)
        log::Warn("{}: cannot chown {}: {}", spec.name, a, strerror(errno));
  } else {
    std::string host, port_s = a;
    if (!a.empty() && a[0] == '[') {
      auto close = a.find("]:");
      if (close == std::string::npos) {
        *err = "bad address \"" + a + "\"";
        return -1;
      }
      host = a.substr(1, close - 1);
      port_s = a.substr(close + 2);
    } else if (auto colon = a.rfind(':'); colon != std::string::npos) {
      host = a.substr(0, colon);
      port_s = a.substr(colon + 1);
    }
    uint16_t port = 0;
    if (!ParsePort(port_s, &port)) {
      *err = "bad address \"" + a + "\"";
      return -1;
    }
    int one = 1;
    sockaddr_in6 s6{};
    sockaddr_in s4{};
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons(port);
    s4.sin_family = AF_INET;
    s4.sin_port = htons(port);
    bool v6 = host.empty() || host.find(':') != std::string::npos;
    if (!host.empty()) {
      if (v6 ? inet_pton(AF_INET6, host.c_str(), &s6.sin6_addr) != 1
             : inet_pton(AF_INET, host.c_str(), &s4.sin_addr) != 1) {
        *err = "bad address \"" + a + "\"";
        return -1;
      }
    }
    if (v6) {
      fd = ::socket(AF_INET6, type | SOCK_CLOEXEC, 0);
      if (fd < 0 && host.empty()) v6 = false;  // no IPv6 here: every IPv4 address
    }
    if (v6) {
      int zero = 0;
      if (host.empty()) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      if (::bind(fd, reinterpret_cast<sockaddr*>(&s6), sizeof(s6)) != 0) return fail("bind");
    } else {
      fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
      if (fd < 0) return fail("socket");
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
      if (::bind(fd, reinterpret_cast<sockaddr*>(&s4), sizeof(s4)) != 0) return fail("bind");
    }
  }
  if (type != SOCK_DGRAM && ::listen(fd, spec.backlog) != 0) return fail("listen");
  return fd;
}

void SocketActivation::Set(const std::vector<SocketSpec>& specs) {
  std::map<std::string, std::unique_ptr<Open>> next;
  stopping_instances_ = false;
  for (const auto& spec : specs) {
    std::string key = Key(spec);
    if (auto it = open_.find(key); it != open_.end()) {
      it->second->spec = spec;
      next[key] = std::move(it->second);
      open_.erase(it);
      continue;
    }
    auto o = std::make_unique<Open>();
    o->spec = spec;
    o->serial = next_serial_++;
    for (const auto& l : spec.listens) {
      std::string err;
      int fd = OpenListen(spec, l, &err);
      if (fd < 0) {
        log::Error("{}: cannot listen on {}: {}", spec.origin.empty() ? spec.name : spec.origin,
                   l.address, err);
        continue;
      }
      if (spec.accept) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);  // accept loop
      try {
        o->fds.push_back(std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd));
      } catch (const std::exception& e) {
        ::close(fd);
        log::Error("{}: {}", spec.name, e.what());
      }
    }
    if (o->fds.empty()) continue;
    log::Verbose("{}: listening for {}", spec.name, spec.service);
    Watch(*o);
    next[key] = std::move(o);
  }
  CloseAll();
  open_ = std::move(next);
}

void SocketActivation::CloseAll() {
  for (auto& [k, o] : open_) {
    for (auto& d : o->fds) {
      boost::system::error_code ec;
      d->close(ec);
    }
    for (const auto& l : o->spec.listens)
      if (!l.address.empty() && l.address[0] == '/') ::unlink(l.address.c_str());
  }
  open_.clear();
}

void SocketActivation::Watch(Open& o) {
  if (o.spec.accept) {
    for (size_t i = 0; i < o.fds.size(); ++i) WaitAccept(o, i);
    return;
  }
  if (o.watching || o.running || o.failed) return;
  o.watching = true;
  std::string service = o.spec.service;
  auto fire = [this, service] { Fire(service); };
  for (auto& d : o.fds) {
    d->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [&o, fire](const boost::system::error_code& ec) {
                    if (ec || !o.watching) return;
                    try {
                      fire();
                    } catch (const std::exception& e) {
                      log::Error("socket activation: {}", e.what());
                    }
                  });
  }
  // Already readable (a connection queued while the service was stopping)? The wait above
  // may not see an edge that came before it.
  for (auto& d : o.fds) {
    pollfd p{d->native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
      boost::asio::post(io_, [this, service] {
        for (auto& [k, x] : open_)
          if (x->spec.service == service && x->watching) return Fire(service);
      });
      break;
    }
  }
}

void SocketActivation::Fire(const std::string& service) {
  bool refused = false;
  auto now = TriggerLimit::Clock::now();
  for (auto& [k, x] : open_) {
    if (x->spec.service != service || !x->watching) continue;
    x->watching = false;
    for (auto& d : x->fds) {
      boost::system::error_code ec;
      d->cancel(ec);
    }
    if (!x->triggers.Allow(now)) {
      x->failed = true;
      refused = true;
      log::Error("{}: trigger limit hit ({} activations within {} s): failed, no longer watched",
                 x->spec.name, x->triggers.burst(),
                 std::chrono::duration_cast<std::chrono::seconds>(x->triggers.interval()).count());
    }
  }
  if (refused) return;
  log::Verbose("socket activity for {}: starting it", service);
  activate_(service);
}

SocketActivation::Passed SocketActivation::For(const std::string& service) {
  if (auto it = instances_.find(service); it != instances_.end()) return HandOver(it->second);
  Passed p;
  for (const auto& [k, o] : open_) {
    if (o->spec.service != service || o->spec.accept) continue;
    std::string name = o->spec.fd_name.empty() ? o->spec.name : o->spec.fd_name;
    for (const auto& d : o->fds) {
      int fd = d->native_handle();
      int fl = ::fcntl(fd, F_GETFL);
      if (fl >= 0 && (fl & O_NONBLOCK)) ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
      p.fds.push_back(fd);
      p.names += (p.names.empty() ? "" : ":") + name;
    }
  }
  return p;
}

bool SocketActivation::Has(const std::string& service) const {
  for (const auto& [k, o] : open_)
    if (o->spec.service == service && !o->spec.accept) return true;
  return false;
}

void SocketActivation::ServiceRunning(const std::string& service, bool running) {
  if (!running) ForgetInstance(service);
  for (auto& [k, o] : open_) {
    if (o->spec.service != service || o->spec.accept) continue;
    o->running = running;
    if (running) {
      if (o->watching) {
        o->watching = false;
        for (auto& d : o->fds) {
          boost::system::error_code ec;
          d->cancel(ec);
        }
      }
    } else {
      Watch(*o);
    }
  }
}

}  // namespace ctinit
