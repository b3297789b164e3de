// Exec*= lines -> the spec's commands (see translate.h, "Exec lines").
#include <string>
#include <vector>

#include "unit-compat/translator.h"

namespace ctinit::units::internal {

namespace {

// Variables only known when a step runs: a command that uses one is expanded then.
const char* const kRuntimeVars[] = {
    "MAINPID",           "SERVICE_RESULT",      "EXIT_CODE",
    "EXIT_STATUS",       "NOTIFY_SOCKET",       "LISTEN_FDS",
    "LISTEN_PID",        "LISTEN_FDNAMES",      "WATCHDOG_USEC",
    "WATCHDOG_PID",      "INVOCATION_ID",       "MONITOR_SERVICE_RESULT",
    "MONITOR_EXIT_CODE", "MONITOR_EXIT_STATUS", "MONITOR_INVOCATION_ID",
    "MONITOR_UNIT"};

bool UsesRuntimeVar(const std::vector<std::string>& argv) {
  for (const auto& a : argv)
    for (const char* v : kRuntimeVars) {
      std::string n(v);
      if (a == "$" + n || a.find("${" + n + "}") != std::string::npos) return true;
    }
  return false;
}

// The parsed lines of one Exec*= directive and the text each came from.
struct ExecLines {
  std::vector<ExecCommand> commands;
  std::vector<std::string> texts;
};

}  // namespace

bool Translator::ParseExec(const char* key, std::vector<ExecCommand>* out,
                           std::vector<std::string>* texts) {
  ExpandFn expand = [&](std::string_view s, std::string* err) {
    return ExpandSpecifiers(s, spec_ctx_, err);
  };
  for (const Assignment* a : List("Service", key)) {
    std::string err;
    bool fatal = false;
    size_t before = out->size();
    if (!ParseExecLine(a->value, expand, out, &err, &fatal)) {
      if (fatal) return Error(a, err);
      Warn(a, err + ", ignoring");
      continue;
    }
    for (size_t i = before; i < out->size(); ++i) texts->push_back(a->value);
  }
  return true;
}

Command Translator::ToCommand(const ExecCommand& c, const std::string& text) {
  Command cmd;
  cmd.text = text;
  cmd.ignore_failure = c.ignore_failure;
  cmd.full_privileges = c.full_privileges || c.no_setuid || c.ambient_magic;
  if (c.separate_argv0) cmd.path = c.path;
  if (c.no_env_expand) {
    cmd.argv = c.argv;
  } else if (UsesRuntimeVar(c.argv)) {
    // $MAINPID & co are known when the step runs: expand then, against the step's environment.
    cmd.argv = c.argv;
    cmd.argv_at_run = [raw = c.argv](const std::vector<std::string>& env) {
      auto argv = ExpandExecArgv(raw, env);
      return argv.empty() ? raw : argv;
    };
  } else {
    cmd.argv = ExpandExecArgv(c.argv, expand_env_);
    if (cmd.argv.empty()) cmd.argv = c.argv;  // "$EMPTY" alone: keep something to report
  }
  return cmd;
}

// Parses every Exec*= line first (a fatal one refuses the unit), checks the ExecStart= count
// against the type, then fills the steps.
bool Translator::Commands(bool oneshot, bool remain) {
  constexpr const char* kKeys[] = {"ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost",
                                   "ExecStop",      "ExecStopPost", "ExecReload"};
  ExecLines lines[std::size(kKeys)];
  for (size_t i = 0; i < std::size(kKeys); ++i)
    if (!ParseExec(kKeys[i], &lines[i].commands, &lines[i].texts)) return false;
  auto& [condition, pre, start, post, stop, stop_post, reload] = lines;
  if (!oneshot && start.commands.size() != 1)
    return Error(type_assignment_ ? type_assignment_ : Last("Service", "ExecStart"),
                 start.commands.empty()
                     ? "no ExecStart=, which only Type=oneshot services may lack"
                     : "more than one ExecStart=, which only Type=oneshot services may have");
  if (oneshot && start.commands.empty() && !remain && stop.commands.empty())
    return Error(nullptr, "no ExecStart= and no ExecStop=");

  ServiceSpec& s = t_.spec;
  // PermissionsStartOnly=yes: User= & co apply to ExecStart= only, the other steps run as root.
  bool steps_privileged = false;
  if (const Assignment* a = Last("Service", "PermissionsStartOnly"))
    steps_privileged = ParseBoolean(a->value).value_or(false);
  // A pointer, not the binding itself: clang 14 (the fuzz build) cannot capture a structured
  // binding in a lambda.
  const ExecLines* start_lines = &start;
  auto append = [&](const ExecLines& from, size_t count, std::vector<Command>* to) {
    for (size_t i = 0; i < count; ++i) {
      to->push_back(ToCommand(from.commands[i], from.texts[i]));
      to->back().full_privileges |= steps_privileged && &from != start_lines;
    }
  };
  append(condition, condition.commands.size(), &s.start_condition);
  append(pre, pre.commands.size(), &s.start_pre);
  if (start.commands.empty()) {
    s.command.argv = {"true"};
  } else {
    // Oneshot: all ExecStart= but the last run before it, after ExecStartPre=.
    append(start, start.commands.size() - 1, &s.start_pre);
    s.command = ToCommand(start.commands.back(), start.texts.back());
  }
  append(post, post.commands.size(), &s.start_post);
  append(stop, stop.commands.size(), &s.stop);
  append(stop_post, stop_post.commands.size(), &s.stop_post);
  append(reload, reload.commands.size(), &s.reload);
  return true;
}

}  // namespace ctinit::units::internal
