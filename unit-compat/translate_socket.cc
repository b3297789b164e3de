// A .socket unit -> SocketSpec (see translate.h, TranslateSocket()).
#include <cstdlib>
#include <string>
#include <vector>

#include "init/base/passwd.h"
#include "unit-compat/enable.h"
#include "unit-compat/load.h"
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
  // "@name" is an abstract UNIX address (kept as it is, the runtime binds it); a space means
  // netlink ("route 1") or another family ctinit does not open.
  if (v.find_first_of(" \t") != std::string::npos || v == "@") {
    line.Warn("\"" + v + "\" is not supported by ctinit (netlink), ignoring");
    return true;
  }
  K k = line.a.key == "ListenStream"     ? K::kStream
        : line.a.key == "ListenDatagram" ? K::kDatagram
                                         : K::kSeqPacket;
  sock->listens.push_back({k, v});
  return true;
}

bool Accept(const SocketLine& line, SocketSpec* sock) {
  if (auto b = ParseBoolean(line.value))
    sock->accept = *b;
  else
    line.Warn("invalid boolean, ignoring");
  return true;
}

bool Count(const SocketLine& line, SocketSpec* sock) {
  char* end = nullptr;
  long n = std::strtol(line.value.c_str(), &end, 10);
  bool per_source = line.a.key == "MaxConnectionsPerSource";
  if (!end || *end != '\0' || n < (per_source ? 0 : 1) || n > 65536) {
    line.Warn("invalid number, ignoring");
    return true;
  }
  (per_source ? sock->max_connections_per_source : sock->max_connections) = static_cast<int>(n);
  return true;
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
    {"MaxConnections", Count},
    {"MaxConnectionsPerSource", Count},
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

// The instance name an Accept=yes template is translated with at load time, to check it and
// report its warnings once: the real one (systemd's "N-LOCAL-PEER") exists only per connection.
constexpr const char* kConnectionInstance = "connection";

// The template `unit` (loaded under an instance name) translated as instance `id`: the same
// unit file, read once, with %i & co. of that instance. Its warnings were given at load time.
std::optional<ServiceSpec> TranslateInstance(const LoadedUnit& unit, const TranslateContext& ctx,
                                             const std::string& prefix, const std::string& id,
                                             std::string* err) {
  EnabledUnit eu;
  eu.name = prefix + "@" + id + ".service";
  if (!ParseUnitName(eu.name)) {
    *err = "\"" + eu.name + "\" is not a valid unit name";
    return std::nullopt;
  }
  eu.unit = unit;
  eu.unit.requested = eu.unit.id = eu.name;
  eu.unit.names = {eu.name};
  std::vector<Diagnostic> diags;
  TranslateOutcome outcome = TranslateOutcome::kOk;
  auto t = TranslateUnit(eu, ctx, &diags, &outcome);
  if (!t) {
    *err = diags.empty() ? "its service template is refused" : diags.back().message;
    return std::nullopt;
  }
  return std::move(t->spec);
}

// Accept=yes: the template NAME@.service, translated once as NAME@connection.service, becomes
// the socket's per_connection spec, and `instantiate` translates it again for each connection
// with its real instance. StandardInput=socket (and inherit/socket on stdout and stderr) put
// the connection on those streams, as systemd's service_fix_stdio() does.
bool AddPerConnectionTemplate(const LoadedUnit& sock_unit, const TranslateContext& ctx,
                              std::vector<Diagnostic>* diags, SocketSpec* sock) {
  auto refuse = [&](const std::string& why) {
    diags->push_back({sock_unit.fragment_path, 0, sock->name + ": " + why + "; not used"});
    return false;
  };
  for (const auto& l : sock->listens)
    if (l.kind == SocketSpec::Listen::Kind::kDatagram)
      return refuse("Accept=yes with a datagram socket (systemd refuses it too)");
  auto parsed = ParseUnitName(sock->name);
  std::string prefix = parsed ? parsed->prefix : sock->name;
  std::string name = prefix + "@" + kConnectionInstance + ".service";
  LoadedUnit unit = UnitLoader(ctx.root).Load(name);
  if (unit.state != LoadState::kLoaded)
    return refuse("its service template " + prefix + "@.service cannot be loaded");
  EnabledUnit eu;
  eu.name = unit.id;
  eu.unit = unit;
  std::vector<Diagnostic> own;
  TranslateOutcome outcome;
  auto t = TranslateUnit(eu, ctx, &own, &outcome);
  // The translator does not know the connection: its "socket is not supported" is ours.
  std::erase_if(own, [](const Diagnostic& d) {
    return d.message.find("\"socket\" is not supported") != std::string::npos;
  });
  diags->insert(diags->end(), own.begin(), own.end());
  if (!t) return refuse("its service template " + prefix + "@.service is refused");
  auto value = [&](const char* key) {
    const Assignment* a = unit.file.Last("Service", key);
    return a ? a->value : std::string("inherit");
  };
  sock->connection_on_stdin = value("StandardInput") == "socket";
  std::string out = value("StandardOutput"), err = value("StandardError");
  sock->connection_on_stdout = out == "socket" || (out == "inherit" && sock->connection_on_stdin);
  sock->connection_on_stderr = err == "socket" || (err == "inherit" && sock->connection_on_stdout);
  t->spec.name = prefix + "@.service";
  sock->service = t->spec.name;
  sock->per_connection = std::move(t->spec);
  // Kept by PID 1 for the socket's life: no pointer into the loader's state.
  TranslateContext kept = ctx;
  kept.probe = nullptr;
  sock->instantiate = [unit = std::move(unit), kept = std::move(kept), prefix](
                          const std::string& id, std::string* why) {
    return TranslateInstance(unit, kept, prefix, id, why);
  };
  return true;
}

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
    const Assignment* service_line = nullptr;
    for (const auto& a : u.file.assignments()) {
      if (a.section == "Socket" && a.key == "Service" && !a.value.empty()) service_line = &a;
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
    if (sock.accept && service_line) {
      diags->push_back({service_line->file, service_line->line,
                        "[Socket] Service= with Accept=yes (systemd refuses it too); " + eu.name +
                            " is not used"});
      return std::nullopt;
    }
    if (sock.accept && !AddPerConnectionTemplate(u, ctx, diags, &sock)) return std::nullopt;
    return sock;
  } catch (const std::exception& e) {
    diags->push_back({eu.unit.fragment_path, 0, eu.name + ": " + e.what()});
  }
  return std::nullopt;
}

}  // namespace ctinit::units
