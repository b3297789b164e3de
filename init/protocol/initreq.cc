#include "init/protocol/initreq.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace ctinit {
namespace {

// Our own copy of sysvinit's struct init_request (not its header). Every field is naturally
// aligned, so the layout has no padding; the asserts pin it to the wire format.
struct WireRequest {
  int32_t magic;
  int32_t cmd;
  int32_t runlevel;
  int32_t sleeptime;
  char data[kInitRequestDataSize];
};
static_assert(sizeof(WireRequest) == kInitRequestSize);
static_assert(offsetof(WireRequest, magic) == 0);
static_assert(offsetof(WireRequest, cmd) == 4);
static_assert(offsetof(WireRequest, runlevel) == 8);
static_assert(offsetof(WireRequest, sleeptime) == 12);
static_assert(offsetof(WireRequest, data) == 16);

enum WireCmd : int32_t {
  kCmdStart = 0,
  kCmdRunlevel = 1,
  kCmdPowerFail = 2,
  kCmdPowerFailNow = 3,
  kCmdPowerOk = 4,
  kCmdBsd = 5,
  kCmdSetEnv = 6,
  kCmdUnsetEnv = 7,
};

std::array<unsigned char, kInitRequestSize> ToBytes(const WireRequest& w) {
  std::array<unsigned char, kInitRequestSize> out;
  std::memcpy(out.data(), &w, sizeof(w));
  return out;
}

// Parses "KEY=VAL\0KEY\0...\0\0". The list ends at an empty entry or at the end of the area; an
// entry that runs into the end without a NUL makes the whole request bogus.
bool DecodeSetEnv(const char* data, InitRequest* out, std::string* err) {
  std::string skipped;
  size_t pos = 0;
  while (pos < kInitRequestDataSize && data[pos] != '\0') {
    const void* nul = std::memchr(data + pos, '\0', kInitRequestDataSize - pos);
    if (nul == nullptr) {
      *err = "got bogus initrequest: SETENV data not NUL-terminated";
      return false;
    }
    std::string_view entry(data + pos, static_cast<const char*>(nul) - (data + pos));
    pos += entry.size() + 1;
    size_t eq = entry.find('=');
    std::string_view name = entry.substr(0, eq);
    if (!name.starts_with("INIT_")) {
      skipped += skipped.empty() ? "" : ", ";
      // Names go into a log line: keep it one printable line.
      for (char c : name.substr(0, 64)) skipped += (c >= 0x20 && c < 0x7f) ? c : '?';
      continue;
    }
    std::optional<std::string> value;
    if (eq != std::string_view::npos) value = std::string(entry.substr(eq + 1));
    out->env.emplace_back(std::string(name), std::move(value));
  }
  if (!skipped.empty()) *err = "initrequest SETENV: ignored non-INIT_ variables: " + skipped;
  return true;
}

}  // namespace

bool DecodeInitRequest(const void* data, size_t n, InitRequest* out, std::string* err) {
  err->clear();
  if (n != kInitRequestSize || data == nullptr) {
    *err = "got bogus initrequest: " + std::to_string(n) + " bytes";
    return false;
  }
  WireRequest w;
  std::memcpy(&w, data, sizeof(w));
  if (w.magic != kInitMagic) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "got bogus initrequest: bad magic 0x%08x",
                  static_cast<unsigned>(w.magic));
    *err = buf;
    return false;
  }
  InitRequest req;
  req.sleeptime = w.sleeptime < 0 ? 0 : w.sleeptime;
  switch (w.cmd) {
    case kCmdRunlevel:
      if (w.runlevel <= 0 || w.runlevel > 255) {
        *err = "got bogus initrequest: runlevel " + std::to_string(w.runlevel);
        return false;
      }
      req.cmd = InitRequest::Cmd::kRunlevel;
      req.runlevel = static_cast<char>(w.runlevel);
      break;
    case kCmdPowerFail:
      req.cmd = InitRequest::Cmd::kPowerFail;
      break;
    case kCmdPowerFailNow:
      req.cmd = InitRequest::Cmd::kPowerFailNow;
      break;
    case kCmdPowerOk:
      req.cmd = InitRequest::Cmd::kPowerOk;
      break;
    case kCmdSetEnv:
      req.cmd = InitRequest::Cmd::kSetEnv;
      req.sleeptime = 0;
      if (!DecodeSetEnv(w.data, &req, err)) return false;
      break;
    case kCmdStart:
    case kCmdBsd:
    case kCmdUnsetEnv:
    default:
      *err = "got unimplemented initrequest: cmd " + std::to_string(w.cmd);
      return false;
  }
  *out = std::move(req);
  return true;
}

std::array<unsigned char, kInitRequestSize> EncodeRunlevel(char level, int sleeptime) {
  WireRequest w{};
  w.magic = kInitMagic;
  w.cmd = kCmdRunlevel;
  w.runlevel = static_cast<unsigned char>(level);
  w.sleeptime = sleeptime;
  return ToBytes(w);
}

std::array<unsigned char, kInitRequestSize> EncodeSetEnv(
    const std::vector<std::string>& assignments) {
  WireRequest w{};
  w.magic = kInitMagic;
  w.cmd = kCmdSetEnv;
  size_t pos = 0;
  for (const std::string& a : assignments) {
    // Stop at an embedded NUL: the rest could not be told apart from the next entry.
    std::string_view entry(a.c_str());
    if (entry.empty()) continue;
    // Keep room for this entry's NUL and the list's final NUL.
    if (pos + entry.size() + 2 > kInitRequestDataSize) continue;
    std::memcpy(w.data + pos, entry.data(), entry.size());
    pos += entry.size() + 1;
  }
  return ToBytes(w);
}

bool SetEnvFits(const std::vector<std::string>& assignments) {
  size_t need = 1;
  for (const std::string& a : assignments) {
    size_t len = std::string_view(a.c_str()).size();
    if (len != 0) need += len + 1;
  }
  return need <= kInitRequestDataSize;
}

}  // namespace ctinit
