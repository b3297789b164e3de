#include "init/runtime/signal_actions.h"

#include <array>

#include "init/base/log.h"

namespace ctinit {

namespace {

using T = SignalTarget;
using R = SignalRule;
using W = std::string_view;

constexpr std::array<SignalActionRow, 13> kTable = {{
    {SignalAction::kIgnore, "ignore", [](T&, const R&, W) {}},
    {SignalAction::kHalt, "halt",
     [](T& t, const R&, W) {
       t.SetInitEnv("INIT_HALT", "HALT");
       t.GoToLevel('0');
     }},
    {SignalAction::kPowerOff, "poweroff",
     [](T& t, const R&, W) {
       t.SetInitEnv("INIT_HALT", "POWEROFF");
       t.GoToLevel('0');
     }},
    {SignalAction::kReboot, "reboot", [](T& t, const R&, W) { t.GoToLevel('6'); }},
    {SignalAction::kCtrlAltDel, "ctrlaltdel",
     [](T& t, const R&, W why) {
       if (t.TriggerServices(Trigger::kCtrlAltDel)) return;
       log::Info("{}: no ctrlaltdel entries: rebooting", why);
       t.GoToLevel('6');
     }},
    {SignalAction::kReload, "reload", [](T& t, const R&, W) { t.ReloadServices(); }},
    {SignalAction::kKbRequest, "kbrequest",
     [](T& t, const R&, W) { t.TriggerServices(Trigger::kKbRequest); }},
    {SignalAction::kReopenFifo, "reopen-fifo", [](T& t, const R&, W) { t.ReopenFifo(); }},
    {SignalAction::kCloseFifo, "close-fifo", [](T& t, const R&, W) { t.CloseFifo(); }},
    {SignalAction::kPowerFail, "powerfail",
     [](T& t, const R&, W) { t.PowerEvent(t.ReadPowerStatus()); }},
    {SignalAction::kRunlevel, "runlevel",
     [](T& t, const R& r, W) {
       if (r.level >= 'a' && r.level <= 'c')
         t.DemandServices(r.level);
       else
         t.GoToLevel(r.level);
     }},
    {SignalAction::kDefault, "default", [](T& t, const R&, W) { t.GoToLevel(t.DefaultLevel()); }},
    {SignalAction::kExit, "exit", [](T& t, const R&, W) { t.GoToLevel('0'); }},
}};

}  // namespace

std::span<const SignalActionRow> SignalActionTable() { return kTable; }

const SignalActionRow* FindSignalAction(SignalAction action) {
  for (const auto& row : kTable)
    if (row.action == action) return &row;
  return nullptr;
}

const SignalActionRow* FindSignalAction(std::string_view name) {
  for (const auto& row : kTable)
    if (row.name == name) return &row;
  return nullptr;
}

void RunSignalAction(SignalTarget& target, const SignalRule& rule, std::string_view why) {
  if (const SignalActionRow* row = FindSignalAction(rule.action)) row->run(target, rule, why);
}

}  // namespace ctinit
