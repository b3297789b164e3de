#include "init/runtime/utmp.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "tests/unit/temp_dir.h"

namespace ctinit {
namespace {

namespace fs = std::filesystem;

std::vector<struct utmp> ReadAll(const std::string& path) {
  std::vector<struct utmp> out;
  std::ifstream in(path, std::ios::binary);
  struct utmp u;
  while (in.read(reinterpret_cast<char*>(&u), sizeof(u))) out.push_back(u);
  return out;
}

std::string Field(const char* f, size_t n) { return std::string(f, strnlen(f, n)); }
#define FIELD(u, name) Field((u).name, sizeof((u).name))

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

class UtmpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    root_ = dir_.path();
    fs::create_directories(root_ + "/var/run");
    fs::create_directories(root_ + "/var/log");
    std::ofstream(root_ + "/var/log/wtmp").close();
  }
  std::string utmp() const { return root_ + "/var/run/utmp"; }
  std::string wtmp() const { return root_ + "/var/log/wtmp"; }

  testutil::TempDir dir_{"ctinit-utmp"};  // removed with the fixture
  std::string root_;
};

TEST_F(UtmpTest, TruncateCreatesEmptyUtmp) {
  std::ofstream(utmp()) << "junk";
  UtmpWriter w(root_);
  w.Truncate();
  struct stat st;
  ASSERT_EQ(stat(utmp().c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  fs::remove(utmp());
  w.Truncate();
  ASSERT_EQ(stat(utmp().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0022, 0644u & ~0022);
}

TEST_F(UtmpTest, BootTimeRecord) {
  UtmpWriter w(root_);
  w.Truncate();
  w.BootTime();
  for (const std::string& path : {utmp(), wtmp()}) {
    auto recs = ReadAll(path);
    ASSERT_EQ(recs.size(), 1u) << path;
    EXPECT_EQ(recs[0].ut_type, BOOT_TIME);
    EXPECT_EQ(recs[0].ut_pid, 0);
    EXPECT_EQ(FIELD(recs[0], ut_user), "reboot");
    EXPECT_EQ(FIELD(recs[0], ut_id), "~~");
    EXPECT_EQ(FIELD(recs[0], ut_line), "~");
    EXPECT_NEAR(recs[0].ut_tv.tv_sec, time(nullptr), 5);
  }
  EXPECT_EQ(FIELD(ReadAll(utmp())[0], ut_host), "");
  EXPECT_NE(FIELD(ReadAll(wtmp())[0], ut_host), "");  // kernel release, as sysvinit
}

TEST_F(UtmpTest, RunlevelReplacesUtmpRecordAndAppendsWtmp) {
  UtmpWriter w(root_);
  w.Truncate();
  w.BootTime();
  w.Runlevel('2', 0);
  EXPECT_EQ(UtmpWriter::ReadRunlevel(root_), std::make_pair('N', '2'));
  EXPECT_EQ(Slurp(root_ + "/var/run/runlevel"), "2");
  w.Runlevel('3', '2');
  EXPECT_EQ(UtmpWriter::ReadRunlevel(root_), std::make_pair('2', '3'));
  EXPECT_EQ(Slurp(root_ + "/var/run/runlevel"), "3");

  auto u = ReadAll(utmp());
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[1].ut_type, RUN_LVL);
  EXPECT_EQ(u[1].ut_pid, '3' + 256 * '2');
  EXPECT_EQ(FIELD(u[1], ut_user), "runlevel");
  EXPECT_EQ(FIELD(u[1], ut_id), "~~");
  EXPECT_EQ(FIELD(u[1], ut_line), "~");
  auto wt = ReadAll(wtmp());
  ASSERT_EQ(wt.size(), 3u);
  EXPECT_EQ(wt[1].ut_pid, '2' + 256 * 'N');
  EXPECT_EQ(wt[2].ut_pid, '3' + 256 * '2');
}

TEST_F(UtmpTest, ProcessRecordsShareTheIdSlot) {
  UtmpWriter w(root_);
  w.Truncate();
  // A getty turned its INIT_PROCESS record into a LOGIN_PROCESS one with its tty.
  struct utmp login;
  std::memset(&login, 0, sizeof(login));
  login.ut_type = LOGIN_PROCESS;
  login.ut_pid = 41;
  std::strncpy(login.ut_id, "1", sizeof(login.ut_id));
  std::strncpy(login.ut_line, "tty1", sizeof(login.ut_line));
  std::ofstream(utmp(), std::ios::binary).write(reinterpret_cast<char*>(&login), sizeof(login));

  w.DeadProcess(41, "1");
  w.InitProcess(42, "1");
  w.InitProcess(43, "long-id");
  auto u = ReadAll(utmp());
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].ut_type, INIT_PROCESS);
  EXPECT_EQ(u[0].ut_pid, 42);
  EXPECT_EQ(FIELD(u[1], ut_id), "long");
  EXPECT_EQ(u[1].ut_pid, 43);

  auto wt = ReadAll(wtmp());
  ASSERT_EQ(wt.size(), 3u);
  EXPECT_EQ(wt[0].ut_type, DEAD_PROCESS);
  EXPECT_EQ(wt[0].ut_pid, 41);
  EXPECT_EQ(FIELD(wt[0], ut_line), "tty1");  // kept from the old record, for last(1)
  EXPECT_EQ(FIELD(wt[0], ut_user), "");
  EXPECT_EQ(wt[1].ut_type, INIT_PROCESS);
}

