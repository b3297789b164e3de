#include "openrc-shim/applets.h"

namespace ctinit::openrc {

int RunApplet(int, char**) noexcept { return -1; }

}  // namespace ctinit::openrc
