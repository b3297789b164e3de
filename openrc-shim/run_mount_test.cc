// When native mode mounts /run as OpenRC's init.sh would (run_mount.h).
#include "openrc-shim/run_mount.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/unit/temp_dir.h"

namespace ctinit::openrc {
namespace {

constexpr const char* kDockerMounts =
    "580 470 0:48 / / rw,relatime - overlay overlay rw,lowerdir=/l\n"
    "581 580 0:51 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "590 580 0:52 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n";

TEST(RunMount, OnlyWhenRunIsNoMountPointAndHasNoneBelowIt) {
  std::string why;
  EXPECT_TRUE(ShouldMountRun(kDockerMounts, &why));
  EXPECT_FALSE(ShouldMountRun(
      std::string(kDockerMounts) + "600 580 0:60 / /run rw,nosuid - tmpfs tmpfs rw\n", &why));
  EXPECT_EQ(why, "/run is a mount point already");
  EXPECT_FALSE(ShouldMountRun(std::string(kDockerMounts) +
                                  "601 580 8:1 /s /run/secrets ro - ext4 /dev/sda1 rw\n"
                                  "602 580 8:1 /d /run/my\\040dir ro - ext4 /dev/sda1 rw\n",
                              &why));
  EXPECT_EQ(why, "mounts below /run would be hidden: /run/secrets /run/my dir");
  EXPECT_TRUE(ShouldMountRun("602 580 8:1 /d /running ro - ext4 /dev/sda1 rw\n", &why));
}

TEST(RunMount, SysinitWithAnLsbScriptIsDebiansCase) {
  testutil::TempDir root("ctinit-run-mount");
  root.Write("/etc/init.d/cgroups", "#!/sbin/openrc-run\ndepend() { :; }\n", 0755);
  root.MakeDir("/etc/runlevels/sysinit");
  std::filesystem::create_symlink("/etc/init.d/cgroups",
                                  root.Path("/etc/runlevels/sysinit/cgroups"));
  EXPECT_FALSE(SysinitRunsLsbScripts(root.path()));
  root.Write("/etc/init.d/mountkernfs.sh",
             "#! /bin/sh\n### BEGIN INIT INFO\n# Provides: mountkernfs\n### END INIT INFO\n", 0755);
  std::filesystem::create_symlink("/etc/init.d/mountkernfs.sh",
                                  root.Path("/etc/runlevels/sysinit/mountkernfs.sh"));
  EXPECT_TRUE(SysinitRunsLsbScripts(root.path()));
}

TEST(RunMount, AFifoAmongTheSysinitScriptsIsPassedOverWithoutWaiting) {
  testutil::TempDir root("ctinit-run-mount");
  root.MakeDir("/etc/init.d");
  root.MakeDir("/etc/runlevels/sysinit");
  ASSERT_EQ(::mkfifo(root.Path("/etc/init.d/afifo").c_str(), 0644), 0);
  std::filesystem::create_symlink("/etc/init.d/afifo", root.Path("/etc/runlevels/sysinit/afifo"));
  EXPECT_FALSE(SysinitRunsLsbScripts(root.path()));  // would wait for a writer if opened plainly
  root.Write("/etc/init.d/zlsb", "#! /bin/sh\n### BEGIN INIT INFO\n### END INIT INFO\n", 0755);
  std::filesystem::create_symlink("/etc/init.d/zlsb", root.Path("/etc/runlevels/sysinit/zlsb"));
  EXPECT_TRUE(SysinitRunsLsbScripts(root.path()));
}

}  // namespace
}  // namespace ctinit::openrc
