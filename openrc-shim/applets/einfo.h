// Output in the style of OpenRC's libeinfo, for the shim's C++ applets: " * text" lines,
// informational ones on stdout, warnings and errors on stderr. EINFO_QUIET=yes silences the
// informational ones; EINFO_VERBOSE=yes enables the v-variants. No colour (ctinit's output goes
// to container logs). Also small helpers the applets share. Nothing here throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ctinit::openrc {

void EInfo(const std::string& text) noexcept;
void EWarn(const std::string& text) noexcept;
void EError(const std::string& text) noexcept;
void VEInfo(const std::string& text) noexcept;  // only with EINFO_VERBOSE

// OpenRC's rc_yesno: YES/TRUE/ON/1 (any case).
bool YesNo(std::string_view value) noexcept;
bool EnvYes(const char* name) noexcept;

// The -d/--debug, -q/--quiet and -v/--verbose options of openrc-run and rc-service: sets
// RC_DEBUG, EINFO_QUIET or EINFO_VERBOSE to YES. False when `option` is none of them.
bool SetOutputOption(const std::string& option) noexcept;

std::string BaseName(std::string_view path) noexcept;

// The running binary (/proc/self/exe), or "" when /proc is not mounted.
std::string SelfExe() noexcept;

}  // namespace ctinit::openrc
