// A .socket unit -> SocketSpec (see translate.h, TranslateSocket()).
#include <cstdlib>
#include <string>
#include <vector>

#include "init/base/passwd.h"
#include "unit-compat/translate.h"

namespace ctinit::units {

namespace {

// One [Socket] assignment, its value with specifiers expanded, and where its warnings go.
struct SocketLine {
  const Assignment& a;
  const std::string& value;
  const TranslateContext& ctx;
  std::vector<Diagnostic>* diags;
  void Warn(const std::string& m) const {
    diags->push_back({a.file, a.line, "[Socket] " + a.key + ": " + m});
  }
};

// Returns false when the line makes the whole socket unusable.
using SocketHandler = bool (*)(const SocketLine& line, SocketSpec* sock);

bool Listen(const SocketLine& line, SocketSpec* sock) {
  using K = SocketSpec::Listen::Kind;
  const std::string& v = line.value;
  if (v[0] == '@' || v.find_first_of(" \t") != std::string::npos) {
    line.Warn("\"" + v + "\" is not supported by ctinit (abstract or netlink), ignoring");
    return true;
  }
  K k = line.a.key == "ListenStream"     ? K::kStream
        : line.a.key == "ListenDatagram" ? K::kDatagram
                                         : K::kSeqPacket;
  sock->listens.push_back({k, v});
  return true;
}

bool Accept(const SocketLine& line, SocketSpec* sock) {
  if (!ParseBoolean(line.value).value_or(false)) return true;
  line.diags->push_back({line.a.file, line.a.line,
                         "[Socket] Accept=yes is not supported by ctinit (only listening "
                         "sockets are passed); " +
                             sock->name + " is not used"});
  return false;
}

bool Owner(const SocketLine& line, SocketSpec* sock) {
  bool user = line.a.key == "SocketUser";
  std::string err;
  auto c = user ? passwd::Resolve(line.ctx.root, line.value, "", {}, &err)
                : passwd::Resolve(line.ctx.root, "0", line.value, {}, &err);
  if (!c) {
    line.Warn(err + ", ignoring");
  } else if (user) {
    sock->uid = c->uid;
    if (!sock->gid) sock->gid = c->gid;
  } else {
    sock->gid = c->gid;
  }
  return true;
}

bool Mode(const SocketLine& line, SocketSpec* sock) {
  if (auto m = ParseFileMode(line.value))
    sock->mode = *m;
  else
    line.Warn("invalid mode, ignoring");
  return true;
}

bool Backlog(const SocketLine& line, SocketSpec* sock) {
  char* end = nullptr;
  long b = std::strtol(line.value.c_str(), &end, 10);
  if (end && *end == '\0' && b > 0 && b < (1 << 20))
    sock->backlog = static_cast<int>(b);
  else
    line.Warn("invalid number, ignoring");
  return true;
}

bool Ignore(const SocketLine&, SocketSpec*) { return true; }

constexpr NamedValue<SocketHandler> kSocketDirectives[] = {
    {"ListenStream", Listen},
    {"ListenDatagram", Listen},
    {"ListenSequentialPacket", Listen},
    {"Accept", Accept},
    {"Service", [](const SocketLine& l, SocketSpec* s) { return s->service = l.value, true; }},
    {"SocketMode", Mode},
    {"SocketUser", Owner},
    {"SocketGroup", Owner},
    {"FileDescriptorName",
     [](const SocketLine& l, SocketSpec* s) { return s->fd_name = l.value, true; }},
    {"Backlog", Backlog},
    {"RemoveOnStop", Ignore},  // known, and nothing to warn about
    {"SocketProtocol", Ignore},
};

}  // namespace

std::optional<SocketSpec> TranslateSocket(const EnabledUnit& eu, const TranslateContext& ctx,
                                          std::vector<Diagnostic>* diags) noexcept {
  try {
    const LoadedUnit& u = eu.unit;
    auto spec_ctx = u.Specifiers(ctx.host);
    SocketSpec sock;
    sock.name = eu.name;
    sock.origin = u.fragment_path;
    auto parsed = ParseUnitName(eu.name);
    sock.service = (parsed ? parsed->prefix : eu.name) + ".service";
    for (const auto& a : u.file.assignments()) {
      if (a.section != "Socket" || a.value.empty()) continue;
      auto expanded = ExpandSpecifiers(a.value, spec_ctx);
      std::string v = expanded ? *expanded : a.value;
      SocketLine line{a, v, ctx, diags};
      if (auto handler = LookUpName(kSocketDirectives, a.key)) {
        if (!(*handler)(line, &sock)) return std::nullopt;
      } else {
        line.Warn("not supported by ctinit, ignoring");
      }
    }
    if (sock.listens.empty()) {
      diags->push_back({u.fragment_path, 0, eu.name + ": nothing to listen on; not used"});
      return std::nullopt;
    }
    return sock;
  } catch (const std::exception& e) {
    diags->push_back({eu.unit.fragment_path, 0, eu.name + ": " + e.what()});
  }
  return std::nullopt;
}

}  // namespace ctinit::units
