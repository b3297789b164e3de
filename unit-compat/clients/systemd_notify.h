// The `systemd-notify` applet (systemd-notify(1)), for images without systemd whose services
// are Type=notify shell scripts:
//   systemd-notify [--ready] [--stopping] [--reloading] [--status=TEXT] [--pid[=PID]]
//                  [--booted] [VAR=VALUE...]
// sends "READY=1", "STATUS=TEXT", "MAINPID=PID" and the VAR=VALUE words, newline-separated, in
// one datagram to $NOTIFY_SOCKET. As systemd's does, the datagram carries the credentials of
// the parent process (the service's main process, usually the shell that runs this), so
// NotifyAccess=main accepts it; if the kernel refuses that (not root), its own. --booted exits
// 0 when ctinit is PID 1 with its control socket, 1 otherwise. Exit 0 on success, 1 on error
// (no $NOTIFY_SOCKET: "No notification socket" as systemd). Never throws.
#pragma once

#include <string>
#include <vector>

namespace ctinit::units {

int SystemdNotifyMain(const std::vector<std::string>& args) noexcept;

}  // namespace ctinit::units
