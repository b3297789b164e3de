#include "openrc-shim/front_end.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace ctinit::openrc {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;
using P = FrontEnd::Presence;

Setting Scalar(std::string v) {
  Setting s;
  s.scalar = std::move(v);
  s.where = "f:1:1";
  return s;
}

Settings Openrc(std::vector<std::pair<std::string, Setting>> entries) {
  Settings settings;
  settings["openrc"].is_map = true;
  settings["openrc"].map = std::move(entries);
  return settings;
}

TEST(OpenrcFrontEndTest, ModeDecidesPresence) {
  char tmpl[] = "/tmp/ctinit-openrc-fe-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  std::filesystem::create_directories(root + "/etc/runlevels/default");
  OpenrcFrontEnd fe("/sbin/ctinit", root);
  fe.Configure({}, nullptr);
  EXPECT_EQ(fe.Detect(), P::kPresent);  // the tree has /etc/runlevels
  fe.Configure(Openrc({{"mode", Scalar("inittab")}}), nullptr);
  EXPECT_EQ(fe.Detect(), P::kAbsent);
  fe.Configure(Openrc({{"mode", Scalar("native")}}), nullptr);
  EXPECT_EQ(fe.Detect(), P::kForced);
  OpenrcFrontEnd empty("/sbin/ctinit", "/nonexistent");
  empty.Configure({}, nullptr);
  EXPECT_EQ(empty.Detect(), P::kAbsent);
  std::filesystem::remove_all(root);
}

TEST(OpenrcFrontEndTest, LevelsAreCheckedOneMessageEach) {
  Setting levels;
  levels.is_map = true;
  levels.map = {{"3", Scalar("default")}, {"x", Scalar("a")}, {"4", Scalar("a/b")}};
  OpenrcFrontEnd fe("/sbin/ctinit", "/nonexistent");
  std::vector<std::string> errors;
  fe.Configure(Openrc({{"levels", levels}, {"strict_need", Scalar("yes")}}), &errors);
  EXPECT_THAT(errors, ElementsAre("f:1:1: 'openrc.levels' keys must be 0-9 or S; got 'x'",
                                  "f:1:1: 'openrc.levels.4' must be a runlevel name; got 'a/b'"));
  errors.clear();
  fe.Configure(Openrc({{"level", Scalar("x")}}), &errors);
  EXPECT_THAT(errors, ElementsAre("f:1:1: unknown key 'openrc.level' (known: mode, levels, "
                                  "strict_need)"));
  // Nothing is told about levels before native mode is loaded.
  EXPECT_THAT(fe.LevelEnvironment('3'), IsEmpty());
}

}  // namespace
}  // namespace ctinit::openrc
