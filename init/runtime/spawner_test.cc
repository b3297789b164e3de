// What a child gets from PID 1 (spawner.h): the environment table, layer by layer, and the
// options handed to System::Spawn — checked on FakeSystem, which records both.
#include "init/runtime/spawner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "init/runtime/system_fake.h"

namespace ctinit {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

// The value of NAME in env, or "(unset)".
std::string Get(const std::vector<std::string>& env, const std::string& name) {
  std::string value = "(unset)";
  int times = 0;
  for (const auto& e : env)
    if (e.rfind(name + "=", 0) == 0) {
      value = e.substr(name.size() + 1);
      ++times;
    }
  return times > 1 ? "(twice)" : value;
}

ServiceSpec Service(const std::string& name) {
  ServiceSpec spec;
  spec.name = name;
  spec.origin = "test:1";
  spec.command.argv = {"/bin/" + name};
  spec.command.text = "/bin/" + name;
  return spec;
}

class SpawnerTest : public ::testing::Test {
 protected:
  SpawnerTest() { spawner_.SetBaseEnvironment({"PATH=/bin", "HOME=/", "RUNLEVEL=9"}); }
  std::vector<std::string> SpawnAndGetEnv(const ServiceSpec& spec, char level = '2',
                                          char prev = 'N',
                                          const std::vector<std::string>& extra = {}) {
    EXPECT_GT(spawner_.Spawn(spec, spec.command, level, prev, extra, {}), 0);
    return sys_.spawned_env.back();
  }
  FakeSystem sys_;
  Spawner spawner_{sys_};
};

TEST_F(SpawnerTest, SysvinitVariablesOverrideTheBaseEnvironment) {
  auto env = SpawnAndGetEnv(Service("a"), '3', '2');
  EXPECT_EQ(Get(env, "PATH"), "/bin");
  EXPECT_EQ(Get(env, "RUNLEVEL"), "3");
  EXPECT_EQ(Get(env, "PREVLEVEL"), "2");
  EXPECT_EQ(Get(env, "SHELL"), "/bin/sh");
  EXPECT_EQ(Get(env, "INIT_VERSION"), std::string("ctinit-") + CTINIT_VERSION);
}

TEST_F(SpawnerTest, SysinitAndBootLookLikeSingleUserFromNowhere) {
  for (char stage : {'#', '*'}) {
    auto env = SpawnAndGetEnv(Service("a"), stage, '#');
    EXPECT_EQ(Get(env, "RUNLEVEL"), "S");
    EXPECT_EQ(Get(env, "PREVLEVEL"), "N");
  }
}

TEST_F(SpawnerTest, InitVariablesAreSetUnsetAndLimitedToSixteen) {
  EXPECT_TRUE(spawner_.SetInitEnv("INIT_HALT", "POWEROFF"));
  EXPECT_TRUE(spawner_.SetInitEnv("HOME", "/root"));  // an INIT_* layer entry beats the base
  EXPECT_EQ(Get(SpawnAndGetEnv(Service("a")), "INIT_HALT"), "POWEROFF");
  EXPECT_EQ(Get(SpawnAndGetEnv(Service("a")), "HOME"), "/root");
  EXPECT_TRUE(spawner_.SetInitEnv("INIT_HALT", std::nullopt));
  EXPECT_EQ(Get(SpawnAndGetEnv(Service("a")), "INIT_HALT"), "(unset)");
  for (int i = 0; i < 15; ++i) EXPECT_TRUE(spawner_.SetInitEnv("INIT_" + std::to_string(i), "x"));
  EXPECT_FALSE(spawner_.SetInitEnv("INIT_TOO_MANY", "x"));
  EXPECT_EQ(Get(SpawnAndGetEnv(Service("a")), "INIT_TOO_MANY"), "(unset)");
  spawner_.ClearInitEnv();
  EXPECT_EQ(Get(SpawnAndGetEnv(Service("a")), "INIT_0"), "(unset)");
}

TEST_F(SpawnerTest, TheFrontEndsLevelVariablesWinOverCtinitsOwn) {
  spawner_.SetLevelEnvironment([](char level) {
    return std::vector<std::string>{std::string("RC_RUNLEVEL=") + level, "SHELL=/bin/bash"};
  });
  auto env = SpawnAndGetEnv(Service("a"), '3');
  EXPECT_EQ(Get(env, "RC_RUNLEVEL"), "3");
  EXPECT_EQ(Get(env, "SHELL"), "/bin/bash");
}

TEST_F(SpawnerTest, TheServiceAndTheEngineHaveTheLastWord) {
  ServiceSpec spec = Service("a");
  spec.process.unset_env = {"HOME"};
  spec.process.env = {"PATH=/opt/bin", "MAINPID=1"};
  auto env = SpawnAndGetEnv(spec, '2', 'N', {"MAINPID=42"});
  EXPECT_EQ(Get(env, "HOME"), "(unset)");
  EXPECT_EQ(Get(env, "PATH"), "/opt/bin");
  EXPECT_EQ(Get(env, "MAINPID"), "42");
}

TEST_F(SpawnerTest, AServiceThatDoesNotInheritGetsOnlyItsOwn) {
  ServiceSpec spec = Service("a");
  spec.process.inherit_environment = false;
  spec.process.env = {"ONLY=me"};
  EXPECT_THAT(SpawnAndGetEnv(spec), ElementsAre("ONLY=me"));
}

TEST_F(SpawnerTest, WatchdogVariablesOnlyForTheMainCommandOfADaemon) {
  ServiceSpec spec = Service("a");
  spec.kind = Kind::kLongRun;
  spec.watchdog = std::chrono::seconds(3);
  Command stop;
  stop.argv = {"/bin/stop"};
  spec.stop.push_back(stop);
  auto env = SpawnAndGetEnv(spec);
  EXPECT_EQ(Get(env, "WATCHDOG_USEC"), "3000000");
  EXPECT_THAT(sys_.spawned_options.back().pid_env, ElementsAre("WATCHDOG_PID"));
  ASSERT_GT(spawner_.Spawn(spec, spec.stop[0], '2', 'N', {}, {}), 0);
  EXPECT_EQ(Get(sys_.spawned_env.back(), "WATCHDOG_USEC"), "(unset)");
  EXPECT_THAT(sys_.spawned_options.back().pid_env, IsEmpty());
}

TEST_F(SpawnerTest, NoNotifySocketWithoutAnOpenSocket) {
  ServiceSpec spec = Service("a");
  spec.readiness = Readiness::kNotify;
  EXPECT_EQ(Get(SpawnAndGetEnv(spec), "NOTIFY_SOCKET"), "(unset)");
}

TEST_F(SpawnerTest, ACommandComputedAtRunTimeSeesTheFinalEnvironment) {
  ServiceSpec spec = Service("a");
  spec.command.argv_at_run = [](const std::vector<std::string>& env) {
    return std::vector<std::string>{"/bin/echo", Get(env, "MAINPID")};
  };
  SpawnAndGetEnv(spec, '2', 'N', {"MAINPID=7"});
  EXPECT_THAT(sys_.spawned.back(), ElementsAre("/bin/echo", "7"));
}

TEST_F(SpawnerTest, AFailedSpawnIsMinusOne) {
  ServiceSpec spec = Service("a");
  spec.command.argv.clear();  // FakeSystem refuses an empty command
  EXPECT_EQ(spawner_.Spawn(spec, spec.command, '2', 'N', {}, {}), -1);
  EXPECT_THAT(sys_.spawned, IsEmpty());
}

TEST(SpawnerCapabilities, WhatTheContainerCannotGiveIsSaid) {
  ServiceSpec spec = Service("named.service");
  spec.process.ambient_capabilities = (1u << 10) | (1u << 21);  // NET_BIND_SERVICE, SYS_ADMIN
  sys::OwnCapabilities docker{.bounding = ~(uint64_t{1} << 21), .can_limit = true};
  EXPECT_THAT(Spawner::MissingCapabilities(spec, docker),
              ElementsAre("named.service: CAP_SYS_ADMIN not available in this container: left "
                          "out of its ambient capabilities"));
  spec.process.ambient_capabilities = 1u << 10;
  EXPECT_THAT(Spawner::MissingCapabilities(spec, docker), IsEmpty());
  spec.process.capability_bounding_set = 1u << 10;
  EXPECT_THAT(Spawner::MissingCapabilities(spec, docker), IsEmpty());
  sys::OwnCapabilities no_setpcap{.bounding = 1u << 10 | 1u << 0, .can_limit = false};
  EXPECT_THAT(Spawner::MissingCapabilities(spec, no_setpcap),
              ElementsAre("named.service: no CAP_SETPCAP in this container: its capability "
                          "bounding set is not reduced"));
  no_setpcap.bounding = 1u << 10;  // nothing to drop: nothing to say
  EXPECT_THAT(Spawner::MissingCapabilities(spec, no_setpcap), IsEmpty());
}

TEST_F(SpawnerTest, ASpawnAskingForMissingCapabilitiesStillStarts) {
  ServiceSpec spec = Service("named.service");
  spec.process.ambient_capabilities = uint64_t{1} << 21;
  spawner_.SetOwnCapabilities({.bounding = 0, .can_limit = false});
  EXPECT_GT(spawner_.Spawn(spec, spec.command, '2', 'N', {}, {}), 0);
  EXPECT_GT(spawner_.Spawn(spec, spec.command, '2', 'N', {}, {}), 0);  // said once only
}

}  // namespace
}  // namespace ctinit
