// systemd's generators (systemd.generator(7)), run as systemd runs them before it loads units:
// the `ctinit run-generators` applet. PID 1 never runs them itself (it has one reaper and never
// blocks): the units front end asks PID 1 to run this applet before each Load()
// (FrontEnd::BeforeLoad, init/model/front_end.h), and the applet, an ordinary child process,
// forks, execs and waits for the generators.
//
// What runs: every entry of GeneratorDirs(), highest priority first; an entry hides those of
// the same name in later directories (so /etc/systemd/system-generators/NAME -> /dev/null, or an
// empty file there, masks NAME). Entries that are not executable regular files (after links)
// are passed over; names in the skip list (DefaultGeneratorSkipList()) are not run. The rest
// run one after the other in order of name, each as
//     GENERATOR /run/systemd/generator /run/systemd/generator.early /run/systemd/generator.late
// in its own process group, with the applet's environment plus SYSTEMD_SCOPE=system,
// SYSTEMD_IN_INITRD=0 and, when the container runtime is known,
// SYSTEMD_VIRTUALIZATION=container:<runtime> (SYSTEMD_FIRST_BOOT is left out: ctinit cannot
// know). The three output directories are emptied (made) first, so that a generator that no
// longer produces a unit makes it go away at the next reload.
//
// Time bounds: each generator gets `each` (5 s); all together get `total` (10 s). One that
// outlasts its bound is killed (SIGKILL to its process group) and is one log line; so is one
// that exits non-zero or by a signal. The others still run, and the load goes on.
// Exit status: 0 when every generator run exited 0, 1 otherwise, 2 for a usage error.
//
// Where the output is read (ManagerSearchPath()): systemd's unit search path for the system
// manager, generator.early before /etc/systemd/system, generator between /run/systemd/system
// and /usr/local/lib/systemd/system, generator.late last.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace ctinit::units {

// /run/systemd/system-generators, /etc/systemd/system-generators,
// /usr/local/lib/systemd/system-generators, /usr/lib/systemd/system-generators,
// /lib/systemd/system-generators.
std::vector<std::string> GeneratorDirs();

// Generators that make no sense in a container or whose work ctinit does itself:
//   systemd-sysv-generator            /etc/init.d scripts: the units front end translates them
//   systemd-fstab-generator           mounts and swap: the container runtime mounts
//   systemd-getty-generator           consoles and serial gettys
//   systemd-gpt-auto-generator        partitions of a boot disk
//   systemd-cryptsetup-generator, systemd-veritysetup-generator,
//   systemd-integritysetup-generator  block devices
//   systemd-hibernate-resume-generator, systemd-bless-boot-generator,
//   systemd-system-update-generator   the machine's boot
//   systemd-debug-generator, systemd-run-generator
//                                     the kernel command line (the host's, in a container)
std::vector<std::string> DefaultGeneratorSkipList();

// The unit directories of systemd's system manager, highest priority first, with the three
// generator output directories in their places.
std::vector<std::string> ManagerSearchPath();

// The output directories, in the order generators are given them.
inline constexpr const char* kGeneratorDir = "/run/systemd/generator";
inline constexpr const char* kGeneratorEarlyDir = "/run/systemd/generator.early";
inline constexpr const char* kGeneratorLateDir = "/run/systemd/generator.late";

struct Generator {
  std::string name;  // file name
  std::string path;  // inside the root
};

struct GeneratorOptions {
  std::string root = "/";  // generators are looked for and write their output under it (tests)
  std::vector<std::string> dirs = GeneratorDirs();
  std::vector<std::string> skip = DefaultGeneratorSkipList();
  std::chrono::milliseconds each{5000};
  std::chrono::milliseconds total{10000};
  // "docker", "podman", "lxc", ... ; empty: unknown, SYSTEMD_VIRTUALIZATION is not set.
  std::string virtualization;
};

// The generators that would run, in order; the masked, skipped and non-executable ones are
// added to *passed_over as "NAME: why" (may be nullptr).
std::vector<Generator> FindGenerators(const GeneratorOptions& options,
                                      std::vector<std::string>* passed_over);

// Empties the output directories, runs the generators (above), one line to `log` for each one
// that failed, was killed or could not start. Returns the exit status of the applet.
int RunGenerators(const GeneratorOptions& options, std::ostream& log);

// `ctinit run-generators [--root DIR]`: RunGenerators with the defaults, to stderr.
int RunGeneratorsMain(const std::vector<std::string>& args, const std::string& virtualization);

}  // namespace ctinit::units
