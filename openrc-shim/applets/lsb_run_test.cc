// lsb-run (lsb_run.h): the script runs with the verb, and the state is what OpenRC records.
#include "openrc-shim/applets/lsb_run.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "openrc-shim/applets/service_state.h"
#include "tests/unit/temp_dir.h"

namespace ctinit::openrc {
namespace {

class LsbRun : public ::testing::Test {
 protected:
  void SetUp() override {
    svcdir_ = dir_.Path("/run/openrc");
    ::setenv("RC_SVCDIR", svcdir_.c_str(), 1);
    // Logs its arguments; `start` fails when /fail exists.
    dir_.Write("/etc/init.d/lsbd",
               "#!/bin/sh\necho \"$@\" >> " + dir_.Path("/args") + "\n[ \"$1\" = start ] && [ -e " +
                   dir_.Path("/fail") + " ] && exit 7\nexit 0\n",
               0755);
  }
  void TearDown() override { ::unsetenv("RC_SVCDIR"); }
  std::string Script() const { return dir_.Path("/etc/init.d/lsbd"); }
  std::string Args() const {
    std::ifstream in(dir_.Path("/args"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  testutil::TempDir dir_{"ctinit-lsb-run"};
  std::string svcdir_;
};

TEST_F(LsbRun, StartAndStopRunTheScriptAndMarkTheState) {
  EXPECT_EQ(LsbRunMain({Script(), "start"}), 0);
  EXPECT_EQ(GetState(svcdir_, "lsbd"), kStateStarted);
  EXPECT_EQ(LsbRunMain({Script(), "status", "-v"}), 0);
  EXPECT_EQ(GetState(svcdir_, "lsbd"), kStateStarted);  // other verbs mark nothing
  EXPECT_EQ(LsbRunMain({Script(), "stop"}), 0);
  EXPECT_EQ(GetState(svcdir_, "lsbd"), kStateStopped);
  EXPECT_EQ(Args(), "start\nstatus -v\nstop\n");
}

TEST_F(LsbRun, AFailedStartIsStoppedAndFailedWithTheScriptsCode) {
  dir_.Write("/fail", "");
  EXPECT_EQ(LsbRunMain({Script(), "start"}), 7);
  EXPECT_EQ(GetState(svcdir_, "lsbd"), kStateStopped | kStateFailed);
}

TEST_F(LsbRun, BadUsageOrAMissingScriptIsAnError) {
  EXPECT_EQ(LsbRunMain({"relative", "start"}), 1);
  EXPECT_EQ(LsbRunMain({Script()}), 1);
  EXPECT_EQ(LsbRunMain({dir_.Path("/etc/init.d/none"), "start"}), 127);
  EXPECT_EQ(GetState(svcdir_, "none"), kStateStopped | kStateFailed);
}

}  // namespace
}  // namespace ctinit::openrc
