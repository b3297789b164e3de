#include "openrc-shim/applets/mount_tools.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace ctinit::openrc {
namespace {
namespace fs = std::filesystem;

constexpr const char* kProcMounts =
    "rootfs / rootfs rw 0 0\n"
    "overlay / overlay rw,relatime,lowerdir=/l 0 0\n"
    "proc /proc proc rw,nosuid,nodev,noexec 0 0\n"
    "tmpfs /run tmpfs rw,nosuid,mode=755 0 0\n"
    "server:/export /data nfs4 rw,vers=4.2 0 0\n"
    "/dev/sdb1 /srv/db ext4 rw,noatime 0 0\n";

constexpr const char* kFstab =
    "# comment\n"
    "\n"
    "/dev/sda1  /        ext4  defaults         0 1\n"
    "/dev/sda2  /boot    ext2  noauto,noatime   1 2\n"
    "server:/export /data nfs4 _netdev,rw       0 0\n"
    "/dev/sdb1  /srv/db  ext4  noatime          0 2\n"
    "/dev/sdc1  /my\\040files vfat  umask=022  0 0\n"
    "none       none     swap  sw               0 0\n";

class MountToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ctinit-mounts-XXXXXX";
    dir_ = mkdtemp(tmpl);
    files_.proc_mounts = dir_ + "/mounts";
    files_.fstab = dir_ + "/fstab";
    std::ofstream(files_.proc_mounts) << kProcMounts;
    std::ofstream(files_.fstab) << kFstab;
    unsetenv("EINFO_QUIET");
  }
  void TearDown() override { fs::remove_all(dir_); }
  int Mountinfo(const std::vector<std::string>& args, std::string* out) {
    testing::internal::CaptureStdout();
    int rc = MountinfoMain(args, files_);
    *out = testing::internal::GetCapturedStdout();
    return rc;
  }
  int Fstabinfo(const std::vector<std::string>& args, std::string* out) {
    testing::internal::CaptureStdout();
    int rc = FstabinfoMain(args, files_);
    *out = testing::internal::GetCapturedStdout();
    return rc;
  }
  std::string dir_;
  MountFiles files_;
};

TEST_F(MountToolsTest, MountinfoListsMountPointsNewestFirstWithoutRootfs) {
  std::string out;
  EXPECT_EQ(Mountinfo({}, &out), 0);
  EXPECT_EQ(out, "/srv/db\n/data\n/run\n/proc\n/\n");
}

TEST_F(MountToolsTest, MountinfoQuietAnswersIsItMounted) {
  std::string out;
  EXPECT_EQ(Mountinfo({"-q", "/srv/db"}, &out), 0);
  EXPECT_EQ(out, "");
  EXPECT_EQ(Mountinfo({"--quiet", "/nowhere"}, &out), 1);
  setenv("EINFO_QUIET", "yes", 1);
  EXPECT_EQ(Mountinfo({"/run"}, &out), 0);
  EXPECT_EQ(out, "");
}

TEST_F(MountToolsTest, MountinfoPrintsTypeNodeOrOptionsOfAMountPoint) {
  std::string out;
  EXPECT_EQ(Mountinfo({"--fstype", "/data"}, &out), 0);
  EXPECT_EQ(out, "nfs4\n");
  EXPECT_EQ(Mountinfo({"-t", "/srv/db"}, &out), 0);
  EXPECT_EQ(out, "/dev/sdb1\n");
  EXPECT_EQ(Mountinfo({"/run", "-i"}, &out), 0);  // options after operands (GNU getopt)
  EXPECT_EQ(out, "rw,nosuid,mode=755\n");
}

TEST_F(MountToolsTest, MountinfoRegexFilters) {
  std::string out;
  EXPECT_EQ(Mountinfo({"-f", "^(nfs|nfs4)$"}, &out), 0);
  EXPECT_EQ(out, "/data\n");
  EXPECT_EQ(Mountinfo({"-F", "^(proc|tmpfs|overlay)$"}, &out), 0);
  EXPECT_EQ(out, "/srv/db\n/data\n");
  EXPECT_EQ(Mountinfo({"--node-regex", "^/dev/"}, &out), 0);
  EXPECT_EQ(out, "/srv/db\n");
  EXPECT_EQ(Mountinfo({"-N", "^(proc|tmpfs|overlay)$", "-O", "noatime"}, &out), 0);
  EXPECT_EQ(out, "/data\n");
  EXPECT_EQ(Mountinfo({"-o", "nosuid"}, &out), 0);
  EXPECT_EQ(out, "/run\n/proc\n");
  // -p / -P filter what is printed: here the mount points.
  EXPECT_EQ(Mountinfo({"-p", "^/(run|proc)"}, &out), 0);
  EXPECT_EQ(out, "/run\n/proc\n");
  EXPECT_EQ(Mountinfo({"-P", "^/(run|proc|srv)"}, &out), 0);
  EXPECT_EQ(out, "/data\n/\n");
  EXPECT_EQ(Mountinfo({"-f", "^btrfs$"}, &out), 1);
  EXPECT_EQ(out, "");
}

