// Small string helpers shared by every part of ctinit (front ends, clients, PID 1). Pure, no
// I/O; nothing here throws but std::bad_alloc.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctinit::text {

// The fields of `s` between the separators, empty ones included, as /etc/passwd needs:
// "a::b" -> {"a", "", "b"}, "a:" -> {"a", ""}, "" -> {""}.
std::vector<std::string> Split(std::string_view s, char sep);

// The words of `s` separated by runs of spaces and tabs, as sysvinit splits an inittab process
// field and OpenRC a depend line: "  a\tb  c" -> {"a", "b", "c"}, "" -> {}.
std::vector<std::string> Words(std::string_view s);

// `s` without the blanks (space, tab, CR, LF) at either end.
std::string_view Trim(std::string_view s);

// ASCII lower case (locale-independent).
std::string Lower(std::string_view s);

// `s` with each "\ooo" (a backslash and three octal digits) replaced by that byte, as
// /proc/mounts, /proc/self/mountinfo and fstab escape blanks and backslashes in paths
// ("/run/my\040dir" -> "/run/my dir"); anything else is kept as it is.
std::string DecodeOctalEscapes(std::string_view s);

// A plain non-negative decimal number of at most 18 digits ("0", "4096"); nullopt for anything
// else (a sign, blanks, other characters, empty, too long) — for numbers in requests.
std::optional<long long> ParseCount(std::string_view s);

// `parts` with `sep` between them.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace ctinit::text
