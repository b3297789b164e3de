// Runtime detection from $container and the marker files, and the default budget table.
#include "init/runtime/container_runtime.h"

#include <gtest/gtest.h>

namespace ctinit {
namespace {

using std::chrono::seconds;

RuntimeProbe Env(std::string value) {
  RuntimeProbe p;
  p.container_env = std::move(value);
  return p;
}

TEST(ContainerRuntimeTest, ContainerVariableNamesTheRuntime) {
  EXPECT_EQ(DetectContainerRuntime(Env("lxc")), ContainerRuntime::kLxc);
  EXPECT_EQ(DetectContainerRuntime(Env("lxc-libvirt")), ContainerRuntime::kLxc);
  EXPECT_EQ(DetectContainerRuntime(Env("podman")), ContainerRuntime::kPodman);
  EXPECT_EQ(DetectContainerRuntime(Env("docker")), ContainerRuntime::kDocker);
  EXPECT_EQ(DetectContainerRuntime(Env("systemd-nspawn")), ContainerRuntime::kOther);
}

TEST(ContainerRuntimeTest, MarkerFilesWhenNoVariable) {
  EXPECT_EQ(DetectContainerRuntime(RuntimeProbe{}), ContainerRuntime::kNone);
  EXPECT_EQ(DetectContainerRuntime(RuntimeProbe{.container_env = std::nullopt, .dockerenv = true}),
            ContainerRuntime::kDocker);
  EXPECT_EQ(DetectContainerRuntime(RuntimeProbe{
                .container_env = std::nullopt, .dockerenv = false, .containerenv = true}),
            ContainerRuntime::kPodman);
  // An empty $container is no answer either.
  EXPECT_EQ(DetectContainerRuntime(Env("")), ContainerRuntime::kNone);
}

TEST(ContainerRuntimeTest, VariableWinsOverFiles) {
  // A Docker image (with its /.dockerenv) run by incus or podman.
  RuntimeProbe p = Env("lxc");
  p.dockerenv = true;
  EXPECT_EQ(DetectContainerRuntime(p), ContainerRuntime::kLxc);
  p.container_env = "podman";
  EXPECT_EQ(DetectContainerRuntime(p), ContainerRuntime::kPodman);
}

TEST(ContainerRuntimeTest, BudgetTable) {
  EXPECT_EQ(DefaultsFor(ContainerRuntime::kDocker).shutdown_budget, seconds(8));
  EXPECT_EQ(DefaultsFor(ContainerRuntime::kPodman).shutdown_budget, seconds(8));
  EXPECT_EQ(DefaultsFor(ContainerRuntime::kLxc).shutdown_budget, seconds(50));
  EXPECT_EQ(DefaultsFor(ContainerRuntime::kOther).shutdown_budget, seconds(8));
  EXPECT_EQ(DefaultsFor(ContainerRuntime::kNone).shutdown_budget, seconds(8));
  EXPECT_EQ(DefaultsFor(ContainerRuntime::kLxc).name, "incus/LXC");
  for (auto r : {ContainerRuntime::kNone, ContainerRuntime::kDocker, ContainerRuntime::kPodman,
                 ContainerRuntime::kLxc, ContainerRuntime::kOther})
    EXPECT_GE(DefaultsFor(r).shutdown_budget, SmallestDefaultShutdownBudget());
  // Every row stays under its runtime's kill: lxc-stop's 60 s, docker/podman stop's 10 s.
  EXPECT_LT(DefaultsFor(ContainerRuntime::kLxc).shutdown_budget, seconds(60));
}

TEST(ContainerRuntimeTest, DescribeBudgetForTheLog) {
  EXPECT_EQ(DescribeShutdownBudget(seconds(50), false, ContainerRuntime::kLxc),
            "50 s (incus/LXC default)");
  EXPECT_EQ(DescribeShutdownBudget(seconds(8), false, ContainerRuntime::kDocker),
            "8 s (Docker default)");
  EXPECT_EQ(DescribeShutdownBudget(std::chrono::milliseconds(1500), true, ContainerRuntime::kLxc),
            "1500 ms (configured)");
}

}  // namespace
}  // namespace ctinit
