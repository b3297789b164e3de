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

// The translated units of one load, indexed by name, with what failed or was skipped.
struct Translated {
  std::vector<TranslatedUnit> units;
  std::map<std::string, size_t> index;  // service name -> position in `units`
  std::set<std::string> failed;         // refused or assert failed (a skipped unit counts as done)
  const TranslatedUnit* Find(const std::string& name) const {
    auto it = index.find(name);
    return it == index.end() ? nullptr : &units[it->second];
  }
};

// The context every unit is translated in; *own_probe keeps a probe made here alive.
TranslateContext MakeContext(const UnitSetOptions& opt, const Enablement& en,
                             std::unique_ptr<ConditionProbe>* own_probe) {
  TranslateContext ctx;
  ctx.root = opt.root;
  ctx.host = HostSpecifiers(opt.root);
  ctx.manager_env = opt.manager_env;
  ctx.probe = opt.probe;
  if (opt.runtime_conditions) {
    ctx.runtime_probe = MakeSystemProbe(opt.root, opt.manager_env);
  } else if (!ctx.probe) {
    *own_probe = MakeSystemProbe(opt.root, opt.manager_env);
    ctx.probe = own_probe->get();
  }
  for (const auto& u : en.units)
    for (const auto& n : u.unit.names) ctx.canonical[n] = u.name;
  return ctx;
}

// Strict mode: the first diagnostic that names one of the unit's files.
const Diagnostic* FirstWarningAbout(const EnabledUnit& eu, const std::vector<Diagnostic>& diags) {
  std::vector<std::string> files = eu.unit.dropin_paths;
  if (!eu.unit.fragment_path.empty()) files.push_back(eu.unit.fragment_path);
  for (const auto& d : diags)
    if (Contains(files, d.file)) return &d;
  return nullptr;
}

// An enabled .socket unit -> out->set.sockets.
void AddSocket(const EnabledUnit& eu, const TranslateContext& ctx, bool strict, UnitSet* out) {
  auto& diags = out->set.diagnostics;
  size_t mark = diags.size();
  auto sock = TranslateSocket(eu, ctx, &diags);
  if (strict && (FirstWarningAbout(eu, diags) || diags.size() > mark)) {
    out->left_out[eu.name] = "strict mode: its unit file has warnings";
    diags.push_back({eu.unit.fragment_path, 0, eu.name + ": not used: strict mode"});
    return;
  }
  if (!sock || eu.levels.empty()) return;
  // Service= (or the socket's own name) may be an alias: syslog.socket starts syslog.service,
  // which is rsyslog.service's Alias=.
  if (auto c = ctx.canonical.find(sock->service); c != ctx.canonical.end())
    sock->service = c->second;
  out->set.sockets.push_back(std::move(*sock));
}

// Step 2 and 4 of unit_set.h: every unit translated, with its trigger.
Translated TranslateAll(const Enablement& en, const TranslateContext& ctx, bool strict,
                        UnitSet* out) {
  Translated tr;
  auto& diags = out->set.diagnostics;
  for (const auto& eu : en.units) {
    auto kind = ParseUnitName(eu.name);
    if (kind && kind->type == "socket") {
      AddSocket(eu, ctx, strict, out);
      continue;
    }
    TranslateOutcome outcome;
    auto t = TranslateUnit(eu, ctx, &diags, &outcome);
    if (t && strict) {
      if (const Diagnostic* d = FirstWarningAbout(eu, diags)) {
        diags.push_back({d->file, d->line,
                         eu.name + ": not started: strict mode makes the warning above an error"});
        t.reset();
        outcome = TranslateOutcome::kRefused;
      }
    }
    if (!t) {
      bool skipped = outcome == TranslateOutcome::kConditionFailed;
      if (!skipped) tr.failed.insert(eu.name);
      out->left_out[eu.name] = skipped ? "a condition is not met"
                               : outcome == TranslateOutcome::kAssertFailed
                                   ? "an assertion failed"
                                   : "its unit file is refused";
      continue;
    }
    t->spec.trigger = eu.levels.empty() ? Trigger::kManual
                      : eu.sysinit && (t->spec.kind == Kind::kTask || t->ordering.is_target)
                          ? Trigger::kSysInit
                          : Trigger::kRunlevel;
    tr.index[t->spec.name] = tr.units.size();
    tr.units.push_back(std::move(*t));
  }
  return tr;
}

