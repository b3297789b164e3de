// The sysvinit control FIFO (/run/initctl): how `telinit`, `shutdown`, `halt`, `reboot` and
// powerd talk to PID 1. The bytes are the 384-byte init_request of initreq.h; this part owns the
// FIFO and turns each decoded request into one call on an InitctlTarget.
//
//   request (initreq.h)       what PID 1 is asked to do
//   runlevel 0-9, S           RequestLevel(level, sleeptime s): TERM → wait → KILL
//   runlevel Q                ReloadServices()            (telinit q)
//   runlevel A, B, C          DemandServices(letter)      (ondemand entries)
//   runlevel U                nothing: ctinit keeps its state (sysvinit re-executes itself)
//   power fail / now / ok     PowerEvent('F' / 'L' / 'O')
//   set environment           SetInitEnv(name, value or unset), per variable
//
// The FIFO is opened read-write and non-blocking (System::OpenFifo), so a writer that goes away
// never gives EOF and nothing a client does can block PID 1. Reads are whole requests; a
// malformed one is one warning naming the FIFO, and the next one is read.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "init/protocol/initreq.h"
#include "init/runtime/system.h"

namespace ctinit {

// What an init_request may ask of PID 1 (Pid1 implements it).
class InitctlTarget {
 public:
  virtual ~InitctlTarget() = default;
  // '0'-'9' or 'S'; `kill_wait` is the TERM → KILL wait the request gave.
  virtual void RequestLevel(char level, std::chrono::milliseconds kill_wait) = 0;
  virtual void ReloadServices() = 0;
  virtual void DemandServices(char which) = 0;
  virtual void PowerEvent(char status) = 0;
  virtual void SetInitEnv(const std::string& name, const std::optional<std::string>& value) = 0;
};

// Acts on one decoded request (see the table above). `source` names the FIFO in log lines.
void ApplyInitRequest(const InitRequest& request, InitctlTarget& target, const std::string& source);

class InitctlFifo {
 public:
  InitctlFifo(boost::asio::io_context& io, System& system, InitctlTarget& target);
  ~InitctlFifo();

  // Makes and opens the FIFO at `path` (closing any open one); logs why when it cannot.
  void Open(const std::string& path);
  void Close();
  bool open() const { return fifo_ != nullptr; }
  // Whether `path` still names the FIFO we read. A mount over its directory (Debian's rcS
  // mounts a fresh tmpfs on /run) hides it without telling us.
  bool StillThere() const;

 private:
  void Wait();
  void Read();

  boost::asio::io_context& io_;
  System& system_;
  InitctlTarget& target_;
  std::string path_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> fifo_;
};

}  // namespace ctinit
