#include "init/program/front_ends.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace ctinit {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

// A front end that says what the test tells it and records what it was told.
class FakeFrontEnd : public FrontEnd {
 public:
  FakeFrontEnd(std::string name, Role role, Presence presence, std::vector<std::string>* log)
      : name_(std::move(name)), role_(role), presence_(presence), log_(log) {}
  std::string_view Name() const override { return name_; }
  Role role() const override { return role_; }
  std::vector<std::string> ConfigKeys() const override { return {name_ + "_key"}; }
  void Configure(const Settings& settings, std::vector<std::string>*) override {
    log_->push_back(name_ + " configured with " + std::to_string(settings.size()));
  }
  Presence Detect() const override { return presence_; }
  void Load(const LoadContext& context, ServiceSet* set) override {
    log_->push_back(name_ + (context.init_scripts_run ? " loaded after scripts" : " loaded"));
    ServiceSpec s;
    s.name = name_ + ".svc";
    set->services.push_back(s);
  }
  void OnLevel(char level, bool settled) override {
    log_->push_back(name_ + " level " + level + (settled ? " settled" : ""));
  }
  std::vector<std::string> LevelEnvironment(char) const override { return {name_ + "=1"}; }
  std::vector<BeforeLoadCommand> BeforeLoad() const override { return before_load; }

  std::vector<BeforeLoadCommand> before_load;

 private:
  std::string name_;
  Role role_;
  Presence presence_;
  std::vector<std::string>* log_;
};

using P = FrontEnd::Presence;
using R = FrontEnd::Role;

struct Case {
  P inittab, openrc, units;
};

std::vector<std::string> Loaded(Case c, std::vector<std::string>* log = nullptr) {
  std::vector<std::string> own;
  if (!log) log = &own;
  std::vector<std::unique_ptr<FrontEnd>> parts;
  parts.push_back(std::make_unique<FakeFrontEnd>("inittab", R::kExclusive, c.inittab, log));
  parts.push_back(std::make_unique<FakeFrontEnd>("openrc", R::kExclusive, c.openrc, log));
  parts.push_back(std::make_unique<FakeFrontEnd>("units", R::kAdditive, c.units, log));
  ComposedFrontEnd composed(std::move(parts));
  ServiceSet set;
  composed.Load({}, &set);
  std::vector<std::string> names;
  for (const auto& s : set.services) names.push_back(s.name);
  EXPECT_EQ(names.size(), composed.loaded().size());
  return composed.loaded();
}

TEST(ComposedFrontEndTest, ChoosesOneBootMachineryAndAddsTheUnits) {
  // An inittab wins over /etc/runlevels (OpenRC's auto mode), units join it.
  EXPECT_THAT(Loaded({P::kPresent, P::kPresent, P::kPresent}), ElementsAre("inittab", "units"));
  // Only runlevels: OpenRC native mode.
  EXPECT_THAT(Loaded({P::kAbsent, P::kPresent, P::kAbsent}), ElementsAre("openrc"));
  // openrc.mode: native beats an inittab.
  EXPECT_THAT(Loaded({P::kPresent, P::kForced, P::kPresent}), ElementsAre("openrc", "units"));
  // A units-only image: no inittab to complain about.
  EXPECT_THAT(Loaded({P::kAbsent, P::kAbsent, P::kPresent}), ElementsAre("units"));
  // Nothing at all: the inittab runs, to say it cannot be opened.
  EXPECT_THAT(Loaded({P::kAbsent, P::kAbsent, P::kAbsent}), ElementsAre("inittab"));
}

TEST(ComposedFrontEndTest, AdditiveFrontEndsHearWhetherInitScriptsRun) {
  std::vector<std::string> log;
  Loaded({P::kPresent, P::kAbsent, P::kPresent}, &log);
  EXPECT_THAT(log, ElementsAre("inittab loaded", "units loaded after scripts"));
  log.clear();
  Loaded({P::kAbsent, P::kAbsent, P::kPresent}, &log);
  EXPECT_THAT(log, ElementsAre("units loaded"));
}

