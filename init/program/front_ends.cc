#include "init/program/front_ends.h"

#include <exception>

#include "inittab/front_end.h"
#include "openrc-shim/front_end.h"
#include "unit-compat/front_end.h"

namespace ctinit {

ComposedFrontEnd::ComposedFrontEnd(std::vector<std::unique_ptr<FrontEnd>> parts)
    : parts_(std::move(parts)) {}

std::vector<std::string> ComposedFrontEnd::ConfigKeys() const {
  std::vector<std::string> keys;
  for (const auto& p : parts_)
    for (auto& k : p->ConfigKeys()) keys.push_back(std::move(k));
  return keys;
}

void ComposedFrontEnd::Configure(const Settings& settings, std::vector<std::string>* errors) {
  for (const auto& p : parts_) p->Configure(settings, errors);
}

const FrontEnd* ComposedFrontEnd::ChooseExclusive(const std::vector<Presence>& presences) const {
  const FrontEnd* first = nullptr;
  const FrontEnd* present = nullptr;
  bool additive_present = false;
  for (size_t i = 0; i < parts_.size(); ++i) {
    const auto& p = parts_[i];
    Presence presence = presences[i];
    if (p->role() == Role::kAdditive) {
      additive_present = additive_present || presence != Presence::kAbsent;
      continue;
    }
    if (presence == Presence::kForced) return p.get();
    if (!first) first = p.get();
    if (!present && presence == Presence::kPresent) present = p.get();
  }
  if (present) return present;
  return additive_present ? nullptr : first;
}

FrontEnd::Presence ComposedFrontEnd::Detect() const {
  for (const auto& p : parts_)
    if (p->Detect() != Presence::kAbsent) return Presence::kPresent;
  return Presence::kAbsent;
}

std::vector<FrontEnd::BeforeLoadCommand> ComposedFrontEnd::BeforeLoad() const {
  std::vector<BeforeLoadCommand> commands;
  for (const auto& p : parts_)
    for (auto& c : p->BeforeLoad()) commands.push_back(std::move(c));
  return commands;
}

void ComposedFrontEnd::Load(const LoadContext& context, ServiceSet* set) {
  loaded_.clear();
  // Each part looks once (the units' look is a scan of the unit directories).
  std::vector<Presence> presences;
  for (const auto& p : parts_) presences.push_back(p->Detect());
  const FrontEnd* exclusive = ChooseExclusive(presences);
  LoadContext for_additive = context;
  for (size_t i = 0; i < parts_.size(); ++i) {
    const auto& p = parts_[i];
    bool run =
        p->role() == Role::kExclusive ? p.get() == exclusive : presences[i] != Presence::kAbsent;
    if (!run) continue;
    try {
      p->Load(p->role() == Role::kExclusive ? context : for_additive, set);
    } catch (const std::exception& e) {
      set->diagnostics.push_back({std::string(p->Name()), 0, e.what()});
    }
    loaded_.emplace_back(p->Name());
    // Both exclusive front ends run /etc/init.d scripts (rc, or OpenRC's).
    if (p->role() == Role::kExclusive) for_additive.init_scripts_run = true;
  }
}

void ComposedFrontEnd::OnLevel(char level, bool settled) {
  for (const auto& p : parts_) p->OnLevel(level, settled);
}

std::vector<std::string> ComposedFrontEnd::LevelEnvironment(char level) const {
  std::vector<std::string> env;
  for (const auto& p : parts_)
    for (auto& kv : p->LevelEnvironment(level)) env.push_back(std::move(kv));
  return env;
}

std::shared_ptr<ComposedFrontEnd> MakeFrontEnds(
    const std::string& root, const std::string& self_exe,
    const std::optional<std::string>& inittab_override) {
  std::vector<std::unique_ptr<FrontEnd>> parts;
  parts.push_back(std::make_unique<inittab::InittabFrontEnd>(root, inittab_override));
  parts.push_back(std::make_unique<openrc::OpenrcFrontEnd>(self_exe, root));
  parts.push_back(std::make_unique<units::UnitsFrontEnd>(root, self_exe));
  return std::make_shared<ComposedFrontEnd>(std::move(parts));
}

}  // namespace ctinit
