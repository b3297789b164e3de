// Every control verb (control_verbs.h) against a fake PID 1: what it asks of the host, what it
// answers at once, and which state change answers a request that waits.
#include "init/runtime/control_verbs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ctinit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using S = ServiceState;

// A supervisor of named services in a map; requests are recorded and succeed unless
// `refuse` names the service (then *err = "refused").
class FakeControlHost : public ControlHost {
 public:
  void Add(const std::string& name, S state, pid_t pid = 0) {
    Supervisor::Status st{};
    st.name = name;
    st.state = state;
    st.pid = pid;
    st.since = now - std::chrono::milliseconds(1500);
    statuses[name] = st;
    ServiceSpec spec;
    spec.name = name;
    spec.origin = "/etc/inittab:3";
    specs[name] = spec;
  }
  bool HasServices() const override { return running; }
  std::optional<Supervisor::Status> ServiceStatus(const std::string& name) const override {
    auto it = statuses.find(name);
    if (it == statuses.end()) return std::nullopt;
    return it->second;
  }
  const ServiceSpec* ServiceSpecOf(const std::string& name) const override {
    auto it = specs.find(name);
    return it == specs.end() ? nullptr : &it->second;
  }
  std::vector<Supervisor::Status> AllServices() const override {
    std::vector<Supervisor::Status> all;
    for (const auto& [name, st] : statuses) all.push_back(st);
    return all;
  }
  const std::vector<std::pair<std::string, std::string>>& InactiveServices() const override {
    return inactive;
  }
  bool StartService(const std::string& name, std::string* err) override {
    return Do("start " + name, name, err);
  }
  bool StopService(const std::string& name, std::string* err) override {
    return Do("stop " + name, name, err);
  }
  bool RestartService(const std::string& name, bool only_if_active, std::string* err) override {
    return Do(std::string(only_if_active ? "try-restart " : "restart ") + name, name, err);
  }
  bool ReloadService(const std::string& name, std::string* err) override {
    return Do("reload " + name, name, err);
  }
  bool AddSupervised(ServiceSpec spec, std::string* err) override {
    std::string name = spec.name;
    if (!Do("add " + name, name, err)) return false;
    Add(name, S::kUp, 77);
    return true;
  }
  std::optional<ServiceSpec> SuperviseRequest(const std::string& name,
                                              const std::vector<std::string>& options,
                                              std::string* err) override {
    if (options.empty()) {
      *err = "no arg=";
      return std::nullopt;
    }
    ServiceSpec spec;
    spec.name = "supervise:" + name;
    return spec;
  }
  std::string RecentOutput(const std::string& name) override {
    auto it = outputs.find(name);
    return it == outputs.end() ? "" : it->second;
  }
  Clock::time_point Now() override { return now; }
  // Kept for the test to finish: a reload ends when its generators and the load are done.
  void ReloadConfiguration(std::function<void(bool, const std::string&)> done) override {
    calls.push_back("daemon-reload");
    reloads.push_back(std::move(done));
  }
  void SetInitEnv(const std::string& name, const std::optional<std::string>& value) override {
    calls.push_back("env " + name + "=" + value.value_or("<unset>"));
  }
  void GoToLevel(char level) override { calls.push_back(std::string("level ") + level); }
  void ExitWith(int code) override { calls.push_back("exit " + std::to_string(code)); }

  bool Do(const std::string& call, const std::string& name, std::string* err) {
    calls.push_back(call);
    if (name != refuse) return true;
    *err = "refused";
    return false;
  }

  bool running = true;
  std::string refuse;
  Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
  std::map<std::string, Supervisor::Status> statuses;
  std::map<std::string, ServiceSpec> specs;
  std::map<std::string, std::string> outputs;
  std::vector<std::pair<std::string, std::string>> inactive;
  std::vector<std::string> calls;
  std::vector<std::function<void(bool, const std::string&)>> reloads;  // not finished yet
};

class ControlVerbsTest : public ::testing::Test {
 protected:
  struct Answer {
    int code;
    std::string text;
  };
  // Sends a request; its answers (none yet if it waits) are collected in answers_.
  void Send(std::vector<std::string> words) {
    verbs_.Handle(words, [this](int code, const std::string& text) {
      answers_.push_back({code, text});
    });
  }
  // The one answer so far, taken out.
  Answer Take() {
    EXPECT_EQ(answers_.size(), 1u);
    Answer a = answers_.empty() ? Answer{-100, ""} : answers_.front();
    answers_.clear();
    return a;
  }
  void Change(const std::string& name, S from, S to, ChangeReason reason = ChangeReason::kNone,
              const std::string& why = "") {
    verbs_.StateChanged(host_.specs.at(name), from, to, reason, why);
  }