TEST(ComposedFrontEndTest, EveryPartIsConfiguredAndToldTheLevels) {
  std::vector<std::string> log;
  std::vector<std::unique_ptr<FrontEnd>> parts;
  parts.push_back(std::make_unique<FakeFrontEnd>("a", R::kExclusive, P::kPresent, &log));
  parts.push_back(std::make_unique<FakeFrontEnd>("b", R::kAdditive, P::kAbsent, &log));
  ComposedFrontEnd composed(std::move(parts));
  EXPECT_THAT(composed.ConfigKeys(), ElementsAre("a_key", "b_key"));
  composed.Configure({{"a_key", Setting{}}}, nullptr);
  composed.OnLevel('3', true);
  EXPECT_THAT(composed.LevelEnvironment('3'), ElementsAre("a=1", "b=1"));
  EXPECT_THAT(log, ElementsAre("a configured with 1", "b configured with 1", "a level 3 settled",
                               "b level 3 settled"));
}

TEST(ComposedFrontEndTest, BeforeLoadGathersEveryPartsCommandsInOrder) {
  std::vector<std::string> log;
  auto a = std::make_unique<FakeFrontEnd>("a", R::kExclusive, P::kPresent, &log);
  auto b = std::make_unique<FakeFrontEnd>("b", R::kAdditive, P::kPresent, &log);
  auto c = std::make_unique<FakeFrontEnd>("c", R::kAdditive, P::kPresent, &log);
  a->before_load = {{"a-prep", {"/bin/a"}, std::chrono::seconds(1)}};
  c->before_load = {{"c-prep", {"/bin/c", "x"}, std::chrono::seconds(2)},
                    {"c-more", {"/bin/c2"}, std::chrono::seconds(3)}};
  std::vector<std::unique_ptr<FrontEnd>> parts;
  parts.push_back(std::move(a));
  parts.push_back(std::move(b));
  parts.push_back(std::move(c));
  ComposedFrontEnd composed(std::move(parts));
  std::vector<std::string> names;
  for (const auto& cmd : composed.BeforeLoad()) names.push_back(cmd.name);
  EXPECT_THAT(names, ElementsAre("a-prep", "c-prep", "c-more"));
  EXPECT_THAT(log, IsEmpty());  // asking loads nothing
}

std::vector<std::string> Names(const ServiceSet& set) {
  std::vector<std::string> names;
  for (const auto& s : set.services) names.push_back(s.name);
  return names;
}

// The shipped composition over a real tree.
class MakeFrontEndsTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctinit-front-ends-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void Write(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(root_ + path).parent_path());
    std::ofstream(root_ + path) << text;
  }
  std::string root_;
};

TEST_F(MakeFrontEndsTest, TheInittabOfTheImageBoots) {
  Write("/etc/inittab", "id:3:initdefault:\nx1:3:respawn:/bin/sleep 1000\n");
  auto fe = MakeFrontEnds(root_, "/sbin/ctinit", std::nullopt);
  std::vector<std::string> errors;
  fe->Configure({}, &errors);
  ServiceSet set;
  fe->Load({}, &set);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_THAT(fe->loaded(), ElementsAre("inittab"));
  // x1 and sysvinit's built-in "~~" sulogin entry for S.
  EXPECT_THAT(Names(set), ElementsAre("x1", "~~"));
  EXPECT_EQ(set.default_level, '3');
}

TEST_F(MakeFrontEndsTest, CommandLineInittabWinsOverTheConfig) {
  Write("/etc/inittab", "a1:3:respawn:/bin/a\n");
  Write("/other/inittab", "b1:3:respawn:/bin/b\n");
  Write("/third/inittab", "c1:3:respawn:/bin/c\n");
  Settings settings;
  settings["inittab"].scalar = "/third/inittab";
  auto fe = MakeFrontEnds(root_, "/sbin/ctinit", "/other/inittab");
  fe->Configure(settings, nullptr);
  ServiceSet set;
  fe->Load({}, &set);
  EXPECT_THAT(Names(set), ElementsAre("b1", "~~"));
  fe = MakeFrontEnds(root_, "/sbin/ctinit", std::nullopt);
  fe->Configure(settings, nullptr);
  set = {};
  fe->Load({}, &set);
  EXPECT_THAT(Names(set), ElementsAre("c1", "~~"));
}

