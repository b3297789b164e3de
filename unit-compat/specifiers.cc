// Unit names and specifiers (see specifiers.h).
#include "unit-compat/specifiers.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "init/base/files.h"

namespace ctinit::units {

namespace {

constexpr std::string_view kTypes[] = {"service", "socket",    "target", "device",
                                       "mount",   "automount", "swap",   "timer",
                                       "path",    "slice",     "scope"};

bool ValidNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '-' || c == '_' || c == '.' || c == '\\';
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The first line without trailing blanks (a hand-edited /etc/machine-id may have some).
std::string ReadFirstLineTrimmed(const std::string& path) {
  std::string line = files::ReadFirstLine(path);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  return line;
}

// KEY=value files (os-release, machine-info); values may be quoted.
std::map<std::string, std::string> ReadKeyValues(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (in && std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos || line.empty() || line[0] == '#') continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && (v[0] == '"' || v[0] == '\'') && v.back() == v[0])
      v = v.substr(1, v.size() - 2);
    out[line.substr(0, eq)] = v;
  }
  return out;
}

std::string Architecture(const std::string& machine) {
  constexpr std::pair<std::string_view, std::string_view> kMap[] = {
      {"x86_64", "x86-64"},    {"i386", "x86"},      {"i486", "x86"},       {"i586", "x86"},
      {"i686", "x86"},         {"aarch64", "arm64"}, {"armv7l", "arm"},     {"armv6l", "arm"},
      {"ppc64le", "ppc64-le"}, {"s390x", "s390x"},   {"riscv64", "riscv64"}};
  for (const auto& [m, a] : kMap)
    if (machine == m) return std::string(a);
  return machine;
}

}  // namespace

std::string UnitName::Full() const { return prefix + (has_at ? "@" + instance : "") + "." + type; }
std::string UnitName::TemplateName() const { return prefix + "@." + type; }

std::optional<UnitName> ParseUnitName(std::string_view name) {
  if (name.empty() || name.size() > 255) return std::nullopt;
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  UnitName n;
  n.type = std::string(name.substr(dot + 1));
  bool known = false;
  for (auto t : kTypes) known = known || n.type == t;
  if (!known) return std::nullopt;
  std::string_view stem = name.substr(0, dot);
  size_t at = stem.find('@');
  n.has_at = at != std::string_view::npos;
  n.prefix = std::string(stem.substr(0, at));
  if (n.has_at) n.instance = std::string(stem.substr(at + 1));
  if (n.prefix.empty()) return std::nullopt;
  for (char c : n.prefix)
    if (!ValidNameChar(c)) return std::nullopt;
  for (char c : n.instance)
    if (!ValidNameChar(c) && c != '@') return std::nullopt;
  return n;
}

std::string UnitNameUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') {
      out += '/';
    } else if (s[i] == '\\' && i + 3 < s.size() + 0 && s[i + 1] == 'x' && Hex(s[i + 2]) >= 0 &&
               Hex(s[i + 3]) >= 0) {
      out += static_cast<char>(Hex(s[i + 2]) * 16 + Hex(s[i + 3]));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// As systemd's unit_name_path_unescape: the result must be a normalised absolute path, so that
// an instance name such as "-..-etc" cannot point a %f setting outside where the unit expects.
std::optional<std::string> UnitNamePathUnescape(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s == "-") return "/";
  std::string w = UnitNameUnescape(s);
  // Leading or trailing slashes, empty, "." or ".." components, and (from \x00) a NUL byte.
  if (!files::IsNormalisedRelativePath(w) || w.find('\0') != std::string::npos) return std::nullopt;
  return "/" + w;
}

std::string UnitNameEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == '/') {
      out += '-';
    } else if (c == '-' || c == '\\' || !ValidNameChar(c) || (c == '.' && i == 0)) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::map<char, std::string> HostSpecifiers(const std::string& root) {
  std::map<char, std::string> h;
  struct utsname u {};
  if (uname(&u) == 0) {
    h['H'] = u.nodename;
    h['v'] = u.release;
    h['a'] = Architecture(u.machine);
  }
  std::string& host = h['H'];
  h['l'] = host.substr(0, host.find('.'));
  auto info = ReadKeyValues(root + "/etc/machine-info");
  h['q'] = info.count("PRETTY_HOSTNAME") ? info["PRETTY_HOSTNAME"] : host;
  h['m'] = ReadFirstLineTrimmed(root + "/etc/machine-id");
  std::string boot = ReadFirstLineTrimmed("/proc/sys/kernel/random/boot_id");
  std::erase(boot, '-');
  h['b'] = boot;
  auto os = ReadKeyValues(root + "/etc/os-release");
  if (os.empty()) os = ReadKeyValues(root + "/usr/lib/os-release");
  h['o'] = os["ID"];
  h['w'] = os["VERSION_ID"];
  h['W'] = os["VARIANT_ID"];
  h['B'] = os["BUILD_ID"];
  h['M'] = os["IMAGE_ID"];
  h['A'] = os["IMAGE_VERSION"];
  h['u'] = "root";
  h['U'] = "0";
  h['g'] = "root";
  h['G'] = "0";
  h['h'] = "/root";
  h['s'] = "/bin/sh";
  h['t'] = "/run";
  h['T'] = "/tmp";
  h['V'] = "/var/tmp";
  h['E'] = "/etc";
  h['S'] = "/var/lib";
  h['C'] = "/var/cache";
  h['L'] = "/var/log";
  h['D'] = "/usr/share";
  return h;
}

std::optional<std::string> ExpandSpecifiers(std::string_view text, const SpecifierContext& ctx,
                                            std::string* err) {
  auto name = ParseUnitName(ctx.id);
  auto fail = [&](std::string m) -> std::optional<std::string> {
    if (err) *err = std::move(m);
    return std::nullopt;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (++i >= text.size()) return fail("'%' at the end of \"" + std::string(text) + "\"");
    char c = text[i];
    std::string prefix = name ? name->prefix : "";
    std::string instance = name ? name->instance : "";
    std::string last =
        prefix.substr(prefix.rfind('-') == std::string::npos ? 0 : prefix.rfind('-') + 1);
    switch (c) {
      case '%':
        out += '%';
        break;
      case 'n':
        out += ctx.id;
        break;
      case 'N':
        out += ctx.id.substr(0, ctx.id.rfind('.'));
        break;
      case 'p':
        out += prefix;
        break;
      case 'P':
        out += UnitNameUnescape(prefix);
        break;
      case 'i':
        out += instance;
        break;
      case 'I':
        out += UnitNameUnescape(instance);
        break;
      case 'j':
        out += last;
        break;
      case 'J':
        out += UnitNameUnescape(last);
        break;
      case 'f': {
        auto f = UnitNamePathUnescape(instance.empty() ? prefix : instance);
        if (!f) return fail("cannot turn \"" + ctx.id + "\" into a path for %f");
        out += *f;
        break;
      }
      case 'y':
        out += ctx.fragment_path;
        break;
      case 'Y': {
        size_t slash = ctx.fragment_path.rfind('/');
        out += slash == std::string::npos ? "" : ctx.fragment_path.substr(0, slash ? slash : 1);
        break;
      }
      case 'd':
        out += "/run/credentials/" + ctx.id;
        break;
      default: {
        auto it = ctx.host.find(c);
        if (it == ctx.host.end())
          return fail("unknown specifier '%" + std::string(1, c) + "' in \"" + std::string(text) +
                      "\"");
        out += it->second;
      }
    }
  }
  return out;
}

}  // namespace ctinit::units