TEST_F(MountToolsTest, MountinfoNetdevUsesFstab) {
  std::string out;
  EXPECT_EQ(Mountinfo({"-q", "--netdev", "/data"}, &out), 0);
  EXPECT_EQ(Mountinfo({"-q", "--netdev", "/srv/db"}, &out), 1);
  EXPECT_EQ(Mountinfo({"-q", "--nonetdev", "/srv/db"}, &out), 0);
  // Not in fstab and a mount point given: neither.
  EXPECT_EQ(Mountinfo({"-q", "--netdev", "/run"}, &out), 1);
  EXPECT_EQ(Mountinfo({"-q", "--nonetdev", "/run"}, &out), 1);
}

TEST_F(MountToolsTest, MountinfoRefusesRelativePointsAndBadRegexes) {
  std::string out;
  EXPECT_EQ(Mountinfo({"data"}, &out), 1);
  EXPECT_EQ(Mountinfo({"-f", "("}, &out), 1);
}

TEST_F(MountToolsTest, FstabinfoListsMountPoints) {
  std::string out;
  EXPECT_EQ(Fstabinfo({}, &out), 0);
  EXPECT_EQ(out, "/\n/boot\n/data\n/srv/db\n/my files\nnone\n");
}

TEST_F(MountToolsTest, FstabinfoFieldsOfOneEntry) {
  std::string out;
  EXPECT_EQ(Fstabinfo({"--options", "/boot"}, &out), 0);
  EXPECT_EQ(out, "noauto,noatime\n");
  EXPECT_EQ(Fstabinfo({"-b", "/srv/db"}, &out), 0);
  EXPECT_EQ(out, "/dev/sdb1\n");
  EXPECT_EQ(Fstabinfo({"-m", "/boot"}, &out), 0);
  EXPECT_EQ(out, "-o noauto,noatime -t ext2 /dev/sda2 /boot\n");
  // OpenRC's quirk, kept: -p POINT is no filter, so every entry's pass number follows.
  EXPECT_EQ(Fstabinfo({"--passno", "/boot"}, &out), 0);
  EXPECT_EQ(out, "2\n1\n2\n0\n2\n0\n0\n");
  EXPECT_EQ(Fstabinfo({"--passno", "/boot", "/boot"}, &out), 0);
  EXPECT_EQ(out, "2\n");
  EXPECT_EQ(Fstabinfo({"-o", "/my files"}, &out), 0);
  EXPECT_EQ(out, "umask=022\n");
}

TEST_F(MountToolsTest, FstabinfoFilters) {
  std::string out;
  EXPECT_EQ(Fstabinfo({"-t", "ext4,ext2"}, &out), 0);
  EXPECT_EQ(out, "/\n/srv/db\n/boot\n");
  EXPECT_EQ(Fstabinfo({"-p", "=2"}, &out), 0);
  EXPECT_EQ(out, "/boot\n/srv/db\n");
  EXPECT_EQ(Fstabinfo({"-p", ">1"}, &out), 0);
  EXPECT_EQ(out, "/boot\n/srv/db\n");
  EXPECT_EQ(Fstabinfo({"-p", "<2"}, &out), 0);
  EXPECT_EQ(out, "/\n");
  // Operands narrow a filter's result.
  EXPECT_EQ(Fstabinfo({"-t", "ext4", "/srv/db"}, &out), 0);
  EXPECT_EQ(out, "/srv/db\n");
  EXPECT_EQ(Fstabinfo({"-t", "btrfs"}, &out), 1);
  EXPECT_EQ(Fstabinfo({"-p", "=x"}, &out), 1);
}

TEST_F(MountToolsTest, FstabinfoMissingEntryOrFstab) {
  std::string out;
  EXPECT_EQ(Fstabinfo({"/nowhere"}, &out), 1);
  EXPECT_EQ(Fstabinfo({"-q", "/boot"}, &out), 0);
  EXPECT_EQ(out, "");
  fs::remove(files_.fstab);
  EXPECT_EQ(Fstabinfo({}, &out), 1);
}

TEST(ParseMountTable, DecodesOnlyWhenAsked) {
  auto raw = ParseMountTable("a /x\\040y t o 0 3\n", false);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].point, "/x\\040y");
  EXPECT_EQ(raw[0].passno, 3);
  EXPECT_EQ(ParseMountTable("a /x\\040y t o\n", true)[0].point, "/x y");
}

}  // namespace
}  // namespace ctinit::openrc
