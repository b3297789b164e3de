// telinit: the client side of the /run/initctl protocol (initreq.h).
//
//   telinit [-t SECONDS] [-e VAR[=VAL]]... [LEVEL]
//
//   LEVEL      one of 0-9 S s Q q A a B b C c U u, sent as-is in an INIT_CMD_RUNLVL request
//              (init upper-cases it). Required unless -e is given.
//   -t SECONDS sleeptime of the RUNLVL request: seconds between TERM and KILL for processes
//              leaving the level. Default 3, like sysvinit's telinit (WAIT_BETWEEN_SIGNALS).
//   -e VAR=VAL / -e VAR
//              set / unset VAR in init's environment for its children. All -e options go into
//              one INIT_CMD_SETENV request, sent before the RUNLVL request. telinit sends any
//              name; init only accepts INIT_* names.
//   Options may be given as "-t5"/"-eVAR=x", anywhere before or after LEVEL; "--" ends options.
//
// Differences from sysvinit 3.06 telinit: it rejects "-e ... LEVEL" (usage error), we send both;
// a non-numeric -t is a usage error (sysvinit: atoi, i.e. 0); we do not require euid 0 (the FIFO's
// 0600 mode decides); no chdir("/").
//
// Delivery: the FIFO is opened O_WRONLY|O_NONBLOCK, so with no reader (no init listening) open()
// fails with ENXIO at once instead of sysvinit's 3 s alarm; each 384-byte request is one atomic
// write (< PIPE_BUF). A full FIFO is waited on for at most 3 s in total. SIGPIPE is blocked while
// writing.
//
// Exit status: 0 when every request was written; 1 on usage errors (usage text on stderr) and on
// delivery errors (message on stderr, e.g.
// "telinit: timeout opening/writing control channel /run/initctl"). Never throws.
#pragma once

#include <string>
#include <vector>

namespace ctinit {

inline constexpr const char* kInitFifoPath = "/run/initctl";

// `args` are the arguments after the program name.
int TelinitMain(const std::vector<std::string>& args,
                const std::string& fifo_path = kInitFifoPath) noexcept;

// The usage text (several lines, ends in '\n').
std::string TelinitUsage();

}  // namespace ctinit