// Before= inversion.
void InvertBefore(Translated& tr) {
  for (const auto& t : tr.units)
    for (const auto& b : t.ordering.before)
      if (auto it = tr.index.find(b); it != tr.index.end()) {
        auto& after = tr.units[it->second].spec.after;
        if (!Contains(after, t.spec.name)) after.push_back(t.spec.name);
      }
}

// A target with DefaultDependencies=yes is ordered after what it wants or requires.
void OrderTargetsAfterTheirUnits(const Enablement& en, const TranslateContext& ctx,
                                 Translated& tr) {
  for (const auto& eu : en.units) {
    auto ti = tr.index.find(eu.name);
    if (ti == tr.index.end()) continue;
    TranslatedUnit& target = tr.units[ti->second];
    if (!target.ordering.is_target || !target.ordering.default_dependencies) continue;
    std::vector<UnitRef> deps = eu.wants;
    deps.insert(deps.end(), eu.required.begin(), eu.required.end());
    for (const auto& d : deps) {
      auto ci = ctx.canonical.find(d.name);
      std::string id = ci != ctx.canonical.end() ? ci->second : d.name;
      const TranslatedUnit* dep = tr.Find(id);
      if (!dep || id == eu.name) continue;
      if (!dep->ordering.default_dependencies || Contains(dep->spec.after, eu.name) ||
          Contains(target.ordering.before, id))
        continue;
      if (!Contains(target.spec.after, id)) target.spec.after.push_back(id);
    }
  }
}

// Failure propagation through `needs`, transitively; returns which units are dropped.
std::vector<bool> DropDependentsOfFailed(Translated& tr, UnitSet* out) {
  auto& units = tr.units;
  std::vector<bool> dropped(units.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < units.size(); ++i) {
      if (dropped[i]) continue;
      for (const auto& n : units[i].spec.needs) {
        auto it = tr.index.find(n);
        bool bad = tr.failed.count(n) || (it != tr.index.end() && dropped[it->second]);
        if (!bad) continue;
        dropped[i] = changed = true;
        tr.failed.insert(units[i].spec.name);
        out->left_out[units[i].spec.name] = "it needs " + n + ", which failed";
        out->set.diagnostics.push_back(
            {units[i].spec.origin, 0,
             units[i].spec.name + ": not started: it needs " + n + ", which failed"});
        break;
      }
    }
  }
  for (auto& u : units)
    std::erase_if(u.spec.needs, [&](const std::string& n) {
      auto it = tr.index.find(n);
      return it == tr.index.end() || dropped[it->second];
    });
  return dropped;
}

// Topological order of `after` (Kahn), ties by discovery order; cycles keep discovery order.
std::vector<size_t> BootOrder(const Translated& tr, const std::vector<bool>& dropped,
                              std::vector<Diagnostic>* diags) {
  const auto& units = tr.units;
  std::vector<size_t> order;
  std::vector<bool> placed(units.size(), false);
  auto ready = [&](size_t i) {
    for (const auto& a : units[i].spec.after) {
      auto it = tr.index.find(a);
      if (it != tr.index.end() && !placed[it->second] && !dropped[it->second] && it->second != i)
        return false;
    }
    return true;
  };
  const size_t live = units.size() - std::count(dropped.begin(), dropped.end(), true);
  while (order.size() < live) {
    // The earliest discovered ready unit; in a cycle, the first unplaced one as it is.
    size_t next = units.size(), first = units.size();
    for (size_t i = 0; i < units.size() && next == units.size(); ++i) {
      if (placed[i] || dropped[i]) continue;
      if (first == units.size()) first = i;
      if (ready(i)) next = i;
    }
    if (next == units.size()) {
      next = first;
      diags->push_back({units[next].spec.origin, 0,
                        units[next].spec.name + ": ordering cycle through After=/Before="});
    }
    placed[next] = true;
    order.push_back(next);
  }
  return order;
}

void Build(const UnitSetOptions& opt, UnitSet* out) {
  Enablement en = ComputeEnablement(opt.root, opt.enable);
  out->set.diagnostics = en.diagnostics;
  out->left_out = en.left_out;
  out->set.default_level = en.default_level;
  std::unique_ptr<ConditionProbe> own_probe;
  TranslateContext ctx = MakeContext(opt, en, &own_probe);
  Translated tr = TranslateAll(en, ctx, opt.strict, out);
  InvertBefore(tr);
  OrderTargetsAfterTheirUnits(en, ctx, tr);
  std::vector<bool> dropped = DropDependentsOfFailed(tr, out);
  for (size_t i : BootOrder(tr, dropped, &out->set.diagnostics))
    out->set.services.push_back(std::move(tr.units[i].spec));
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
