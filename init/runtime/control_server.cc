#include "init/runtime/control_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/protocol/control.h"

namespace ctinit::control {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {

void SetCloseOnExec(int fd) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace

struct Server::Conn {
  explicit Conn(asio::io_context& io) : sock(io) {}
  stream::socket sock;
  std::string data;
  char buf[4096];
  bool replied = false;
};

Server::Server(asio::io_context& io, Handler handler)
    : io_(io), handler_(std::move(handler)), retry_(io) {}

Server::~Server() { Close(); }

bool Server::Open(const std::string& path) {
  try {
    path_ = path;
    std::string dir = path.substr(0, path.rfind('/'));
    if (!dir.empty()) {
      ::mkdir(dir.c_str(), 0700);
      // An existing directory is made 0700 through an fd: never a symlink's target.
      int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dfd >= 0) {
        ::fchmod(dfd, 0700);
        ::close(dfd);
      }
    }
    ::unlink(path.c_str());
    acceptor_ = std::make_unique<stream::acceptor>(io_);
    acceptor_->open(stream());
    SetCloseOnExec(acceptor_->native_handle());
    mode_t old = ::umask(0177);
    boost::system::error_code ec;
    acceptor_->bind(stream::endpoint(path), ec);
    ::umask(old);
    if (ec) throw boost::system::system_error(ec);  // the umask made it 0600: no chmod by path
    acceptor_->listen();
    Accept();
    return true;
  } catch (const std::exception& e) {
    log::Warn("control socket {}: {}; rc-service/supervise-daemon requests will fail", path,
              e.what());
    acceptor_.reset();
    return false;
  }
}

void Server::Close() {
  if (!acceptor_) return;
  boost::system::error_code ec;
  acceptor_->close(ec);
  acceptor_.reset();
  retry_.cancel();
}

void Server::Accept() {
  if (!acceptor_) return;
  auto c = std::make_shared<Conn>(io_);
  acceptor_->async_accept(c->sock, [this, c](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted || !acceptor_) return;
    if (ec) return BackOff(ec);
    backing_off_ = false;
    // Asio accepts with accept(2), not accept4(SOCK_CLOEXEC): a child spawned while this
    // connection is open must not inherit it.
    SetCloseOnExec(c->sock.native_handle());
    try {
      ucred cred{};
      socklen_t len = sizeof(cred);
      if (::getsockopt(c->sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
          cred.uid != 0) {
        std::string msg = "1\nonly root may talk to ctinit\n";
        boost::system::error_code wec;
        asio::write(c->sock, asio::buffer(msg), wec);
      } else {
        Read(c);
      }
    } catch (const std::exception& e) {
      log::Warn("control connection: {}", e.what());
    }
    Accept();
  });
}

void Server::BackOff(const boost::system::error_code& ec) {
  // EMFILE/ENFILE leave the connection in the backlog: accepting again at once would fail again
  // at once, a busy loop. Wait, then try; say it once per episode.
  if (!backing_off_)
    log::Warn("control socket: cannot accept: {}; retrying every {} ms", ec.message(),
              kAcceptRetryMs);
  backing_off_ = true;
  retry_.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
  retry_.async_wait([this](const boost::system::error_code& wec) {
    if (!wec) Accept();
  });
}

void Server::Read(std::shared_ptr<Conn> c) {
  c->sock.async_read_some(
      asio::buffer(c->buf), [this, c](const boost::system::error_code& ec, size_t n) {
        try {
          if (ec) return;  // the client went away
          c->data.append(c->buf, n);
          std::vector<std::string> words;
          auto respond = [c](int code, const std::string& text) {
            if (c->replied) return;
            c->replied = true;
            std::string msg = std::to_string(code) + "\n" + text;
            if (!text.empty() && text.back() != '\n') msg += '\n';
            boost::system::error_code wec;
            // Replies are small; a blocking write on a local socket does not stall the loop.
            asio::write(c->sock, asio::buffer(msg), wec);
            c->sock.close(wec);
          };
          if (c->data.size() > kMaxRequest) return respond(1, "request too large");
          if (!Decode(c->data, &words)) {
            if (c->data.size() >= 2 &&
                c->data.compare(c->data.size() - 2, 2, std::string(2, '\0')) == 0)
              return respond(1, "malformed request");
            return Read(c);
          }
          if (words.empty()) return respond(1, "empty request");
          handler_(words, respond);
        } catch (const std::exception& e) {
          log::Warn("control request: {}", e.what());
        }
      });
}

}  // namespace ctinit::control
