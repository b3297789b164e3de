// The server side of the control socket (control.h): accepts connections on the Asio loop,
// checks the peer is root (SO_PEERCRED), reads one request, and hands it to the handler with a
// Reply callback that may be called later (a stop replies once the service has stopped).
// A connection whose request is malformed or too large gets "1\n<reason>". When accept fails
// (EMFILE, ENFILE: out of fds) the server waits kAcceptRetryMs before the next try, logging the
// first failure only, instead of spinning on a connection it cannot take. Never throws.
#pragma once

#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ctinit::control {

using Respond = std::function<void(int code, const std::string& text)>;
using Handler = std::function<void(const std::vector<std::string>& words, Respond respond)>;

class Server {
 public:
  static constexpr int kAcceptRetryMs = 250;
  Server(boost::asio::io_context& io, Handler handler);
  ~Server();
  // Creates the directory (0700) and the socket (0600) at `path`, replacing a stale one.
  // False (logged) if it cannot; ctinit runs on without it.
  bool Open(const std::string& path);
  void Close();

 private:
  struct Conn;
  void Accept();
  void BackOff(const boost::system::error_code& ec);
  void Read(std::shared_ptr<Conn> c);

  boost::asio::io_context& io_;
  Handler handler_;
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
  std::string path_;
  boost::asio::steady_timer retry_;  // the wait after a failed accept
  bool backing_off_ = false;         // the failure was logged
};

}  // namespace ctinit::control
