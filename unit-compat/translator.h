// The translator of one unit (translate.h), shared by translate*.cc; not part of the front end's
// API. One Translator reads one unit and fills one TranslatedUnit; its methods are grouped by
// what they fill:
//   translate.cc          Run(): identity, [Unit] relations, conditions, type and kind, restart,
//                         timeouts, exit statuses, start limit
//   translate_exec.cc     Exec*= lines -> Command
//   translate_process.cc  the process context: credentials, directories, environment, stdio,
//                         and the directives that set one field each (a table)
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "unit-compat/specifiers.h"
#include "unit-compat/translate.h"

namespace ctinit::units::internal {

// Appends `s` unless it is already there (relation lists keep their first order).
void AddOnce(std::vector<std::string>& v, const std::string& s);

// A parsed time span as the model's milliseconds, rounded up; 0 and infinity both become 0.
std::chrono::milliseconds ToMs(Usec u);

class Translator {
 public:
  Translator(const EnabledUnit& u, const TranslateContext& ctx, std::vector<Diagnostic>* diags)
      : eu_(u), u_(u.unit), ctx_(ctx), diags_(diags), spec_ctx_(u.unit.Specifiers(ctx.host)) {}

  std::optional<TranslatedUnit> Run(TranslateOutcome* outcome);

 private:
  // Reading the unit: the last non-empty assignment, all assignments, words with specifiers
  // expanded.
  const Assignment* Last(const char* section, const char* key) const;
  std::vector<const Assignment*> List(const char* section, const char* key) const {
    return u_.file.List(section, key);
  }
  std::string Expand(const Assignment* a, std::string_view text);
  std::vector<std::string> Words(const Assignment* a);
  std::vector<std::string> AllWords(const char* section, const char* key);
  std::string Canonical(const std::string& n) const;
  // Diagnostics: a warning names file:line and the directive; an error also says the unit is
  // not started and returns false, so that `return Error(...)` refuses the unit.
  void Warn(const Assignment* a, const std::string& msg);
  bool Error(const Assignment* a, const std::string& msg);

  // translate.cc
  void Identity();
  void Relations(const std::string& type);
  void RequiredUnits();
  bool Conditions(TranslateOutcome* outcome);
  void RuntimeConditions(const std::vector<Condition>& conds);
  void Target();
  bool Service();
  std::optional<ServiceType> TypeOf();
  bool RestartSettings(bool oneshot);
  void ReadinessOf(ServiceType type);
  void Timeouts(bool oneshot);
  void ExitStatuses();
  void StartLimit();

  // translate_exec.cc
  bool Commands(bool oneshot, bool remain);
  bool ParseExec(const char* key, std::vector<ExecCommand>* out, std::vector<std::string>* texts);
  Command ToCommand(const ExecCommand& c, const std::string& text);

  // translate_process.cc
  bool Credentials();
  EnvList Directories();
  bool Environment();
  bool EnvironmentFiles();
  void UnsetEnvironment();
  void MergeDirectoryEnv(const EnvList& dir_env);
  void Stdio();
  StdioTarget Output(const char* key, StdioTarget dflt, bool dflt_tag, bool* tag);
  void ProcessDirectives();
  void Limits();
  void StopDirectives();
  void NotAppliedSummary();

  const EnabledUnit& eu_;
  const LoadedUnit& u_;
  const TranslateContext& ctx_;
  std::vector<Diagnostic>* diags_;
  SpecifierContext spec_ctx_;
  TranslatedUnit t_;
  const Assignment* type_assignment_ = nullptr;  // Type=, named by type-related errors
  std::string log_name_;  // SyslogIdentifier=, else the name without its type
  EnvList expand_env_;    // what $VAR in command lines sees
};

}  // namespace ctinit::units::internal
