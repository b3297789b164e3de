// The initctl FIFO (initctl.h): each request reaches the right call, and the FIFO part reads whole
// requests from a pipe without blocking, skipping bogus ones.
#include "init/runtime/initctl.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "init/runtime/system_fake.h"

namespace ctinit {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records every call as one line.
class RecordingTarget : public InitctlTarget {
 public:
  std::vector<std::string> calls;
  void RequestLevel(char level, std::chrono::milliseconds kill_wait) override {
    calls.push_back(std::string("level ") + level + " " + std::to_string(kill_wait.count()));
  }
  void ReloadServices() override { calls.push_back("reload"); }
  void DemandServices(char which) override { calls.push_back(std::string("demand ") + which); }
  void PowerEvent(char status) override { calls.push_back(std::string("power ") + status); }
  void SetInitEnv(const std::string& name, const std::optional<std::string>& value) override {
    calls.push_back("env " + name + (value ? "=" + *value : " unset"));
  }
};

InitRequest Runlevel(char level, int sleeptime = 0) {
  InitRequest r;
  r.runlevel = level;
  r.sleeptime = sleeptime;
  return r;
}

TEST(ApplyInitRequest, RunlevelsGoToTheLevelWithTheirSleepTime) {
  RecordingTarget target;
  ApplyInitRequest(Runlevel('1', 5), target, "fifo");
  ApplyInitRequest(Runlevel('s'), target, "fifo");
  ApplyInitRequest(Runlevel('0', -3), target, "fifo");  // negative: no wait
  EXPECT_THAT(target.calls, ElementsAre("level 1 5000", "level S 0", "level 0 0"));
}

TEST(ApplyInitRequest, LettersReloadDemandOrAreIgnored) {
  RecordingTarget target;
  for (char c : {'q', 'Q', 'a', 'B', 'c', 'u', 'U', 'x', '\x1b'})
    ApplyInitRequest(Runlevel(c), target, "fifo");
  EXPECT_THAT(target.calls, ElementsAre("reload", "reload", "demand A", "demand B", "demand C"));
}

TEST(ApplyInitRequest, PowerRequestsAndEnvironment) {
  RecordingTarget target;
  InitRequest r;
  r.cmd = InitRequest::Cmd::kPowerFail;
  ApplyInitRequest(r, target, "fifo");
  r.cmd = InitRequest::Cmd::kPowerFailNow;
  ApplyInitRequest(r, target, "fifo");
  r.cmd = InitRequest::Cmd::kPowerOk;
  ApplyInitRequest(r, target, "fifo");
  r.cmd = InitRequest::Cmd::kSetEnv;
  r.env = {{"INIT_HALT", "POWEROFF"}, {"INIT_X", std::nullopt}};
  ApplyInitRequest(r, target, "fifo");
  EXPECT_THAT(target.calls, ElementsAre("power F", "power L", "power O", "env INIT_HALT=POWEROFF",
                                        "env INIT_X unset"));
}

// A FakeSystem whose "FIFO" is the read end of a pipe the test writes to.
class PipeSystem : public FakeSystem {
 public:
  PipeSystem() { EXPECT_EQ(pipe2(fds_, O_CLOEXEC | O_NONBLOCK), 0); }
  ~PipeSystem() override {
    if (fds_[1] >= 0) close(fds_[1]);
    if (!handed_out_ && fds_[0] >= 0) close(fds_[0]);
  }
  int OpenFifo(const std::string& path, std::string*, bool*) override {
    fifos_opened.push_back(path);
    handed_out_ = true;
    return fds_[0];
  }
  void Write(const void* data, size_t n) { ASSERT_EQ(write(fds_[1], data, n), ssize_t(n)); }

 private:
  int fds_[2] = {-1, -1};
  bool handed_out_ = false;
};

TEST(InitctlFifo, ReadsWholeRequestsAndSkipsBogusOnes) {
  boost::asio::io_context io;
  PipeSystem system;
  RecordingTarget target;
  InitctlFifo fifo(io, system, target);
  fifo.Open("/run/initctl");
  ASSERT_TRUE(fifo.open());
  EXPECT_THAT(system.fifos_opened, ElementsAre("/run/initctl"));

  auto one = EncodeRunlevel('2', 0);
  system.Write(one.data(), one.size());
  system.Write("junk", 4);  // one read() returns it alone: a bogus request, skipped
  io.poll();
  auto two = EncodeSetEnv({"INIT_HALT=HALT"});
  system.Write(two.data(), two.size());
  io.restart();
  io.poll();
  EXPECT_THAT(target.calls, ElementsAre("level 2 0", "env INIT_HALT=HALT"));

  fifo.Close();
  EXPECT_FALSE(fifo.open());
  EXPECT_FALSE(fifo.StillThere());
}

TEST(InitctlFifo, AFifoThatCannotBeOpenedIsNotOpen) {
  boost::asio::io_context io;
  FakeSystem system;  // its OpenFifo always fails
  RecordingTarget target;
  InitctlFifo fifo(io, system, target);
  fifo.Open("/run/initctl");
  EXPECT_FALSE(fifo.open());
  EXPECT_FALSE(fifo.StillThere());
  EXPECT_THAT(target.calls, IsEmpty());
}

}  // namespace
}  // namespace ctinit
