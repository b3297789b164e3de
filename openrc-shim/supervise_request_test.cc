// supervise-daemon's key=value words (the `supervise` control request) as a service.
#include "openrc-shim/supervise_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ctinit::openrc {
namespace {

using ::testing::ElementsAre;

std::optional<ServiceSpec> Parse(const std::vector<std::string>& words, std::string* err) {
  return SuperviseRequestToService("web", words, err);
}

TEST(SuperviseRequestTest, AManualLongRunWithItsOwnEnvironmentOnly) {
  std::string err;
  auto spec = Parse({"arg=/usr/bin/web", "arg=--port", "arg=80", "env=A=1", "pidfile=/run/w.pid",
                     "origin=/etc/init.d/web"},
                    &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_EQ(spec->name, "supervise:web");
  EXPECT_EQ(spec->origin, "/etc/init.d/web");
  EXPECT_EQ(spec->trigger, Trigger::kManual);
  EXPECT_EQ(spec->kind, Kind::kLongRun);
  EXPECT_FALSE(spec->utmp);
  EXPECT_THAT(spec->command.argv, ElementsAre("/usr/bin/web", "--port", "80"));
  EXPECT_EQ(spec->command.text, "/usr/bin/web --port 80");
  EXPECT_THAT(spec->process.env, ElementsAre("A=1"));
  EXPECT_FALSE(spec->process.inherit_environment);
  EXPECT_EQ(spec->pidfile, "/run/w.pid");
  EXPECT_TRUE(spec->respawn_limit.give_up);
  EXPECT_EQ(spec->respawn_limit.max_starts, 10);
  EXPECT_EQ(spec->stop_timeout, std::chrono::seconds(5));
  EXPECT_FALSE(spec->process.credentials);
}

TEST(SuperviseRequestTest, CredentialsDirectoryUmaskAndFiles) {
  std::string err;
  auto spec = Parse({"arg=x", "uid=100", "gid=101", "user=web", "home=/srv", "dir=/srv/web",
                     "umask=027", "stdin=/dev/zero", "stdout=/var/log/o", "stderr=/var/log/e"},
                    &err);
  ASSERT_TRUE(spec) << err;
  ASSERT_TRUE(spec->process.credentials);
  EXPECT_EQ(spec->process.credentials->uid, 100u);
  EXPECT_EQ(spec->process.credentials->gid, 101u);
  EXPECT_THAT(spec->process.credentials->groups, ElementsAre(101u));  // the group by default
  EXPECT_EQ(spec->process.credentials->user_name, "web");
  EXPECT_EQ(spec->process.credentials->home, "/srv");
  EXPECT_EQ(spec->process.working_directory, "/srv/web");
  EXPECT_EQ(spec->process.umask, 027u);
  EXPECT_EQ(spec->process.stdin_target.kind, StdioTarget::Kind::kFile);
  EXPECT_EQ(spec->process.stdin_target.path, "/dev/zero");
  EXPECT_EQ(spec->process.stdout_target.kind, StdioTarget::Kind::kAppend);
  EXPECT_EQ(spec->process.stdout_target.path, "/var/log/o");
  EXPECT_EQ(spec->process.stderr_target.kind, StdioTarget::Kind::kAppend);

  spec = Parse({"arg=x", "uid=1", "groups=5,6"}, &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_THAT(spec->process.credentials->groups, ElementsAre(5u, 6u));
}

TEST(SuperviseRequestTest, RespawnAndStopSettings) {
  std::string err;
  auto spec = Parse({"arg=x", "respawn_delay_ms=250", "respawn_max=3", "respawn_period_ms=60000",
                     "stop_signal=2", "stop_timeout_ms=0"},
                    &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_EQ(spec->restart_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(spec->respawn_limit.max_starts, 3);
  EXPECT_EQ(spec->respawn_limit.interval, std::chrono::seconds(60));
  EXPECT_EQ(spec->stop_signal, 2);
  EXPECT_EQ(spec->stop_timeout, std::chrono::hours(1));  // `--retry forever`: the longest wait
  spec = Parse({"arg=x", "respawn_period_ms=0"}, &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_EQ(spec->respawn_limit.interval, std::chrono::hours(24 * 365));  // no period
}

// Issue 11 case 9: 18-digit numbers from a request neither wrap nor overflow a deadline (a huge
// stop timeout killed at once, a huge respawn_max went negative).
TEST(SuperviseRequestTest, HugeNumbersAreClamped) {
  std::string err;
  const std::string huge = "999999999999999999";
  auto spec = Parse({"arg=x", "respawn_delay_ms=" + huge, "respawn_max=" + huge,
                     "respawn_period_ms=" + huge, "stop_timeout_ms=" + huge},
                    &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_EQ(spec->restart_delay, std::chrono::hours(1));
  EXPECT_EQ(spec->respawn_limit.max_starts, 1'000'000);
  EXPECT_EQ(spec->respawn_limit.interval, std::chrono::hours(24 * 365));
  EXPECT_EQ(spec->stop_timeout, std::chrono::hours(1));
  EXPECT_FALSE(Parse({"arg=x", "uid=4294967295"}, &err));
  EXPECT_EQ(err, "bad uid");
  EXPECT_FALSE(Parse({"arg=x", "gid=" + huge}, &err));
  EXPECT_EQ(err, "bad gid");
}

TEST(SuperviseRequestTest, WrongWordsAreReported) {
  std::string err;
  EXPECT_FALSE(Parse({"pidfile=/x"}, &err));
  EXPECT_EQ(err, "nothing to run (no arg=)");
  EXPECT_FALSE(Parse({"arg=x", "novalue"}, &err));
  EXPECT_EQ(err, "bad option \"novalue\"");
  EXPECT_FALSE(Parse({"arg=x", "colour=red"}, &err));
  EXPECT_EQ(err, "unknown option \"colour\"");
  EXPECT_FALSE(Parse({"arg=x", "uid=root"}, &err));
  EXPECT_EQ(err, "option uid needs a number, got \"root\"");
  EXPECT_FALSE(Parse({"arg=x", "umask=999"}, &err));
  EXPECT_EQ(err, "bad umask");
  EXPECT_FALSE(Parse({"arg=x", "stop_signal=0"}, &err));
  EXPECT_EQ(err, "bad stop_signal");
  EXPECT_FALSE(Parse({"arg=x", "groups=a,b"}, &err));
  EXPECT_EQ(err, "bad groups \"a,b\"");
}

TEST(SuperviseRequestTest, CapabilitiesAndNoNewPrivs) {
  std::string err;
  auto spec = Parse(
      {"arg=x", "ambient_capabilities=0x400", "capability_bounding_set=0xfff", "no_new_privs=yes"},
      &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_EQ(spec->process.ambient_capabilities, 0x400u);
  EXPECT_EQ(spec->process.capability_bounding_set, 0xfffu);
  EXPECT_TRUE(spec->process.no_new_privileges);
  EXPECT_FALSE(Parse({"arg=x", "ambient_capabilities=lots"}, &err));
  EXPECT_EQ(err, "bad ambient_capabilities \"lots\"");
  EXPECT_FALSE(Parse({"arg=x", "capability_bounding_set=-1"}, &err));
}

TEST(SuperviseRequestTest, ReadinessNotify) {
  std::string err;
  auto spec = Parse({"arg=x", "readiness=notify"}, &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_EQ(spec->readiness, Readiness::kNotify);
  EXPECT_TRUE(spec->Notifies());
  EXPECT_FALSE(Parse({"arg=x", "readiness=fd"}, &err));
  EXPECT_EQ(err, "bad readiness \"fd\"");
}

}  // namespace
}  // namespace ctinit::openrc
