// Which container runtime ctinit runs under, and the shutdown budget that fits it.
//
// The runtimes announce themselves differently:
//   incus, LXC         $container=lxc (LXC sets it in init's environment)
//   libvirt LXC        $container=lxc-libvirt
//   podman             $container=podman and /run/.containerenv
//   Docker             no $container at all, but /.dockerenv
//   systemd-nspawn...  $container=<anything else>
// $container wins over the files (a Docker image run under podman keeps its /.dockerenv).
//
// Default shutdown budget (the whole stop sequence, see shutdown.h), used when neither the
// configuration file nor the environment gives `shutdown.budget`:
//
//   runtime      budget  why
//   Docker       8 s     `docker stop` SIGKILLs after 10 s (-t / stop_grace_period): 2 s margin
//                        for ctinit's own exit and the runtime
//   podman       8 s     `podman stop` also waits 10 s by default
//   incus / LXC  50 s    `incus stop` (and `incus restart`) waits for ever (with --timeout it
//                        stops waiting, but kills nothing); `lxc-stop` waits 60 s by default,
//                        then SIGKILLs: 10 s margin. Long enough for a slow rc 0 (a database
//                        flushing) to finish, as under sysvinit, which has no budget at all;
//                        short enough that a hung stop script cannot hold a host's shutdown
//   other        8 s     a runtime we do not know: assume Docker's short stop timeout
//   none         8 s     not in a container (tests in namespaces, a chroot): the same
//
// `lxc-stop -t N` with N below the budget kills first: set `shutdown.budget` (or
// CTINIT_SHUTDOWN_BUDGET) to N minus a margin then. `incus stop --timeout N` kills nothing: it
// returns an error after N s and the shutdown goes on (tests/e2e/test_incus.sh checks this).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ctinit {

enum class ContainerRuntime { kNone, kDocker, kPodman, kLxc, kOther };

// What detection looks at, gathered by ProbeContainerRuntime() (tests fill it in).
struct RuntimeProbe {
  std::optional<std::string> container_env;  // $container, if set
  bool dockerenv = false;                    // /.dockerenv exists
  bool containerenv = false;                 // /run/.containerenv exists
};

RuntimeProbe ProbeContainerRuntime();  // getenv("container"), /.dockerenv, /run/.containerenv
ContainerRuntime DetectContainerRuntime(const RuntimeProbe& probe);
inline ContainerRuntime DetectContainerRuntime() {
  return DetectContainerRuntime(ProbeContainerRuntime());
}

// The table above: one row per runtime.
struct RuntimeDefaults {
  ContainerRuntime runtime;
  std::string_view name;  // for logs: "Docker", "podman", "incus/LXC", "unknown container", ...
  std::chrono::milliseconds shutdown_budget;
};
const RuntimeDefaults& DefaultsFor(ContainerRuntime runtime);
// The smallest budget of the table (what a configuration without a budget must fit in).
constexpr std::chrono::milliseconds SmallestDefaultShutdownBudget() {
  return std::chrono::seconds(8);
}

// For the log: "50 s (incus/LXC default)" or "25 s (configured)".
std::string DescribeShutdownBudget(std::chrono::milliseconds budget, bool configured,
                                   ContainerRuntime runtime);

}  // namespace ctinit