// The units front end asks for `ctinit run-generators` when the image has generators (or
// output of earlier ones to clear), and units are on.
TEST_F(MakeFrontEndsTest, GeneratorsRunBeforeTheUnitsLoad) {
  auto fe = MakeFrontEnds(root_, "/sbin/ctinit", std::nullopt);
  fe->Configure({}, nullptr);
  EXPECT_THAT(fe->BeforeLoad(), IsEmpty());
  Write("/lib/systemd/system-generators/postgresql-generator", "#!/bin/sh\n");
  auto commands = fe->BeforeLoad();
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].name, "run-generators");
  EXPECT_THAT(commands[0].argv, ElementsAre("/sbin/ctinit", "run-generators", "--root", root_));
  EXPECT_EQ(commands[0].bound, std::chrono::seconds(15));
  Settings settings;
  settings["units"].is_map = true;
  Setting off;
  off.scalar = "off";
  settings["units"].map.emplace_back("mode", off);
  fe->Configure(settings, nullptr);
  EXPECT_THAT(fe->BeforeLoad(), IsEmpty());
}

// What a generator wrote is read with systemd's precedence: generator.early over /etc, /etc
// over generator, generator over /lib, generator.late last.
TEST_F(MakeFrontEndsTest, UnitsFromTheGeneratorDirectoriesLoad) {
  const std::string svc = "[Service]\nExecStart=/bin/sleep 100\n";
  Write("/run/systemd/generator/gen.service", svc);
  Write("/lib/systemd/system/gen.service", "[Service]\nExecStart=/bin/lib-wins\n");
  Write("/run/systemd/generator.late/late.service", svc);
  Write("/lib/systemd/system/late.service", "[Service]\nExecStart=/bin/lib-wins\n");
  Write("/run/systemd/generator.early/early.service", "[Service]\nExecStart=/bin/early\n");
  Write("/etc/systemd/system/early.service", "[Service]\nExecStart=/bin/etc\n");
  const std::string wants = "/run/systemd/generator/multi-user.target.wants/";
  std::filesystem::create_directories(root_ + wants);
  for (std::string name : {"gen.service", "late.service", "early.service"})
    std::filesystem::create_symlink("/lib/systemd/system/" + name, root_ + wants + name);
  auto fe = MakeFrontEnds(root_, "/sbin/ctinit", std::nullopt);
  fe->Configure({}, nullptr);
  ServiceSet set;
  fe->Load({}, &set);
  std::map<std::string, std::string> commands;
  for (const auto& s : set.services)
    if (!s.command.argv.empty()) commands[s.name] = s.command.argv[0];
  EXPECT_EQ(commands["gen.service"], "/bin/sleep");
  EXPECT_EQ(commands["late.service"], "/bin/lib-wins");
  EXPECT_EQ(commands["early.service"], "/bin/early");
}

TEST_F(MakeFrontEndsTest, BadValuesAreOneMessageEach) {
  Settings settings;
  settings["inittab"].scalar = "etc/inittab";
  settings["inittab"].where = "/etc/ctinit/ctinit.yaml:2:10";
  settings["units"].scalar = "off";
  settings["units"].where = "/etc/ctinit/ctinit.yaml:3:8";
  settings["openrc"].is_map = true;
  Setting mode;
  mode.scalar = "sometimes";
  mode.where = "/etc/ctinit/ctinit.yaml:5:9";
  settings["openrc"].map.emplace_back("mode", mode);
  auto fe = MakeFrontEnds(root_, "/sbin/ctinit", std::nullopt);
  std::vector<std::string> errors;
  fe->Configure(settings, &errors);
  EXPECT_THAT(errors,
              ElementsAre("/etc/ctinit/ctinit.yaml:2:10: 'inittab' must be an absolute path, got "
                          "'etc/inittab'",
                          "/etc/ctinit/ctinit.yaml:5:9: 'openrc.mode' must be auto, native or "
                          "inittab; got 'sometimes'",
                          "/etc/ctinit/ctinit.yaml:3:8: 'units' must be a mapping (mode, skip, "
                          "skip_also, strict, init_scripts_win, tag_output, sysv_scripts)"));
}

}  // namespace
}  // namespace ctinit
