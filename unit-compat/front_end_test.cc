#include "unit-compat/front_end.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
                          "skip_also, strict, init_scripts_win, tag_output)",
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

}  // namespace
}  // namespace ctinit::units
