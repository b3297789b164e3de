#include "openrc-shim/applets/service_values.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ctinit::openrc {
namespace {
namespace fs = std::filesystem;

class ServiceValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctinit-values-XXXXXX";
    svcdir_ = mkdtemp(tmpl);
    fs::create_directories(svcdir_ + "/options");
    setenv("RC_SVCNAME", "mysql", 1);
  }
  void TearDown() override {
    unsetenv("RC_SVCNAME");
    fs::remove_all(svcdir_);
  }
  // Runs the applet with stdout captured.
  int Run(const std::string& applet, const std::vector<std::string>& args, std::string* out) {
    testing::internal::CaptureStdout();
    int rc = ServiceValueMain(applet, args, svcdir_);
    *out = testing::internal::GetCapturedStdout();
    return rc;
  }
  std::string File(const std::string& name) {
    std::ifstream in(svcdir_ + "/options/mysql/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string svcdir_;
};

TEST_F(ServiceValuesTest, SaveOptionsThenGetOptionsReturnsTheValueWithoutNewline) {
  std::string out;
  EXPECT_EQ(Run("save_options", {"pidfile", "/run/mysqld/mysqld.pid"}, &out), 0);
  EXPECT_EQ(File("pidfile"), "/run/mysqld/mysqld.pid");
  EXPECT_EQ(Run("get_options", {"pidfile"}, &out), 0);
  EXPECT_EQ(out, "/run/mysqld/mysqld.pid");
}

TEST_F(ServiceValuesTest, TheTwoNamePairsShareOneStore) {
  std::string out;
  EXPECT_EQ(Run("service_set_value", {"basedir", "/usr"}, &out), 0);
  EXPECT_EQ(Run("get_options", {"basedir"}, &out), 0);
  EXPECT_EQ(out, "/usr");
  EXPECT_EQ(Run("save_options", {"x", "y z"}, &out), 0);
  EXPECT_EQ(Run("service_get_value", {"x"}, &out), 0);
  EXPECT_EQ(out, "y z");
}

TEST_F(ServiceValuesTest, MissingValueFailsAndPrintsNothing) {
  std::string out;
  EXPECT_EQ(Run("get_options", {"nothing"}, &out), 1);
  EXPECT_EQ(out, "");
}

TEST_F(ServiceValuesTest, SetWithoutValueRemovesTheOption) {
  std::string out;
  Run("save_options", {"pidfile", "/run/a.pid"}, &out);
  EXPECT_EQ(Run("save_options", {"pidfile"}, &out), 0);
  EXPECT_FALSE(fs::exists(svcdir_ + "/options/mysql/pidfile"));
  EXPECT_EQ(Run("get_options", {"pidfile"}, &out), 1);
}

TEST_F(ServiceValuesTest, EmptyValueIsStoredAsEmpty) {
  std::string out;
  EXPECT_EQ(Run("save_options", {"empty", ""}, &out), 0);
  EXPECT_EQ(Run("get_options", {"empty"}, &out), 0);
  EXPECT_EQ(out, "");
}

TEST_F(ServiceValuesTest, NoServiceOrNoOptionIsAnError) {
  std::string out;
  EXPECT_EQ(Run("save_options", {}, &out), 1);
  EXPECT_EQ(Run("get_options", {""}, &out), 1);
  unsetenv("RC_SVCNAME");
  EXPECT_EQ(Run("save_options", {"a", "b"}, &out), 1);
}

TEST_F(ServiceValuesTest, OptionNamesCannotLeaveTheServiceDirectory) {
  std::string out;
  EXPECT_EQ(Run("save_options", {"../escape", "x"}, &out), 1);
  EXPECT_FALSE(fs::exists(svcdir_ + "/options/escape"));
}

TEST_F(ServiceValuesTest, CreatesTheOptionsDirectoryWhenTheStateDirIsNew) {
  fs::remove_all(svcdir_ + "/options");
  std::string out;
  EXPECT_EQ(Run("save_options", {"k", "v"}, &out), 0);
  EXPECT_EQ(File("k"), "v");
}

TEST(ServiceValueApplets, Names) {
  for (const char* n : {"save_options", "get_options", "service_get_value", "service_set_value"})
    EXPECT_TRUE(IsServiceValueApplet(n)) << n;
  EXPECT_FALSE(IsServiceValueApplet("service_started"));
}

}  // namespace
}  // namespace ctinit::openrc
