#include "openrc-shim/applets/einfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include <climits>
#include <cstring>

namespace ctinit::openrc {
namespace {

void Put(FILE* f, const std::string& text) {
  fprintf(f, " * %s\n", text.c_str());
  fflush(f);
}

}  // namespace

bool YesNo(std::string_view v) noexcept {
  for (const char* y : {"yes", "true", "on", "1"}) {
    if (v.size() == strlen(y) && strncasecmp(v.data(), y, v.size()) == 0) return true;
  }
  return false;
}

bool EnvYes(const char* name) noexcept {
  const char* v = getenv(name);
  return v != nullptr && YesNo(v);
}

bool SetOutputOption(const std::string& option) noexcept {
  const char* name = option == "-d" || option == "--debug"     ? "RC_DEBUG"
                     : option == "-q" || option == "--quiet"   ? "EINFO_QUIET"
                     : option == "-v" || option == "--verbose" ? "EINFO_VERBOSE"
                                                               : nullptr;
  if (name != nullptr) setenv(name, "YES", 1);
  return name != nullptr;
}

void EInfo(const std::string& text) noexcept {
  if (!EnvYes("EINFO_QUIET")) Put(stdout, text);
}
void EWarn(const std::string& text) noexcept {
  fflush(stdout);
  Put(stderr, text);
}
void EError(const std::string& text) noexcept {
  fflush(stdout);
  Put(stderr, text);
}
void VEInfo(const std::string& text) noexcept {
  if (EnvYes("EINFO_VERBOSE")) EInfo(text);
}

std::string BaseName(std::string_view path) noexcept {
  try {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
  } catch (...) {
  }
  return "";
}

std::string SelfExe() noexcept {
  try {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0) return "";
    return std::string(buf, static_cast<size_t>(n));
  } catch (...) {
  }
  return "";
}

}  // namespace ctinit::openrc