  FakeControlHost host_;
  ControlVerbs verbs_{host_};
  std::vector<Answer> answers_;
};

TEST_F(ControlVerbsTest, EveryRequestIsRefusedBeforeTheSupervisorExists) {
  host_.running = false;
  Send({"list"});
  auto a = Take();
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.text, "ctinit is not running services");
}

TEST_F(ControlVerbsTest, UnknownVerbAndMissingNamesGetTheirUsage) {
  Send({"frobnicate"});
  EXPECT_EQ(Take().text, "unknown request \"frobnicate\"");
  for (std::string verb : {"start", "stop", "restart", "try-restart", "reload", "status"}) {
    Send({verb});
    auto a = Take();
    EXPECT_EQ(a.code, 1);
    EXPECT_EQ(a.text, "usage: " + verb + " NAME");
    Send({verb, "a", "b"});
    EXPECT_EQ(Take().code, 1) << verb;
  }
  EXPECT_THAT(host_.calls, IsEmpty());
}

TEST_F(ControlVerbsTest, StartWaitsUntilTheServiceIsUp) {
  host_.Add("nginx", S::kStopped);
  Send({"start", "nginx"});
  EXPECT_THAT(host_.calls, ElementsAre("start nginx"));
  EXPECT_THAT(answers_, IsEmpty());
  Change("nginx", S::kStopped, S::kStarting);
  EXPECT_THAT(answers_, IsEmpty());
  Change("nginx", S::kStarting, S::kUp);
  auto a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.text, "nginx started");
  EXPECT_EQ(verbs_.waiting(), 0u);
}

TEST_F(ControlVerbsTest, StartOfAServiceAlreadyUpIsAnsweredAtOnce) {
  host_.Add("nginx", S::kUp, 42);
  Send({"start", "nginx"});
  EXPECT_EQ(Take().text, "nginx started");
  EXPECT_EQ(verbs_.waiting(), 0u);
}

TEST_F(ControlVerbsTest, StartAnswersFailureFinishSkipInterruptionAndRespawnLimit) {
  host_.Add("job", S::kStopped);
  Send({"start", "job"});
  Change("job", S::kStarting, S::kFailed, ChangeReason::kNone, "start exited 1");
  EXPECT_EQ(Take().code, 1);

  Send({"start", "job"});
  Change("job", S::kStarting, S::kStopped);
  auto a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.text, "job finished");

  Send({"start", "job"});
  Change("job", S::kStarting, S::kStopped, ChangeReason::kRestarting);  // not the end yet
  EXPECT_THAT(answers_, IsEmpty());
  Change("job", S::kStopped, S::kStopped, ChangeReason::kSkipped, "condition failed");
  a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.text, "job: condition failed");

  Send({"start", "job"});
  Change("job", S::kStarting, S::kStopping);
  EXPECT_EQ(Take().text, "job: its start was interrupted by a stop");

  Send({"start", "job"});
  Change("job", S::kStopped, S::kStopped, ChangeReason::kRespawnTooFast, "respawning too fast");
  a = Take();
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.text, "job: respawning too fast");
}

TEST_F(ControlVerbsTest, NamesResolveWithAndWithoutDotService) {
  host_.Add("web.service", S::kStopped);
  host_.Add("sshd", S::kStopped);
  Send({"start", "web"});
  Send({"start", "sshd.service"});
  EXPECT_THAT(host_.calls, ElementsAre("start web.service", "start sshd"));
  Send({"start", "nothing"});
  auto a = Take();
  EXPECT_EQ(a.code, 4);
  EXPECT_EQ(a.text, "nothing: unknown service");
}

TEST_F(ControlVerbsTest, ARefusedStartIsAnsweredAndLeavesNoWaiter) {
  host_.Add("web", S::kStopped);
  host_.refuse = "web";
  Send({"start", "web"});
  auto a = Take();
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.text, "web: refused");
  EXPECT_EQ(verbs_.waiting(), 0u);
}

