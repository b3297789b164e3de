// The output of service scripts (OpenRC start/stop scripts, oneshot units): passed through to
// ctinit's own stdout (the container's log) byte for byte, as if the script wrote there
// itself, while the last kTailBytes of each service's current run are kept, so that a failure
// can be reported with what the script said ("nginx: failed: start exited 1; its output: …").
//
// Tap(name) returns the write end of a new pipe (close-on-exec) for the child's stdout and
// stderr; the read end is read on the Asio loop until every writer has closed it (a daemon the
// script left behind may keep it open: its output keeps flowing to the log). Tail(name) is what
// the runs since the last Reset(name) said. Nothing here throws; bounded memory per service.
#pragma once

#include <boost/asio.hpp>
#include <map>
#include <memory>
#include <string>

namespace ctinit {

class OutputTap {
 public:
  static constexpr size_t kTailBytes = 2048;
  explicit OutputTap(boost::asio::io_context& io) : io_(io) {}
  ~OutputTap();
  // -1 if no pipe can be made (then the child writes to the console directly).
  int Tap(const std::string& name);
  void Reset(const std::string& name) { tails_.erase(name); }
  // Reads what `name`'s pipes hold right now (a script that just exited may not have been read
  // to the end yet), so that Tail() is complete.
  void Drain(const std::string& name);
  std::string Tail(const std::string& name) const;

 private:
  struct Reader;
  void Read(std::shared_ptr<Reader> r);
  void Take(Reader& r, size_t n);

  boost::asio::io_context& io_;
  std::map<std::string, std::string> tails_;
  std::map<Reader*, std::weak_ptr<Reader>> readers_;
};

}  // namespace ctinit
