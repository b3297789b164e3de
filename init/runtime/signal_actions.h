// What a signal mapped in ctinit.yaml makes PID 1 do (config.h "Signals" and "Actions").
//
// Every action is one row of one table (signal_actions.cc): the name the config file uses, and
// the handler that carries it out through SignalTarget — the few things a signal may ask of
// PID 1. Adding an action is a SignalAction value and its row; the config reader, the log line
// "received SIGx: name" and PID 1's dispatch all read the same table.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "init/model/service.h"

namespace ctinit {

enum class SignalAction {
  kIgnore,
  kHalt,
  kPowerOff,
  kReboot,
  kCtrlAltDel,  // run the ctrlaltdel entries, or reboot if there are none
  kReload,
  kKbRequest,
  kReopenFifo,
  kCloseFifo,
  kPowerFail,  // sysvinit SIGPWR semantics: read /var/run/powerstatus (F/L/O)
  kRunlevel,   // switch to SignalRule::level
  kDefault,    // back to the level boot ended in (systemd's SIGRTMIN+0: default.target)
  kExit,       // run the normal stop sequence, then exit(0)
};

struct SignalRule {
  SignalAction action = SignalAction::kIgnore;
  char level = 0;  // for kRunlevel only: '0'-'9', 'S', 'a'-'c'
  friend bool operator==(const SignalRule&, const SignalRule&) = default;
};

// What an action may ask of PID 1 (Pid1 implements it; tests fake it).
class SignalTarget {
 public:
  virtual ~SignalTarget() = default;
  // telinit N: '0'-'9' or 'S', with the configured kill_wait.
  virtual void GoToLevel(char level) = 0;
  // telinit a|b|c: the ondemand services with that letter.
  virtual void DemandServices(char which) = 0;
  // Runs the services of a power/ctrlaltdel/kbrequest event; false when none reacts to it.
  virtual bool TriggerServices(Trigger event) = 0;
  virtual void ReloadServices() = 0;  // telinit q
  // INIT_* variables for every later child (sysvinit's INIT_HALT=HALT|POWEROFF).
  virtual void SetInitEnv(const std::string& name, const std::optional<std::string>& value) = 0;
  virtual void ReopenFifo() = 0;
  virtual void CloseFifo() = 0;  // stays closed until ReopenFifo
  // sysvinit's powerstatus letter: 'F' fail, 'L' low battery, 'O' power back.
  virtual void PowerEvent(char status) = 0;
  // The first byte of /var/run/powerstatus (or /etc/powerstatus), removed once read; 'F' when
  // neither exists.
  virtual char ReadPowerStatus() = 0;
  // The level boot ends in (initdefault, the default target's level, or 3).
  virtual char DefaultLevel() = 0;
};

struct SignalActionRow {
  SignalAction action;
  std::string_view name;  // in ctinit.yaml ("halt"; "runlevel" takes a level after it)
  void (*run)(SignalTarget& target, const SignalRule& rule, std::string_view why);
};

std::span<const SignalActionRow> SignalActionTable();
const SignalActionRow* FindSignalAction(SignalAction action);
const SignalActionRow* FindSignalAction(std::string_view name);

// Carries out `rule` (`why`: the signal's name, for logs).
void RunSignalAction(SignalTarget& target, const SignalRule& rule, std::string_view why);

}  // namespace ctinit
