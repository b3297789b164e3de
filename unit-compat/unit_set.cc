// Root directory -> ServiceSet (see unit_set.h).
#include "unit-compat/unit_set.h"

#include <algorithm>
#include <memory>
#include <set>

namespace ctinit::units {

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void Build(const UnitSetOptions& opt, UnitSet* out) {
  Enablement en = ComputeEnablement(opt.root, opt.enable);
  auto& diags = out->set.diagnostics;
  diags = en.diagnostics;
  out->left_out = en.left_out;
  out->set.default_level = en.default_level;

  std::unique_ptr<ConditionProbe> own_probe;
  TranslateContext ctx;
  ctx.root = opt.root;
  ctx.host = HostSpecifiers(opt.root);
  ctx.manager_env = opt.manager_env;
  ctx.probe = opt.probe;
  if (opt.runtime_conditions) {
    ctx.runtime_probe = MakeSystemProbe(opt.root, opt.manager_env);
  } else if (!ctx.probe) {
    own_probe = MakeSystemProbe(opt.root, opt.manager_env);
    ctx.probe = own_probe.get();
  }
  for (const auto& u : en.units)
    for (const auto& n : u.unit.names) ctx.canonical[n] = u.name;

  std::vector<TranslatedUnit> units;
  std::map<std::string, size_t> index;
  std::set<std::string> failed, not_met;
  // Strict mode: the files every warning so far names (loading, enablement).
  auto files_of = [](const EnabledUnit& eu) {
    std::vector<std::string> f = eu.unit.dropin_paths;
    if (!eu.unit.fragment_path.empty()) f.push_back(eu.unit.fragment_path);
    return f;
  };
  auto warned = [&](const EnabledUnit& eu, size_t from) -> const Diagnostic* {
    auto files = files_of(eu);
    for (size_t i = from; i < diags.size(); ++i)
      if (Contains(files, diags[i].file)) return &diags[i];
    return nullptr;
  };
  for (const auto& eu : en.units) {
    auto kind = ParseUnitName(eu.name);
    if (kind && kind->type == "socket") {
      size_t mark = diags.size();
      auto sock = TranslateSocket(eu, ctx, &diags);
      if (opt.strict && (warned(eu, 0) || diags.size() > mark)) {
        out->left_out[eu.name] = "strict mode: its unit file has warnings";
        diags.push_back({eu.unit.fragment_path, 0, eu.name + ": not used: strict mode"});
        continue;
      }
      if (sock && !eu.levels.empty()) out->set.sockets.push_back(std::move(*sock));
      continue;
    }
    TranslateOutcome outcome;
    auto t = TranslateUnit(eu, ctx, &diags, &outcome);
    if (t && opt.strict && warned(eu, 0)) {
      const Diagnostic* d = warned(eu, 0);
      diags.push_back({d->file, d->line,
                       eu.name + ": not started: strict mode makes the warning above an error"});
      t.reset();
      outcome = TranslateOutcome::kRefused;
    }
    if (!t) {
      (outcome == TranslateOutcome::kConditionFailed ? not_met : failed).insert(eu.name);
      out->left_out[eu.name] =
          outcome == TranslateOutcome::kConditionFailed ? "a condition is not met"
          : outcome == TranslateOutcome::kAssertFailed  ? "an assertion failed"
                                                        : "its unit file is refused";
      continue;
    }
    t->spec.trigger = eu.levels.empty() ? Trigger::kManual
                      : eu.sysinit && (t->spec.kind == Kind::kTask || t->extras.is_target)
                          ? Trigger::kSysInit
                          : Trigger::kRunlevel;
    index[t->spec.name] = units.size();
    units.push_back(std::move(*t));
  }

  // Before= inversion and the targets' implicit After=.
  for (const auto& t : units)
    for (const auto& b : t.extras.before)
      if (auto it = index.find(b); it != index.end()) {
        auto& after = units[it->second].spec.after;
        if (!Contains(after, t.spec.name)) after.push_back(t.spec.name);
      }
  for (const auto& eu : en.units) {
    auto ti = index.find(eu.name);
    if (ti == index.end() || !units[ti->second].extras.is_target ||
        !units[ti->second].extras.default_dependencies)
      continue;
    std::vector<UnitRef> deps = eu.wants;
    deps.insert(deps.end(), eu.required.begin(), eu.required.end());
    for (const auto& d : deps) {
      std::string id = ctx.canonical.count(d.name) ? ctx.canonical[d.name] : d.name;
      auto ui = index.find(id);
      if (ui == index.end() || id == eu.name) continue;
      TranslatedUnit& target = units[ti->second];
      const TranslatedUnit& dep = units[ui->second];
      if (!dep.extras.default_dependencies || Contains(dep.spec.after, eu.name) ||
          Contains(target.extras.before, id))
        continue;
      if (!Contains(target.spec.after, id)) target.spec.after.push_back(id);
    }
  }

  // Failure propagation through `needs`.
  std::vector<bool> dropped(units.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < units.size(); ++i) {
      if (dropped[i]) continue;
      for (const auto& n : units[i].spec.needs) {
        auto it = index.find(n);
        bool bad = failed.count(n) || (it != index.end() && dropped[it->second]);
        if (!bad) continue;
        dropped[i] = changed = true;
        failed.insert(units[i].spec.name);
        out->left_out[units[i].spec.name] = "it needs " + n + ", which failed";
        diags.push_back({units[i].spec.origin, 0,
                         units[i].spec.name + ": not started: it needs " + n + ", which failed"});
        break;
      }
    }
  }
  for (size_t i = 0; i < units.size(); ++i)
    std::erase_if(units[i].spec.needs, [&](const std::string& n) {
      auto it = index.find(n);
      return it == index.end() || dropped[it->second];
    });

  // Topological order of `after` (Kahn), ties by discovery order; cycles keep discovery order.
  std::vector<size_t> order;
  std::vector<bool> placed(units.size(), false);
  const size_t live = units.size() - std::count(dropped.begin(), dropped.end(), true);
  while (order.size() < live) {
    bool progress = false;
    for (size_t i = 0; i < units.size(); ++i) {
      if (placed[i] || dropped[i]) continue;
      bool ready = true;
      for (const auto& a : units[i].spec.after) {
        auto it = index.find(a);
        if (it != index.end() && !placed[it->second] && !dropped[it->second] && it->second != i) {
          ready = false;
          break;
        }
      }
      if (!ready) continue;
      placed[i] = progress = true;
      order.push_back(i);
      break;  // restart from the front: earliest discovered ready unit first
    }
    if (!progress) {  // a cycle: take the first unplaced unit as it is
      for (size_t i = 0; i < units.size(); ++i)
        if (!placed[i] && !dropped[i]) {
          placed[i] = true;
          order.push_back(i);
          diags.push_back({units[i].spec.origin, 0,
                           units[i].spec.name + ": ordering cycle through After=/Before="});
          break;
        }
    }
  }
  for (size_t i : order) {
    out->extras[units[i].spec.name] = std::move(units[i].extras);
    out->set.services.push_back(std::move(units[i].spec));
  }
}

}  // namespace

UnitSet LoadUnitSet(const UnitSetOptions& options) noexcept {
  UnitSet out;
  try {
    Build(options, &out);
  } catch (const std::exception& e) {
    out.set.diagnostics.push_back({options.root, 0, std::string("systemd units: ") + e.what()});
  } catch (...) {
    out.set.diagnostics.push_back({options.root, 0, "systemd units: loading failed"});
  }
  return out;
}

}  // namespace ctinit::units
