// The OpenRC shim's applets: the ctinit binary answers as these programs when called by that
// name (argv[0], e.g. through a symlink /sbin/openrc-run -> /sbin/ctinit), so an image without
// OpenRC can run OpenRC-style scripts.
#pragma once

namespace ctinit::openrc {

// Runs the applet named by basename(argv[0]) and returns its exit code, or -1 when argv[0] does
// not name a shim applet (then nothing has been done).
int RunApplet(int argc, char** argv) noexcept;

}  // namespace ctinit::openrc
