// The inittab front end as PID 1 uses it (init/model/front_end.h): /etc/inittab and
// /etc/inittab.d/*.tab (inittab.h) are one exclusive boot machinery, present when the inittab
// file exists. Config keys: `inittab` (absolute path, default /etc/inittab) and `inittab_d`
// (directory of fragments, default /etc/inittab.d); `ctinit --inittab PATH` wins over the file.
// It is also what runs when no front end finds anything: its "cannot open /etc/inittab" line
// is then the one clear message sysvinit would give. A respawn getty whose terminal is missing
// from the image's /dev (incus: lxc.tty.max = 0; Docker) is left out at load with one line
// (getty_terminal.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "init/model/front_end.h"

namespace ctinit::inittab {

class InittabFrontEnd : public FrontEnd {
 public:
  // `root`: the image's root ("/" as PID 1; a test tree otherwise); `path_override`: the
  // command line's --inittab.
  explicit InittabFrontEnd(std::string root = "/",
                           std::optional<std::string> path_override = std::nullopt);

  std::string_view Name() const override { return "inittab"; }
  Role role() const override { return Role::kExclusive; }
  std::vector<std::string> ConfigKeys() const override { return {"inittab", "inittab_d"}; }
  void Configure(const Settings& settings, std::vector<std::string>* errors) override;
  Presence Detect() const override;
  void Load(const LoadContext& context, ServiceSet* set) override;

  const std::string& path() const { return path_; }

 private:
  std::string root_;
  std::optional<std::string> path_override_;
  std::string path_ = "/etc/inittab";
  std::string dir_ = "/etc/inittab.d";
};

}  // namespace ctinit::inittab
