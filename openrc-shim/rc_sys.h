// OpenRC's rc_sys: which kind of (virtualised) system this is, so that keyword masks such as
// `keyword -docker` can take services out of the dependency tree.
//
// Rules (OpenRC 0.63 src/librc/librc.c rc_sys(), detect_container(), detect_vm()), first match
// wins:
//   rc_sys set in rc.conf            -> its value upper-cased; set but empty -> "" (none)
//   /proc/cpuinfo contains "UML"     -> "UML"
//   /proc/self/status has "s_context:" or "VxID:" followed by blanks and a digit 1-9 -> "VSERVER"
//   /proc/vz/veinfo exists and /proc/vz/version does not -> "OPENVZ"
//   /proc/self/status has "envID:" followed by blanks and a digit 1-9 -> "OPENVZ"
//   /proc/1/environ has container=lxc -> "LXC"; container=rkt -> "RKT";
//                       container=systemd-nspawn -> "SYSTEMD-NSPAWN"
//   /run/.containerenv exists        -> "PODMAN"
//   /.dockerenv exists, or /proc/1/environ has container=docker -> "DOCKER"
//   /proc/sys/kernel/osrelease contains "Microsoft"/"microsoft", $WSL_DISTRO_NAME is set, or
//   /proc/sys/fs/binfmt_misc/WSLInterop exists -> "WSL"
//   /proc/xen exists: "XEN0" when /proc/xen/capabilities contains "control_d", else "XENU"
//   otherwise ""
// The mask keyword for a system is "-" + lower-case(rc_sys) (and the older "no" + lower-case).
//
// DetectRcSys is pure (tests feed it a SysProbe); ProbeSystem reads the real files under `root`
// (use "/" in PID 1; /proc/1/environ is ctinit's own environment then, which carries the
// runtime's container=… variable). Nothing here throws.
#pragma once

#include <optional>
#include <string>

namespace ctinit::openrc {

struct SysProbe {
  std::optional<std::string> rc_sys_conf;  // rc_sys from rc.conf / rc.conf.d, if assigned
  std::string cpuinfo;                     // /proc/cpuinfo
  std::string self_status;                 // /proc/self/status
  bool vz_veinfo = false, vz_version = false;
  std::string pid1_environ;      // /proc/1/environ (NUL-separated)
  bool containerenv = false;     // /run/.containerenv
  bool dockerenv = false;        // /.dockerenv
  std::string osrelease;         // /proc/sys/kernel/osrelease
  bool wsl_distro_name = false;  // $WSL_DISTRO_NAME set
  bool wsl_interop = false;      // /proc/sys/fs/binfmt_misc/WSLInterop
  bool proc_xen = false;
  std::string xen_capabilities;  // /proc/xen/capabilities
};

std::string DetectRcSys(const SysProbe& probe) noexcept;

// Reads the files listed above under `root`, and `rc_sys` from <root>/etc/rc.conf then
// <root>/etc/rc.conf.d/*.conf (last assignment wins; `rc_sys="x"`, `rc_sys='x'`, `rc_sys=x`).
SysProbe ProbeSystem(const std::string& root) noexcept;

// "-docker" for "DOCKER"; "" for "".
std::string MaskKeyword(const std::string& rc_sys) noexcept;

}  // namespace ctinit::openrc
