// ctinit's control socket: how tools inside the container (the OpenRC shim's supervise-daemon,
// rc-service, later systemctl) talk to the running PID 1.
//
// Transport: a UNIX stream socket at kSocketPath (directory mode 0700, socket mode 0600, and
// every connection's peer credentials checked: uid 0 only — "only root talks to PID 1").
//
// Request: one message of words, each terminated by a NUL byte, the message terminated by an
// empty word (so it ends in "\0\0"). At most kMaxRequest bytes. Words are either the verb and
// positional arguments, or `key=value` options (a key may repeat: `arg=`, `env=`).
// Reply: the first line is the decimal status code the client should exit with (0 = success,
// as the client tool defines it: `3` = not running for status), the rest is text for the user.
// The server closes the connection after the reply. A request may take time (stop waits until
// the service has stopped); the client bounds its wait.
//
// Verbs (server: init/runtime/control_verbs.cc):
//   supervise <name> arg=… [arg=…] [env=K=V]… [uid=N gid=N groups=N,N home=… user=…]
//             [dir=PATH] [umask=OCTAL] [stdin=PATH] [stdout=PATH] [stderr=PATH]
//             [pidfile=PATH] [respawn_delay_ms=N] [respawn_max=N] [respawn_period_ms=N]
//             [stop_signal=N] [stop_timeout_ms=N] [origin=TEXT] [ambient_capabilities=MASK]
//             [capability_bounding_set=MASK] [no_new_privs=yes] [readiness=notify]
//       ctinit runs arg… as a supervised daemon (its own child, restarted as OpenRC's
//       supervise-daemon does: wait respawn_delay, give up after respawn_max starts within
//       respawn_period; 0 = unlimited). Replies 0 once spawned (1 + reason if it cannot be).
//       `pidfile` receives the daemon's pid (rewritten on each respawn). A name already
//       supervised and running: 1 "already running".
//   unsupervise <name>
//       stop_signal to the process group, SIGKILL after stop_timeout; replies 0 when it has
//       exited (1 "not supervised" if unknown). The entry is forgotten.
//   status <name>
//       0 "running <pid>" | 3 "stopped" | 1 "unknown service"
//   list
//       0 and one line per service ctinit knows: "<name> <state> [pid]".
//   services [<name>]
//       0 and every service (from every front end, and those a front end knows but does not
//       run) as ServiceRecords (below); with a name, only that one (4 if unknown) and its
//       recent output. What `ctinit status` and `ctinit list` show.
//
// A ServiceRecord on the wire is one line of TAB-separated `key=value` fields, the first
// `name=`; keys: name, source, state, pid, since_ms, last, why, description, origin. Each
// `output=TEXT` line after it is one line of that service's recent output. Values never hold
// a TAB, a newline or another control character (EncodeServices turns them into spaces);
// unknown keys and lines are ignored, so that fields can be added.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ctinit::control {

constexpr const char* kSocketDir = "/run/ctinit";
constexpr const char* kSocketPath = "/run/ctinit/control";
constexpr size_t kMaxRequest = 256 * 1024;

struct Reply {
  int code = 1;  // -1: could not talk to ctinit at all (text says why)
  std::string text;
  int error = 0;  // code -1: the errno of connect(), 0 if it failed elsewhere
};

// One service as `services` reports it (see above; `ctinit status --json` uses the same names).
struct ServiceRecord {
  std::string name;
  std::string source;       // inittab, openrc, unit, app; "" when unknown
  std::string state;        // stopped, starting, started, stopping, failed, inactive
  long pid = 0;             // 0: none
  long long since_ms = -1;  // how long ago it entered `state`; -1: unknown
  std::string last;         // how its last process ended ("exited 1"), "" if none did
  std::string why;          // why it is in this state (a failure, a skip, STATUS= text)
  std::string description;
  std::string origin;               // the file (and line) it came from
  std::vector<std::string> output;  // its recent output lines, oldest first
};
std::string EncodeServices(const std::vector<ServiceRecord>& records);
// Never throws on any input but out of memory; lines that are not records are skipped.
std::vector<ServiceRecord> DecodeServices(const std::string& text);

// Encodes `words` as a request (exposed for tests).
std::string Encode(const std::vector<std::string>& words);
// Decodes a complete request; false if `data` is not one (yet).
bool Decode(const std::string& data, std::vector<std::string>* words);

// Connects, sends, reads the reply until EOF or `timeout`. Never throws.
Reply Call(const std::vector<std::string>& words, std::chrono::milliseconds timeout,
           const std::string& path = kSocketPath) noexcept;

}  // namespace ctinit::control