TEST_F(UtmpTest, PartialTrailingRecordIsOverwritten) {
  UtmpWriter w(root_);
  w.Truncate();
  w.BootTime();
  std::ofstream(utmp(), std::ios::app) << "garbage";
  w.Runlevel('2', 0);
  EXPECT_EQ(fs::file_size(utmp()), 2 * sizeof(struct utmp));
  EXPECT_EQ(UtmpWriter::ReadRunlevel(root_), std::make_pair('N', '2'));
}

TEST_F(UtmpTest, MissingDirectoriesNeverFail) {
  std::string empty = root_ + "/nothing-here";
  UtmpWriter w(empty);
  w.Truncate();
  w.BootTime();
  w.Runlevel('2', 0);
  w.InitProcess(5, "x");
  w.DeadProcess(5, "x");
  EXPECT_FALSE(fs::exists(empty));
  EXPECT_EQ(UtmpWriter::ReadRunlevel(empty), std::nullopt);
}

TEST_F(UtmpTest, UnwritableFilesNeverFail) {
  fs::create_directories(utmp());  // a directory where the file should be: EISDIR
  fs::remove(wtmp());
  fs::create_directories(wtmp());
  UtmpWriter w(root_);
  w.Truncate();
  w.BootTime();
  w.Runlevel('4', 'S');
  w.InitProcess(5, "x");
  EXPECT_EQ(UtmpWriter::ReadRunlevel(root_), std::make_pair('N', '4'));  // via var/run/runlevel
}

TEST_F(UtmpTest, DelayedRecordsWhenFilesAppearLater) {
  fs::remove(wtmp());
  UtmpWriter w(root_);
  w.BootTime();  // no utmp, no wtmp yet
  w.Runlevel('2', 0);
  std::ofstream(utmp()).close();
  std::ofstream(wtmp()).close();
  w.InitProcess(7, "c1");
  for (const std::string& path : {utmp(), wtmp()}) {
    auto recs = ReadAll(path);
    ASSERT_EQ(recs.size(), 3u) << path;
    EXPECT_EQ(recs[0].ut_type, BOOT_TIME);
    EXPECT_EQ(recs[1].ut_type, RUN_LVL);
    EXPECT_EQ(recs[1].ut_pid, '2' + 256 * 'N');
    EXPECT_EQ(recs[2].ut_type, INIT_PROCESS);
  }
  w.InitProcess(8, "c2");  // written once only
  EXPECT_EQ(ReadAll(wtmp()).size(), 4u);
}

TEST_F(UtmpTest, UtmpEmptiedAfterBootGetsBootAndLevelBack) {
  UtmpWriter w(root_);
  w.Truncate();
  w.BootTime();
  w.Runlevel('S', 0);
  auto boot_sec = ReadAll(utmp())[0].ut_tv.tv_sec;
  std::ofstream(utmp(), std::ios::trunc).close();  // Debian bootmisc.sh does this
  w.Runlevel('2', 'S');
  auto u = ReadAll(utmp());
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].ut_type, BOOT_TIME);
  EXPECT_EQ(u[0].ut_tv.tv_sec, boot_sec);
  EXPECT_EQ(u[1].ut_pid, '2' + 256 * 'S');
}

TEST_F(UtmpTest, ReadRunlevelFallsBackToRunlevelFile) {
  EXPECT_EQ(UtmpWriter::ReadRunlevel(root_), std::nullopt);
  std::ofstream(root_ + "/var/run/runlevel") << "5";
  EXPECT_EQ(UtmpWriter::ReadRunlevel(root_), std::make_pair('N', '5'));
}

// Cross-checks with independent readers of the format.
TEST_F(UtmpTest, CoreutilsWhoReadsOurRecords) {
  if (access("/usr/bin/who", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/who";
  UtmpWriter w(root_);
  w.Truncate();
  w.BootTime();
  w.Runlevel('3', 'S');
  EXPECT_NE(Capture("/usr/bin/who -b " + utmp()).find("system boot"), std::string::npos);
  std::string r = Capture("/usr/bin/who -r " + utmp());
  EXPECT_NE(r.find("run-level 3"), std::string::npos) << r;
  EXPECT_NE(r.find("last=S"), std::string::npos) << r;
}

// sysvinit's runlevel(8) takes the utmp file as argv[1]. CTINIT_SYSVINIT_ROOT is a directory
// with sbin/runlevel from Debian's sysvinit-core (apt-get download sysvinit-core; dpkg -x).
TEST_F(UtmpTest, SysvinitRunlevelReadsOurRecords) {
  const char* sv = std::getenv("CTINIT_SYSVINIT_ROOT");
  if (sv == nullptr) GTEST_SKIP() << "CTINIT_SYSVINIT_ROOT not set (sysvinit-core tree)";
  std::string bin = std::string(sv) + "/sbin/runlevel";
  if (access(bin.c_str(), X_OK) != 0) GTEST_SKIP() << bin << " not executable";
  UtmpWriter w(root_);
  w.Truncate();
  w.BootTime();
  w.Runlevel('2', 0);
  EXPECT_EQ(Capture(bin + " " + utmp()), "N 2\n");
  w.Runlevel('6', '2');
  EXPECT_EQ(Capture(bin + " " + utmp()), "2 6\n");
}

}  // namespace
}  // namespace ctinit
