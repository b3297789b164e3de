// Issue 11, case 1: a service that is not root cannot make PID 1 take another process for its
// main process (and so kill it on stop): a MAINPID= from a non-root sender and a pid file not
// owned by root are taken only when that process belongs to the service.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "init/engine/supervisor_fake_test.h"

namespace ctinit {
namespace {

using namespace testing_support;  // NOLINT

constexpr uid_t kNobody = 65534;

class TrustTest : public UnitsTest {
 protected:
  // "d" (notify, NotifyAccess=all) and "victim", another service's daemon.
  void StartBoth() {
    auto d = NotifyDaemon("d");
    d.notify_access = ServiceSpec::NotifyAccess::kAll;
    Start({d, Daemon("victim")}, '3');
    d_pid_ = PidOfText("/bin/d");
    victim_pid_ = PidOfText("/bin/victim");
  }
  bool NotifyAs(uid_t uid, std::vector<std::string> fields) {
    return sup_->OnNotify(d_pid_, d_pid_, fields, uid);
  }
  pid_t d_pid_ = 0, victim_pid_ = 0;
};

TEST_F(TrustTest, AForeignMainPidFromANonRootSenderIsRefused) {
  StartBoth();
  ASSERT_TRUE(NotifyAs(kNobody, {"MAINPID=" + std::to_string(victim_pid_), "READY=1"}));
  EXPECT_EQ(MainPid("d"), d_pid_);  // the old main pid stays
  EXPECT_EQ(State("d"), ServiceState::kUp);
  ASSERT_TRUE(sup_->Stop("d"));
  EXPECT_THAT(KillsOf(d_pid_), testing::Not(testing::IsEmpty()));
  EXPECT_THAT(KillsOf(victim_pid_), testing::IsEmpty());  // the other service is left alone
  EXPECT_EQ(State("victim"), ServiceState::kUp);
}

TEST_F(TrustTest, AMainPidOfTheServicesOwnProcessIsTakenFromAnySender) {
  StartBoth();
  host_.members[4242] = d_pid_;  // a child of d, in its process group
  ASSERT_TRUE(NotifyAs(kNobody, {"MAINPID=4242", "READY=1"}));
  EXPECT_EQ(MainPid("d"), 4242);
  EXPECT_EQ(host_.mains.back(), (std::pair<std::string, pid_t>("d", 4242)));
}

TEST_F(TrustTest, RootMayNameAnyProcess) {
  StartBoth();
  ASSERT_TRUE(NotifyAs(0, {"MAINPID=" + std::to_string(victim_pid_)}));
  EXPECT_EQ(MainPid("d"), victim_pid_);
}

TEST_F(TrustTest, APidFileNotOwnedByRootNamingAForeignProcessFailsTheStart) {
  host_.pidfiles["/run/f.pid"] = 777;
  host_.pidfile_owners["/run/f.pid"] = kNobody;
  Start({Forking("f", "/run/f.pid")}, '3');
  ExitText("/bin/f", 0);  // the launcher is done: the pid file is read
  EXPECT_EQ(State("f"), ServiceState::kFailed);
  EXPECT_THAT(host_.mains, testing::IsEmpty());
}

TEST_F(TrustTest, APidFileNamingTheServicesProcessOrOwnedByRootIsTaken) {
  host_.pidfiles["/run/f.pid"] = 777;
  host_.pidfile_owners["/run/f.pid"] = kNobody;
  host_.pidfiles["/run/g.pid"] = 888;  // owned by root
  Start({Forking("f", "/run/f.pid"), Forking("g", "/run/g.pid")}, '3');
  host_.members[777] = PidOfText("/bin/f");  // the daemon the launcher left in its session
  ExitText("/bin/f", 0);
  ExitText("/bin/g", 0);
  EXPECT_EQ(State("f"), ServiceState::kUp);
  EXPECT_EQ(MainPid("f"), 777);
  EXPECT_EQ(State("g"), ServiceState::kUp);
  EXPECT_EQ(MainPid("g"), 888);
}

TEST_F(TrustTest, APidFileMayNameAProcessOfItsOwnOwnerOutsideTheService) {
  // PostgreSQL: pg_ctl (started as root) leaves the server, running as postgres, in a session
  // of its own; its pid file is postgres's. postgres could signal that process anyway.
  host_.pidfiles["/run/pg.pid"] = 777;
  host_.pidfile_owners["/run/pg.pid"] = kNobody;
  host_.runs_as[777] = kNobody;
  host_.pidfiles["/run/x.pid"] = 888;
  host_.pidfile_owners["/run/x.pid"] = kNobody;
  host_.runs_as[888] = 0;  // root's process, named by nobody's file: refused
  Start({Forking("pg", "/run/pg.pid"), Forking("x", "/run/x.pid")}, '3');
  ExitText("/bin/pg", 0);
  ExitText("/bin/x", 0);
  EXPECT_EQ(State("pg"), ServiceState::kUp);
  EXPECT_EQ(MainPid("pg"), 777);
  EXPECT_EQ(State("x"), ServiceState::kFailed);
}

}  // namespace
}  // namespace ctinit
