// sysvinit's /run/initctl request: one fixed 384-byte record per write().
//
// Wire format (sysvinit src/initreq.h; host byte order, all fields int32):
//   offset 0   magic      0x03091969
//   offset 4   cmd        START 0, RUNLVL 1, POWERFAIL 2, POWERFAILNOW 3, POWEROK 4, BSD 5,
//                         SETENV 6, UNSETENV 7
//   offset 8   runlevel   the level as its ASCII char ('0' = 48); 0 for SETENV
//   offset 12  sleeptime  seconds between TERM and KILL when leaving a level
//   offset 16  data[368]  SETENV: "KEY=VAL\0KEY2\0...\0\0" (a KEY without '=' unsets it);
//                         the BSD sub-struct shares these bytes (unused here)
//
// Clients: sysvinit's telinit (/sbin/init when not PID 1) sends RUNLVL with sleeptime 3 unless
// -t is given, or one SETENV for all its -e options; sysvinit's shutdown sends SETENV
// INIT_HALT=HALT|POWEROFF and then runs telinit; OpenRC's openrc-shutdown sends the same with
// sleeptime 0.
//
// Server rules (sysvinit init.c check_init_fifo()/initcmd_setenv()), which DecodeInitRequest
// implements:
//   - one read() must return exactly 384 bytes with the right magic, else "got bogus initrequest";
//   - START, BSD, UNSETENV and unknown cmds: "got unimplemented initrequest";
//   - SETENV only accepts names starting with "INIT_"; other entries are skipped and the rest are
//     kept. (Limiting the extra environment to 16 variables is the caller's job.)
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ctinit {

inline constexpr size_t kInitRequestSize = 384;
inline constexpr size_t kInitRequestDataSize = 368;
inline constexpr int kInitMagic = 0x03091969;

struct InitRequest {
  enum class Cmd { kRunlevel, kPowerFail, kPowerFailNow, kPowerOk, kSetEnv };
  Cmd cmd = Cmd::kRunlevel;
  // kRunlevel: the requested level exactly as sent (not upper-cased, not validated: "5", "q",
  // "S", ...). 0 for the other commands.
  char runlevel = 0;
  // kRunlevel and kPower*: seconds between TERM and KILL; negative values are clamped to 0.
  int sleeptime = 0;
  // kSetEnv: in request order; KEY=VAL sets (value may be empty), a bare KEY unsets (nullopt).
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
};

// Decodes exactly one request from the bytes one read() returned.
// Returns false and sets *err (e.g. "got bogus initrequest: 12 bytes",
// "got unimplemented initrequest: cmd 5") when the request must be ignored; *out is untouched.
// Returns true with *out filled otherwise; *err is then empty or holds a warning the caller should
// log (SETENV entries that were skipped because their name does not start with INIT_).
bool DecodeInitRequest(const void* data, size_t n, InitRequest* out, std::string* err);

// A RUNLVL request for `level` (sent as-is; init upper-cases).
std::array<unsigned char, kInitRequestSize> EncodeRunlevel(char level, int sleeptime);

// A SETENV request: each assignment is "KEY=VAL" (set) or "KEY" (unset). Empty strings are
// skipped; entries that do not fit in the data area are dropped, so check SetEnvFits() first.
std::array<unsigned char, kInitRequestSize> EncodeSetEnv(
    const std::vector<std::string>& assignments);

// Whether all non-empty `assignments` plus their NULs and the final NUL fit in 368 bytes
// (sysvinit telinit's "-e option data too large" check).
bool SetEnvFits(const std::vector<std::string>& assignments);

}  // namespace ctinit
