// The one place that knows every front end: the inittab, OpenRC and systemd units composed
// into the single FrontEnd PID 1 is given (Options::front_end).
//
// Which run (at boot and on every reload):
//   1. The exclusive front ends (one boot machinery each), in order — the inittab, then OpenRC
//      native mode: one whose Detect() is kForced wins (openrc.mode: native); else the first
//      that is kPresent (so an image with an inittab boots it, and one with only
//      /etc/runlevels boots OpenRC natively); else, when no additive front end finds anything
//      either, the first one (the inittab: its "cannot open /etc/inittab" is the message).
//   2. Every additive front end (units) that is present, after it, told whether init scripts
//      run (a unit NAME.service is then left to /etc/init.d/NAME).
// BeforeLoad: every part's commands, in order of the parts (each part decides whether it has
// anything to run: the units front end, when units are on and the image has generators).
// Configure, OnLevel and LevelEnvironment go to every front end (each acts only once loaded);
// the config keys are the union of theirs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "init/model/front_end.h"

namespace ctinit {

class ComposedFrontEnd : public FrontEnd {
 public:
  // In the order of the rules above (exclusive ones in their priority order).
  explicit ComposedFrontEnd(std::vector<std::unique_ptr<FrontEnd>> parts);

  std::string_view Name() const override { return "front ends"; }
  Role role() const override { return Role::kExclusive; }
  std::vector<std::string> ConfigKeys() const override;
  void Configure(const Settings& settings, std::vector<std::string>* errors) override;
  Presence Detect() const override;
  std::vector<BeforeLoadCommand> BeforeLoad() const override;
  void Load(const LoadContext& context, ServiceSet* set) override;
  void OnLevel(char level, bool settled) override;
  std::vector<std::string> LevelEnvironment(char level) const override;

  // The names of the front ends the last Load() ran, in order (for logs and tests).
  const std::vector<std::string>& loaded() const { return loaded_; }

 private:
  // The exclusive part to load, given each part's Detect() (in parts_ order); nullptr: none.
  const FrontEnd* ChooseExclusive(const std::vector<Presence>& presences) const;

  std::vector<std::unique_ptr<FrontEnd>> parts_;
  std::vector<std::string> loaded_;
};

// The shipped composition: the inittab (`inittab_override`: --inittab), OpenRC (`self_exe`:
// ctinit's own path, for its applets) and units, over the image root `root`.
std::shared_ptr<ComposedFrontEnd> MakeFrontEnds(const std::string& root,
                                                const std::string& self_exe,
                                                const std::optional<std::string>& inittab_override);

}  // namespace ctinit
