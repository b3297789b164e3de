#include "unit-compat/generators.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "tests/unit/temp_dir.h"

namespace ctinit::units {
namespace {

using namespace std::chrono_literals;

// Whether the process whose /proc stat file is `stat_path` is gone (or dead) within `bound`.
bool GoneWithin(const std::string& stat_path, std::chrono::milliseconds bound) {
  auto until = std::chrono::steady_clock::now() + bound;
  do {
    std::ifstream in(stat_path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.empty() || text.find(") Z") != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

class GeneratorsTest : public ::testing::Test {
 protected:
  testutil::TempDir root{"ctinit-generators"};
  GeneratorOptions Options() {
    GeneratorOptions o;
    o.root = root.path();
    return o;
  }
  // A shell-script generator in `dir`.
  void Script(const std::string& dir, const std::string& name, const std::string& body) {
    root.Write(dir + "/" + name, "#!/bin/sh\n" + body + "\n", 0755);
  }
  std::vector<std::string> Names(const GeneratorOptions& o, std::vector<std::string>* over) {
    std::vector<std::string> names;
    for (const auto& g : FindGenerators(o, over)) names.push_back(g.name + "@" + g.path);
    return names;
  }
};

TEST_F(GeneratorsTest, SearchPathPutsTheOutputDirectoriesWhereSystemdDoes) {
  std::vector<std::string> expected = {
      "/run/systemd/generator.early", "/etc/systemd/system",           "/run/systemd/system",
      "/run/systemd/generator",       "/usr/local/lib/systemd/system", "/usr/lib/systemd/system",
      "/lib/systemd/system",          "/run/systemd/generator.late"};
  EXPECT_EQ(ManagerSearchPath(), expected);
}

TEST_F(GeneratorsTest, EarlierDirectoriesHideSameNameAndMasksDisable) {
  Script("/usr/lib/systemd/system-generators", "a-gen", "exit 0");
  Script("/etc/systemd/system-generators", "a-gen", "exit 0");  // wins over /usr/lib
  Script("/lib/systemd/system-generators", "b-gen", "exit 0");
  Script("/lib/systemd/system-generators", "masked-gen", "exit 0");
  root.Link("/dev/null", "/etc/systemd/system-generators/masked-gen");
  Script("/lib/systemd/system-generators", "empty-gen", "exit 0");
  root.Write("/run/systemd/system-generators/empty-gen", "");
  root.Write("/lib/systemd/system-generators/plain-file", "#!/bin/sh\n", 0644);
  Script("/lib/systemd/system-generators", "systemd-sysv-generator", "exit 0");
  std::vector<std::string> over;
  EXPECT_EQ(Names(Options(), &over),
            (std::vector<std::string>{"a-gen@/etc/systemd/system-generators/a-gen",
                                      "b-gen@/lib/systemd/system-generators/b-gen"}));
  EXPECT_EQ(over, (std::vector<std::string>{"empty-gen: masked", "masked-gen: masked",
                                            "plain-file: not executable",
                                            "systemd-sysv-generator: in the skip list"}));
}

TEST_F(GeneratorsTest, RunsWithThreeEmptiedOutputDirsAndSystemdEnvironment) {
  root.Write("/run/systemd/generator/stale.service", "[Service]\n");
  root.Write("/run/systemd/generator.late/stale.service", "[Service]\n");
  Script("/usr/lib/systemd/system-generators", "pg",
         "mkdir -p \"$1/postgresql.service.wants\"\n"
         "ln -s /lib/systemd/system/postgresql@.service "
         "\"$1/postgresql.service.wants/postgresql@15-main.service\"\n"
         "echo \"$#|$SYSTEMD_SCOPE|$SYSTEMD_IN_INITRD|$SYSTEMD_VIRTUALIZATION|"
         "${SYSTEMD_FIRST_BOOT-unset}\" > \"$2/env\"\n"
         "echo \"$3\" > \"$3/late\"");
  auto o = Options();
  o.virtualization = "docker";
  std::ostringstream log;
  EXPECT_EQ(RunGenerators(o, log), 0);
  EXPECT_EQ(log.str(), "");
  EXPECT_FALSE(root.Exists("/run/systemd/generator/stale.service"));
  EXPECT_FALSE(root.Exists("/run/systemd/generator.late/stale.service"));
  EXPECT_EQ(root.ReadLink("/run/systemd/generator/postgresql.service.wants/"
                          "postgresql@15-main.service"),
            "/lib/systemd/system/postgresql@.service");
  EXPECT_EQ(root.Read("/run/systemd/generator.early/env"), "3|system|0|container:docker|unset\n");
  EXPECT_EQ(root.Read("/run/systemd/generator.late/late"),
            root.Path("/run/systemd/generator.late") + "\n");
}

TEST_F(GeneratorsTest, UnknownRuntimeLeavesVirtualizationOut) {
  Script("/usr/lib/systemd/system-generators", "g",
         "echo \"${SYSTEMD_VIRTUALIZATION-unset}\" > \"$1/v\"");
  std::ostringstream log;
  EXPECT_EQ(RunGenerators(Options(), log), 0);
  EXPECT_EQ(root.Read("/run/systemd/generator/v"), "unset\n");
}

TEST_F(GeneratorsTest, AFailingGeneratorIsOneLineAndTheOthersStillRun) {
  Script("/usr/lib/systemd/system-generators", "a-fails", "exit 3");
  Script("/usr/lib/systemd/system-generators", "b-works", "touch \"$1/b-ran\"");
  std::ostringstream log;
  EXPECT_EQ(RunGenerators(Options(), log), 1);
  EXPECT_EQ(log.str(), "run-generators: /usr/lib/systemd/system-generators/a-fails: exited 3\n");
  EXPECT_TRUE(root.Exists("/run/systemd/generator/b-ran"));
}

TEST_F(GeneratorsTest, AHangingGeneratorIsKilledWithItsChildrenAtItsBound) {
  Script("/usr/lib/systemd/system-generators", "a-hangs",
         "sleep 30 & echo $! > \"$1/child\"; wait");
  Script("/usr/lib/systemd/system-generators", "b-works", "touch \"$1/b-ran\"");
  auto o = Options();
  o.each = 300ms;
  std::ostringstream log;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(RunGenerators(o, log), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_NE(log.str().find("a-hangs: killed after"), std::string::npos) << log.str();
  EXPECT_TRUE(root.Exists("/run/systemd/generator/b-ran"));
  std::string child = root.Read("/run/systemd/generator/child");
  ASSERT_FALSE(child.empty());
  // Its process group was killed: the sleep is gone, or a zombie until its new parent reaps it.
  EXPECT_TRUE(GoneWithin("/proc/" + std::to_string(std::stoi(child)) + "/stat", 2s));
}

TEST_F(GeneratorsTest, TheTotalBoundStopsTheRest) {
  Script("/usr/lib/systemd/system-generators", "a-slow", "sleep 30");
  Script("/usr/lib/systemd/system-generators", "b-late", "touch \"$1/b-ran\"");
  auto o = Options();
  o.each = 5s;
  o.total = 300ms;
  std::ostringstream log;
  EXPECT_EQ(RunGenerators(o, log), 1);
  EXPECT_NE(log.str().find("a-slow: killed after"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("b-late: not run"), std::string::npos) << log.str();
  EXPECT_FALSE(root.Exists("/run/systemd/generator/b-ran"));
}

TEST_F(GeneratorsTest, NoGeneratorsStillEmptiesTheOutput) {
  root.Write("/run/systemd/generator.early/old.service", "");
  std::ostringstream log;
  EXPECT_EQ(RunGenerators(Options(), log), 0);
  EXPECT_FALSE(root.Exists("/run/systemd/generator.early/old.service"));
  EXPECT_TRUE(root.Exists("/run/systemd/generator.early"));
}

TEST_F(GeneratorsTest, MainRefusesUnknownArguments) {
  EXPECT_EQ(RunGeneratorsMain({"--frobnicate"}, ""), 2);
}

}  // namespace
}  // namespace ctinit::units
