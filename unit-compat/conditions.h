// Condition*= and Assert*= (systemd.unit(5) "Conditions and Asserts", condition.c), evaluated
// best-effort against an injectable probe so that tests use a fake filesystem and environment.
//
// Semantics, as systemd's condition_test_list():
//   - Every non-triggering condition must hold. If there are triggering conditions (value
//     prefixed with '|'), at least one of them must hold as well.
//   - '!' after the optional '|' negates the test ("ConditionPathExists=|!/etc/x").
//   - An empty assignment to any Condition* directive removes every condition collected so far
//     (likewise for Assert*), whatever its type.
//   - Failed conditions: the unit is skipped (not failed). Failed asserts: the unit fails.
//
// Checks (the probe is asked; paths are as seen inside the container):
//   PathExists, PathExistsGlob (glob(3)), PathIsDirectory, PathIsSymbolicLink,
//   PathIsMountPoint, PathIsReadWrite, FileNotEmpty (regular file, size > 0),
//   DirectoryNotEmpty (a directory with an entry not starting with '.'),
//   FileIsExecutable (regular file with an x bit), Virtualization, Environment ("VAR" = set,
//   "VAR=value" = that exact value), User/Group (the manager's own: ctinit runs as root; a name, a
//   number or "@system"), Host (hostname, glob, case-insensitive; or the machine id),
//   KernelCommandLine ("word" = a word equal to it or starting with "word="; "k=v" = that exact
//   word), Security (apparmor, selinux, ...: what the probe reports), Capability (in the bounding
//   set), Architecture (systemd names: x86-64, arm64, ...), Null (its boolean), FirstBoot
//   (boolean, never a first boot in a container image: false), ACPower (assumed on AC).
//   Anything else (NeedsUpdate, KernelVersion, Memory, CPUs, ...) is not evaluated: it passes and
//   a note says so.
// Virtualization values: a boolean (any virtualization), "vm" (false in a container; ctinit does
// not probe hypervisors), "container", "private-users" (false), or a technology id compared with
// the probe's container type ("docker", "lxc", "podman", "systemd-nspawn", ...).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "unit-compat/unit_file.h"

namespace ctinit::units {

// What a condition may ask about the system. All paths are inside the container's root.
class ConditionProbe {
 public:
  virtual ~ConditionProbe() = default;
  virtual bool Exists(const std::string& path) const = 0;  // follows symlinks
  virtual bool IsDirectory(const std::string& path) const = 0;
  virtual bool IsSymlink(const std::string& path) const = 0;
  virtual bool IsRegularNonEmpty(const std::string& path) const = 0;
  virtual bool IsDirectoryNotEmpty(const std::string& path) const = 0;
  virtual bool IsExecutable(const std::string& path) const = 0;
  virtual bool IsMountPoint(const std::string& path) const = 0;
  virtual bool IsReadWrite(const std::string& path) const = 0;
  virtual bool GlobMatches(const std::string& pattern) const = 0;
  virtual std::optional<std::string> GetEnv(const std::string& name) const = 0;
  // The container technology ("docker", "lxc", "podman", ...), "" when none was detected.
  virtual std::string Container() const = 0;
  virtual std::string Hostname() const = 0;
  virtual std::string MachineId() const = 0;
  virtual std::string KernelCommandLine() const = 0;
  virtual bool HasSecurity(const std::string& name) const = 0;
  virtual bool HasCapability(const std::string& name) const = 0;  // "CAP_NET_ADMIN"
  virtual std::string Architecture() const = 0;                   // systemd's names
  // The manager's identity (root for ctinit as PID 1).
  virtual uid_t Uid() const { return 0; }
  virtual gid_t Gid() const { return 0; }
  virtual std::string UserName() const { return "root"; }
  virtual std::string GroupName() const { return "root"; }
};

// The real system: files under `root`, the given environment (K=V strings, ctinit's own), the
// container type from $container, else /.dockerenv (docker), /run/.containerenv (podman).
std::unique_ptr<ConditionProbe> MakeSystemProbe(const std::string& root,
                                                std::vector<std::string> environment);

struct Condition {
  std::string type;  // "PathExists" (the directive without Condition/Assert)
  std::string value;
  bool trigger = false;
  bool negate = false;
  bool assert = false;
  std::string file;
  int line = 0;
};

// Conditions and asserts of a unit, in order, after empty-assignment resets.
std::vector<Condition> CollectConditions(const UnitFile& file);

struct ConditionResult {
  bool conditions_ok = true;
  bool asserts_ok = true;
  std::string failed;              // "ConditionPathExists=!/etc/ssh/sshd_not_to_be_run"
  std::vector<std::string> notes;  // checks that could not be evaluated
};

// Evaluates one condition's test (without '!' and '|'); *evaluated false if unsupported.
bool TestCondition(const Condition& c, const ConditionProbe& probe, bool* evaluated);
ConditionResult EvaluateConditions(const std::vector<Condition>& conds,
                                   const ConditionProbe& probe);

}  // namespace ctinit::units