TEST_F(ControlVerbsTest, RestartAndTryRestart) {
  host_.Add("web", S::kUp, 10);
  host_.Add("idle", S::kStopped);
  Send({"restart", "web"});
  EXPECT_THAT(answers_, IsEmpty());
  Change("web", S::kUp, S::kStopping, ChangeReason::kRestarting);
  Change("web", S::kStopping, S::kStarting, ChangeReason::kRestarting);
  Change("web", S::kStarting, S::kUp);
  EXPECT_EQ(Take().text, "web started");
  Send({"try-restart", "idle"});
  auto a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.text, "idle: not running, nothing to do");
  Send({"try-restart", "web"});
  EXPECT_THAT(host_.calls, ElementsAre("restart web", "try-restart web"));
}

TEST_F(ControlVerbsTest, StopWaitsUntilStoppedAndAnswersNotRunningWhenRefused) {
  host_.Add("web", S::kUp, 10);
  Send({"stop", "web"});
  Change("web", S::kUp, S::kStopping);
  EXPECT_THAT(answers_, IsEmpty());
  Change("web", S::kStopping, S::kStopped);
  EXPECT_EQ(Take().text, "web stopped");
  host_.refuse = "web";
  Send({"stop", "web"});
  auto a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.text, "web: not running");
  Send({"stop", "ghost"});
  EXPECT_EQ(Take().code, 4);
}

TEST_F(ControlVerbsTest, SuperviseAndUnsupervise) {
  Send({"supervise"});
  EXPECT_EQ(Take().text, "usage: supervise NAME arg=...");
  Send({"supervise", "sshd"});
  EXPECT_EQ(Take().text, "no arg=");
  Send({"supervise", "sshd", "arg=/usr/sbin/sshd"});
  auto a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.text, "started 77");
  Send({"unsupervise", "sshd"});
  EXPECT_THAT(host_.calls, ElementsAre("add supervise:sshd", "stop supervise:sshd"));
  Change("supervise:sshd", S::kStopping, S::kStopped);
  EXPECT_EQ(Take().text, "supervise:sshd stopped");
  Send({"unsupervise", "other"});
  a = Take();
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.text, "not supervised");
}

TEST_F(ControlVerbsTest, ReloadWaitsForReloadedOrFailed) {
  host_.Add("web", S::kUp, 10);
  Send({"reload", "web"});
  Change("web", S::kUp, S::kUp, ChangeReason::kReloaded);
  EXPECT_EQ(Take().text, "web reloaded");
  Send({"reload", "web"});
  Change("web", S::kUp, S::kUp, ChangeReason::kReloadFailed);
  auto a = Take();
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.text, "web: reload failed");
  Send({"reload", "ghost"});
  EXPECT_EQ(Take().code, 4);
}

TEST_F(ControlVerbsTest, StatusOfRunningStoppedInactiveAndUnknown) {
  host_.Add("web", S::kUp, 10);
  host_.Add("idle", S::kStopped);
  host_.statuses["idle"].last_status = 1 << 8;  // exited 1
  host_.inactive = {{"off.service", "not enabled"}};
  Send({"status", "web"});
  auto a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_THAT(a.text, HasSubstr("running 10\nname=web\nstate=started\npid=10\nsince_ms=1500\n"));
  EXPECT_THAT(a.text, HasSubstr("origin=/etc/inittab:3\n"));
  Send({"status", "idle"});
  a = Take();
  EXPECT_EQ(a.code, 3);
  EXPECT_THAT(a.text, HasSubstr("last="));
  Send({"status", "off.service"});
  a = Take();
  EXPECT_EQ(a.code, 3);
  EXPECT_EQ(a.text, "inactive\nname=off.service\ntext=not enabled");
  Send({"status", "ghost"});
  EXPECT_EQ(Take().code, 4);
}

TEST_F(ControlVerbsTest, ListHasOneLinePerServiceAndInactiveOnes) {
  host_.Add("web", S::kUp, 10);
  host_.specs["web"].description = "The web";
  host_.inactive = {{"off.service", "not enabled"}};
  Send({"list"});
  auto a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.text, "web\tstarted\t10\t0\tThe web\noff.service\tinactive\t0\t0\tnot enabled\n");
}

