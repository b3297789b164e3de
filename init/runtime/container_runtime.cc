#include "init/runtime/container_runtime.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

namespace ctinit {

namespace {

using std::chrono::seconds;

// container_runtime.h has the reasons for each number.
constexpr RuntimeDefaults kDefaults[] = {
    {ContainerRuntime::kNone, "no container", seconds(8)},
    {ContainerRuntime::kDocker, "Docker", seconds(8)},
    {ContainerRuntime::kPodman, "podman", seconds(8)},
    {ContainerRuntime::kLxc, "incus/LXC", seconds(50)},
    {ContainerRuntime::kOther, "unknown container", seconds(8)},
};

}  // namespace

RuntimeProbe ProbeContainerRuntime() {
  RuntimeProbe probe;
  if (const char* c = getenv("container")) probe.container_env = c;
  probe.dockerenv = ::access("/.dockerenv", F_OK) == 0;
  probe.containerenv = ::access("/run/.containerenv", F_OK) == 0;
  return probe;
}

ContainerRuntime DetectContainerRuntime(const RuntimeProbe& probe) {
  if (probe.container_env && !probe.container_env->empty()) {
    const std::string& c = *probe.container_env;
    if (c == "lxc" || c == "lxc-libvirt") return ContainerRuntime::kLxc;
    if (c == "podman") return ContainerRuntime::kPodman;
    if (c == "docker") return ContainerRuntime::kDocker;  // set by some images' Dockerfiles
    return ContainerRuntime::kOther;
  }
  if (probe.containerenv) return ContainerRuntime::kPodman;
  if (probe.dockerenv) return ContainerRuntime::kDocker;
  return ContainerRuntime::kNone;
}

const RuntimeDefaults& DefaultsFor(ContainerRuntime runtime) {
  for (const auto& row : kDefaults)
    if (row.runtime == runtime) return row;
  return kDefaults[0];
}

std::string DescribeShutdownBudget(std::chrono::milliseconds budget, bool configured,
                                   ContainerRuntime runtime) {
  std::string amount = budget.count() % 1000 == 0 ? fmt::format("{} s", budget.count() / 1000)
                                                  : fmt::format("{} ms", budget.count());
  if (configured) return amount + " (configured)";
  return fmt::format("{} ({} default)", amount, DefaultsFor(runtime).name);
}

}  // namespace ctinit
