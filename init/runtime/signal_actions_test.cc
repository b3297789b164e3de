#include "init/runtime/signal_actions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "init/runtime/config.h"

namespace ctinit {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

// Records what the actions ask of PID 1.
class FakeTarget : public SignalTarget {
 public:
  std::vector<std::string> calls;
  bool has_services = false;
  char power_status = 'L';
  void GoToLevel(char level) override { calls.push_back(std::string("level ") + level); }
  void DemandServices(char which) override { calls.push_back(std::string("demand ") + which); }
  bool TriggerServices(Trigger event) override {
    calls.push_back("trigger " + std::to_string(static_cast<int>(event)));
    return has_services;
  }
  void ReloadServices() override { calls.push_back("reload"); }
  void SetInitEnv(const std::string& name, const std::optional<std::string>& value) override {
    calls.push_back(name + "=" + value.value_or("(unset)"));
  }
  void ReopenFifo() override { calls.push_back("reopen fifo"); }
  void CloseFifo() override { calls.push_back("close fifo"); }
  void PowerEvent(char status) override { calls.push_back(std::string("power ") + status); }
  char ReadPowerStatus() override { return power_status; }
  char DefaultLevel() override { return '4'; }
};

std::vector<std::string> Act(SignalRule rule, bool has_services = false) {
  FakeTarget t;
  t.has_services = has_services;
  RunSignalAction(t, rule, "SIGX");
  return t.calls;
}

const std::string kCtrlAltDel = "trigger " + std::to_string(static_cast<int>(Trigger::kCtrlAltDel));

TEST(SignalActionsTest, EachActionDoesWhatItsNameSays) {
  using A = SignalAction;
  EXPECT_THAT(Act({A::kIgnore}), IsEmpty());
  EXPECT_THAT(Act({A::kHalt}), ElementsAre("INIT_HALT=HALT", "level 0"));
  EXPECT_THAT(Act({A::kPowerOff}), ElementsAre("INIT_HALT=POWEROFF", "level 0"));
  EXPECT_THAT(Act({A::kExit}), ElementsAre("level 0"));
  EXPECT_THAT(Act({A::kReboot}), ElementsAre("level 6"));
  EXPECT_THAT(Act({A::kReload}), ElementsAre("reload"));
  EXPECT_THAT(Act({A::kReopenFifo}), ElementsAre("reopen fifo"));
  EXPECT_THAT(Act({A::kCloseFifo}), ElementsAre("close fifo"));
  EXPECT_THAT(Act({A::kPowerFail}), ElementsAre("power L"));
  EXPECT_THAT(Act({A::kRunlevel, '2'}), ElementsAre("level 2"));
  EXPECT_THAT(Act({A::kRunlevel, 'S'}), ElementsAre("level S"));
  EXPECT_THAT(Act({A::kRunlevel, 'b'}), ElementsAre("demand b"));
  EXPECT_THAT(Act({A::kDefault}), ElementsAre("level 4"));
  EXPECT_THAT(Act({A::kKbRequest}),
              ElementsAre("trigger " + std::to_string(static_cast<int>(Trigger::kKbRequest))));
}

TEST(SignalActionsTest, CtrlAltDelRebootsWhenNoEntryReacts) {
  EXPECT_THAT(Act({SignalAction::kCtrlAltDel}, true), ElementsAre(kCtrlAltDel));
  EXPECT_THAT(Act({SignalAction::kCtrlAltDel}, false), ElementsAre(kCtrlAltDel, "level 6"));
}

TEST(SignalActionsTest, OneRowPerActionAndTheConfigReadsTheSameNames) {
  std::set<SignalAction> actions;
  std::set<std::string_view> names;
  for (const auto& row : SignalActionTable()) {
    EXPECT_TRUE(actions.insert(row.action).second) << row.name;
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_EQ(SignalActionName(row.action), row.name);
    std::string text(row.name);
    if (row.action == SignalAction::kRunlevel) text += " 3";
    auto parsed = ParseSignalRule(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(parsed->action, row.action);
  }
  EXPECT_EQ(actions.size(), static_cast<size_t>(SignalAction::kExit) + 1);
}

}  // namespace
}  // namespace ctinit