TEST_F(ControlVerbsTest, DaemonReloadIsAnsweredWhenTheHostHasReloaded) {
  Send({"daemon-reload"});
  Send({"daemon-reload"});
  EXPECT_THAT(answers_, IsEmpty());  // the generators still run
  ASSERT_EQ(host_.reloads.size(), 2u);
  host_.reloads[0](true, "");
  auto a = Take();
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.text, "reloaded");
  host_.reloads[1](false, "a shutdown is under way");
  a = Take();
  EXPECT_EQ(a.code, 1);
  EXPECT_EQ(a.text, "not reloaded: a shutdown is under way");
}

TEST_F(ControlVerbsTest, DaemonReloadRunlevelAndExit) {
  Send({"daemon-reload"});
  ASSERT_EQ(host_.reloads.size(), 1u);
  host_.reloads[0](true, "");
  EXPECT_EQ(Take().text, "reloaded");
  Send({"runlevel"});
  EXPECT_EQ(Take().code, 1);
  Send({"runlevel", "0", "halt=POWEROFF"});
  EXPECT_EQ(Take().text, "switching to runlevel 0");
  Send({"exit", "300"});
  EXPECT_EQ(Take().text, "usage: exit [CODE 0-255]");
  Send({"exit", "7"});
  EXPECT_EQ(Take().text, "exiting with 7");
  EXPECT_THAT(host_.calls,
              ElementsAre("daemon-reload", "env INIT_HALT=POWEROFF", "level 0", "exit 7"));
}

TEST_F(ControlVerbsTest, TwoClientsWaitingOnOneServiceAreBothAnswered) {
  host_.Add("web", S::kStopped);
  Send({"start", "web"});
  Send({"stop", "web"});
  EXPECT_EQ(verbs_.waiting(), 2u);
  Change("web", S::kStarting, S::kUp);
  EXPECT_EQ(Take().text, "web started");
  Change("web", S::kStopping, S::kStopped);
  EXPECT_EQ(Take().text, "web stopped");
}

TEST_F(ControlVerbsTest, ServicesReportsEveryServiceWithItsSource) {
  host_.Add("getty1", S::kUp, 10);
  host_.specs["getty1"].action_label = "respawn";
  host_.Add("nginx", S::kFailed);
  host_.specs["nginx"].action_label = "openrc";
  host_.statuses["nginx"].status_text = "start exited 1";
  host_.statuses["nginx"].last_status = 1 << 8;
  host_.Add("web.service", S::kStopped);
  host_.specs["web.service"].action_label = "unit:simple";
  host_.inactive = {{"off.service", "not enabled"}};
  Send({"services"});
  auto a = Take();
  ASSERT_EQ(a.code, 0);
  auto records = control::DecodeServices(a.text);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].name, "getty1");
  EXPECT_EQ(records[0].source, "inittab");
  EXPECT_EQ(records[0].state, "started");
  EXPECT_EQ(records[0].pid, 10);
  EXPECT_EQ(records[0].since_ms, 1500);
  EXPECT_EQ(records[1].source, "openrc");
  EXPECT_EQ(records[1].state, "failed");
  EXPECT_EQ(records[1].why, "start exited 1");
  EXPECT_FALSE(records[1].last.empty());
  EXPECT_EQ(records[2].source, "unit");
  EXPECT_EQ(records[3].name, "off.service");
  EXPECT_EQ(records[3].state, "inactive");
  EXPECT_EQ(records[3].why, "not enabled");
  EXPECT_THAT(records[0].output, IsEmpty());
}

TEST_F(ControlVerbsTest, ServicesOfOneNameCarriesItsLastOutputLines) {
  host_.Add("nginx", S::kFailed);
  std::string out;
  for (int i = 1; i <= 30; ++i) out += "line " + std::to_string(i) + "\n";
  host_.outputs["nginx"] = out + "partial";
  Send({"services", "nginx"});
  auto records = control::DecodeServices(Take().text);
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(records[0].output.size(), ControlVerbs::kOutputLines);
  EXPECT_EQ(records[0].output.front(), "line 12");
  EXPECT_EQ(records[0].output.back(), "partial");
  Send({"services", "ghost"});
  EXPECT_EQ(Take().code, 4);
  host_.Add("supervise:sshd", S::kUp, 7);
  Send({"services", "sshd"});
  records = control::DecodeServices(Take().text);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].name, "supervise:sshd");
  Send({"services", "a", "b"});
  EXPECT_EQ(Take().code, 1);
}

}  // namespace
}  // namespace ctinit
