// Text from outside (a control request, a notification, a service's name for itself) shown in
// ctinit's log: control characters are escaped so that nobody can rewrite a terminal (ESC
// sequences), fake a log line ('\r', '\n') or hide text ('\b') through PID 1's log.
#pragma once

#include <string>
#include <string_view>

namespace ctinit::text {

// `s` with every byte below 0x20 and 0x7f written as "\xNN" (C-style \t \n \r as such), and '\\'
// as "\\\\" so that an escape cannot be faked. Bytes from 0x80 up (UTF-8) pass as they are.
// With keep_newlines, '\n' passes through (a multi-line log message stays multi-line).
std::string Printable(std::string_view s, bool keep_newlines = false);

}  // namespace ctinit::text
