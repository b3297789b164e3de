// `systemctl [--root=DIR] verify [UNIT...]`: ctinit's unit front end over a root without booting
// (what `systemd-analyze verify` is for systemd). Each unit is loaded (fragment and drop-ins) and
// translated as PID 1 would (translate.h); conditions are not evaluated. Every diagnostic is
// printed ("file:line: [Section] Directive: message"), a unit that does not load or translate
// gets a "NAME: FAILED" line, and a last line counts them:
//   "N units checked, W warnings, F failed"; exit 1 when F > 0.
// Without UNIT: every .service and .socket file in the search path (symlinks, i.e. aliases and
// masks, are their unit's business). A template is checked as its instance NAME@verify.
#include <ostream>

#include "init/base/files.h"
#include "unit-compat/clients/systemctl_ctl.h"
#include "unit-compat/translate.h"

namespace ctinit::units::systemctl_internal {

namespace {

std::vector<std::string> ServiceAndSocketFiles(const std::string& root) {
  std::set<std::string> names;
  for (const auto& dir : DefaultSearchPath())
    for (const auto& e : files::ListDir(files::Under(root, dir))) {
      auto parsed = ParseUnitName(e);
      if (!parsed || (parsed->type != "service" && parsed->type != "socket")) continue;
      std::string path = files::Under(root, dir + "/" + e);
      if (!files::IsSymlink(path)) names.insert(e);
    }
  return {names.begin(), names.end()};
}

// False when the unit would be left out of the boot for its own files.
bool Translates(const LoadedUnit& u, const TranslateContext& ctx, std::vector<Diagnostic>* diags) {
  EnabledUnit eu;
  eu.name = u.id;
  eu.unit = u;
  auto parsed = ParseUnitName(u.id);
  if (parsed && parsed->type == "socket") return TranslateSocket(eu, ctx, diags).has_value();
  TranslateOutcome outcome = TranslateOutcome::kOk;
  bool ok = TranslateUnit(eu, ctx, diags, &outcome).has_value();
  return ok || outcome == TranslateOutcome::kConditionFailed;
}

}  // namespace

int Ctl::Verify(const std::vector<std::string>& units) {
  std::string root = root_.empty() ? "/" : root_;
  std::vector<std::string> names = units.empty() ? ServiceAndSocketFiles(root) : units;
  UnitLoader loader = Loader();
  TranslateContext ctx;
  ctx.root = root;
  ctx.host = HostSpecifiers(root);
  ctx.manager_env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  size_t warnings = 0, failed = 0;
  for (const auto& name : names) {
    auto parsed = ParseUnitName(name);
    LoadedUnit u;
    if (parsed)
      u = loader.Load(parsed->IsTemplate() ? parsed->prefix + "@verify." + parsed->type : name);
    std::vector<Diagnostic> diags;
    for (const auto& d : u.diagnostics) diags.push_back(d.ToDiagnostic());
    bool ok = u.state == LoadState::kLoaded && Translates(u, ctx, &diags);
    if (u.state == LoadState::kNotFound || u.state == LoadState::kMasked)
      diags.push_back({name, 0, u.state == LoadState::kMasked ? "masked" : "not found"});
    for (const auto& d : diags) out_ << d.ToString() << "\n";
    warnings += diags.size();
    if (!ok) {
      out_ << name << ": FAILED\n";
      ++failed;
    }
  }
  out_ << names.size() << " units checked, " << warnings << " warnings, " << failed << " failed\n";
  return failed ? 1 : 0;
}

}  // namespace ctinit::units::systemctl_internal
