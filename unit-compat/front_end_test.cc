#include "unit-compat/front_end.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

Setting Scalar(std::string v, std::string where = "/etc/ctinit.yaml:2:15") {
  Setting s;
  s.scalar = std::move(v);
  s.where = std::move(where);
  return s;
}

Settings Units(std::vector<std::pair<std::string, Setting>> entries) {
  Settings settings;
  settings["units"].is_map = true;
  settings["units"].where = "/etc/ctinit.yaml:1:8";
  settings["units"].map = std::move(entries);
  return settings;
}

TEST(UnitsFrontEndTest, ConfigureReadsItsKeyAndReportsBadValues) {
  UnitsFrontEnd fe("/nonexistent");
  std::vector<std::string> errors;
  fe.Configure(Units({{"tag_output", Scalar("false")}, {"mode", Scalar("auto")}}), &errors);
  EXPECT_THAT(errors, IsEmpty());
  fe.Configure(Units({{"tag_output", Scalar("sometimes")}}), &errors);
  fe.Configure(Units({{"tag", Scalar("false", "/etc/ctinit.yaml:1:9")}}), &errors);
  fe.Configure(Units({{"mode", Scalar("on")}}), &errors);
  EXPECT_THAT(errors,
              ElementsAre("/etc/ctinit.yaml:2:15: 'units.tag_output' must be true or false; got "
                          "'sometimes'",
                          "/etc/ctinit.yaml:1:9: unknown key 'units.tag' (known: mode, skip, "
                          "skip_also, strict, init_scripts_win, tag_output, sysv_scripts)",
                          "/etc/ctinit.yaml:2:15: 'units.mode' must be auto or off; got 'on'"));
}

TEST(UnitsFrontEndTest, ModeOffIsAbsentEvenWithUnits) {
  UnitsFrontEnd fe(std::string(CTINIT_SOURCE_DIR) + "/tests/fixtures/units/debian12");
  fe.Configure({}, nullptr);
  EXPECT_EQ(fe.Detect(), FrontEnd::Presence::kPresent);
  fe.Configure(Units({{"mode", Scalar("off")}}), nullptr);
  EXPECT_EQ(fe.Detect(), FrontEnd::Presence::kAbsent);
  ServiceSet set;
  fe.Load({}, &set);
  EXPECT_THAT(set.services, IsEmpty());
}

TEST(UnitsFrontEndTest, TagOutputFalseClearsTheTags) {
  UnitsFrontEnd fe(std::string(CTINIT_SOURCE_DIR) + "/tests/fixtures/units/debian12");
  ServiceSet tagged, untagged;
  fe.Configure({}, nullptr);
  fe.Load({}, &tagged);
  fe.Configure(Units({{"tag_output", Scalar("no")}}), nullptr);
  fe.Load({}, &untagged);
  ASSERT_FALSE(tagged.services.empty());
  ASSERT_EQ(tagged.services.size(), untagged.services.size());
  size_t tags = 0;
  for (size_t i = 0; i < tagged.services.size(); ++i) {
    tags += !tagged.services[i].log_tag.empty();
    EXPECT_EQ(untagged.services[i].log_tag, "");
  }
  EXPECT_GT(tags, 0u);
}

// A units-only image (no other front end runs init scripts): an init.d script without a unit
// becomes a service, as systemd-sysv-generator makes it; not when the scripts are run by the
// other front end, nor with sysv_scripts: false.
TEST(UnitsFrontEndTest, InitScriptsWithoutAUnitBecomeServicesInAUnitsOnlyImage) {
  unittest::TempRoot root;
  root.Unit("cron.service", "[Service]\nExecStart=/usr/sbin/cron -f\n");
  root.Write("/etc/init.d/exim4",
             "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: exim4\n### END INIT INFO\n", 0755);
  root.Link("../init.d/exim4", "/etc/rc2.d/S01exim4");
  auto names = [&](const FrontEnd::LoadContext& context, const Settings& settings) {
    UnitsFrontEnd fe(root.path());
    fe.Configure(settings, nullptr);
    ServiceSet set;
    fe.Load(context, &set);
    std::vector<std::string> out;
    for (const auto& s : set.services)
      if (s.name.ends_with(".service")) out.push_back(s.name);
    return out;
  };
  FrontEnd::LoadContext units_only, with_rc;
  with_rc.init_scripts_run = true;
  EXPECT_THAT(names(units_only, {}),
              testing::UnorderedElementsAre("cron.service", "exim4.service"));
  EXPECT_TRUE(root.Exists("/run/systemd/generator.late/exim4.service"));
  std::filesystem::remove_all(root.Path("/run/systemd/generator.late"));
  EXPECT_THAT(names(with_rc, {}), ElementsAre("cron.service"));
  EXPECT_THAT(names(units_only, Units({{"sysv_scripts", Scalar("false")}})),
              ElementsAre("cron.service"));
  EXPECT_FALSE(root.Exists("/run/systemd/generator.late/exim4.service"));
}

}  // namespace
}  // namespace ctinit::units
