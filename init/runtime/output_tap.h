// What services write to the console, read by ctinit on its way to ctinit's own stdout (the
// container's log). Two modes, one pipe each:
//
//  * Raw (Tap(name)): service scripts (OpenRC start/stop scripts, oneshot units) — passed
//    through byte for byte, as if the script wrote there itself.
//  * Tagged (Tap(name, tag)): services with a syslog ident (ServiceSpec::log_tag, systemd's
//    SyslogIdentifier=) — written line by line as "TAG[PID]: line\n", PID the one given with
//    Spawned() (the process started for that pipe, what journald shows as ident[pid]). Lines
//    are split on '\n' and otherwise passed as they are; a partial line is held until its '\n'
//    comes, at most kLineBytes of it (then that much is written as a line of its own), and is
//    written when the pipe reaches EOF (or the tap is destroyed). Each line is one write(2), so
//    lines of different services do not interleave within a line.
//
// Both modes keep the last kTailBytes (raw, untagged) of each service's current run, so that a
// failure can be reported with what the service said ("nginx: failed: start exited 1; its
// output: …").
//
// Tap() returns the write end of a new pipe (close-on-exec) for the child's stdout and/or
// stderr; the caller hands it back with Spawned(fd, pid) once the child is started (pid -1 when
// it could not be), which closes ctinit's copy. The read end is read on the Asio loop until
// every writer has closed it (a daemon a script left behind may keep it open: its output keeps
// flowing to the log). Tail(name) is what the runs since the last Reset(name) said. Nothing
// here throws; memory is bounded per pipe (kLineBytes + a read buffer) and per service name
// (kTailBytes).
//
// What the tap writes goes through a console::Stream (init/base/console.h): a stalled reader of
// ctinit's stdout never blocks PID 1, the output waits in a bounded buffer or is dropped and
// counted. The tap's ConsolePump retries that stream and ctinit's log stream (console::Err())
// every kRetryMs on the loop while either has something pending.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "init/base/console.h"

namespace ctinit {

// Flushes console streams from the loop while they have something pending: a timer, not a wait
// for writability, because Asio's wait would set O_NONBLOCK on the shared fd (console.h).
class ConsolePump {
 public:
  static constexpr int kRetryMs = 20;
  ConsolePump(boost::asio::io_context& io, std::vector<console::Stream*> streams);
  ~ConsolePump();  // unhooks the streams and gives them a last, bounded chance to drain

 private:
  void Arm();
  boost::asio::steady_timer timer_;
  std::vector<console::Stream*> streams_;
  bool armed_ = false;
};

class OutputTap {
 public:
  static constexpr size_t kTailBytes = 2048;
  static constexpr size_t kLineBytes = 4096;
  // `out`: where the output goes (ctinit's stdout; tests give their own fd).
  explicit OutputTap(boost::asio::io_context& io, int out = STDOUT_FILENO)
      : io_(io), out_(out), pump_(io, {&out_, &console::Err()}) {}
  ~OutputTap();
  // -1 if no pipe can be made (then the child writes to the console directly). A non-empty
  // `tag` selects the tagged mode.
  int Tap(const std::string& name, const std::string& tag = {});
  // The child that got `fd` (from Tap) is `pid` (-1: none was started): its lines are tagged
  // with that pid. Closes `fd`.
  void Spawned(int fd, pid_t pid);
  void Reset(const std::string& name) { tails_.erase(name); }
  // Reads what `name`'s pipes hold right now (a script that just exited may not have been read
  // to the end yet), so that Tail() is complete.
  void Drain(const std::string& name);
  std::string Tail(const std::string& name) const;
  // The child `pid` (given to Spawned) has exited: what its pipe holds is read now (and, when
  // no other process holds the pipe, its last partial line written), so that its output comes
  // before what ctinit logs about its exit.
  void Exited(pid_t pid);

 private:
  struct Reader;
  void Read(std::shared_ptr<Reader> r);
  void Take(Reader& r, size_t n);
  void ReadNow(Reader& r);                              // what the pipe holds now, bounded
  void Line(const Reader& r, const char* p, size_t n);  // one tagged line, '\n' added
  void Flush(Reader& r);                                // the held partial line
  void Write(const char* p, size_t n);

  boost::asio::io_context& io_;
  console::Stream out_;
  ConsolePump pump_;  // after out_: unhooks it before it goes
  std::map<std::string, std::string> tails_;
  // Every live reader, and three indexes into them so that a spawn, an exit and a drain cost
  // the same with 10 or 2,000 services (a walk over readers_ per spawn was quadratic at boot).
  std::map<Reader*, std::weak_ptr<Reader>> readers_;
  std::map<int, Reader*> unspawned_;      // write end -> reader, until Spawned()
  std::multimap<pid_t, Reader*> by_pid_;  // from Spawned()
  std::multimap<std::string, Reader*> by_name_;
  void Forget(Reader* r);  // out of readers_ and every index
};

}  // namespace ctinit
