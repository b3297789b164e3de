// LSB init-script headers (the "### BEGIN INIT INFO" block of Debian's /etc/init.d scripts, LSB
// 3.1 "Comment conventions for init scripts"), read as OpenRC dependencies the way Debian's
// OpenRC does it.
//
// Upstream OpenRC builds its dependency tree only from openrc-run scripts. Debian's OpenRC
// (0.45.2) also takes a plain script listed in a runlevel: its gendepends.sh turns the LSB
// header into a depend() with lsb2rcconf, and the script is then started and stopped by running
// it with `start` / `stop` (observed: `openrc default` runs `/etc/init.d/x start`, also in the
// `off` runlevel). ctinit's native mode does the same with this mapping, which is lsb2rcconf's
// (checked against its output for every field):
//
//   header field                      OpenRC dependency
//   Provides                          provide, without the script's own name; every script
//                                     that does not start after $all also provides "_all"
//   Required-Start, Required-Stop     need for a name; a $facility expands (below)
//   Should-Start, Should-Stop         use (names and the whole facility expansion)
//   X-Start-Before, X-Stop-After      before (names and the whole facility expansion)
//   $all in Required-/Should-Start    use _all: after every other LSB script being started
//   Default-Start/-Stop, the rest     not read: the runlevel's symlink decides, as in OpenRC
//
// Facilities come from the image's /etc/insserv.conf and /etc/insserv.conf.d/* (insserv's
// format: "$name  member ...", a member "+x" is optional, "$y" nests another facility): in a
// Required-* field an optional member becomes `use`, a plain one `need`. An undefined facility
// is dropped, as lsb2rcconf drops it. An image without insserv.conf gets OpenRC's own names,
// all optional (DefaultLsbFacilities()).
//
// Only the first block counts; lines inside it are "# Field: values" (field names
// case-insensitive); continuation lines ("#<TAB or 2+ spaces>text") belong to Description and
// are skipped. No block: no dependencies. Pure: text in, deps out; nothing throws but
// std::bad_alloc.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "openrc-shim/depend.h"

namespace ctinit::openrc {

// "$local_fs" -> {"+mountall", "+mountall-bootclean", ...}, as written in insserv.conf.
using LsbFacilities = std::map<std::string, std::vector<std::string>, std::less<>>;

// Adds the facility lines of one insserv.conf text to *facilities (a later definition of the
// same facility replaces the earlier one). Other lines (comments, "<interactive>") are skipped.
void ParseInsservConf(std::string_view text, LsbFacilities* facilities);

// For images without insserv.conf: $local_fs → localmount, $remote_fs → $local_fs netmount,
// $network → net, $named → dns $network, $portmap → rpcbind, $syslog → logger, $time → clock;
// every member optional.
LsbFacilities DefaultLsbFacilities();

// True when `text` has an LSB header block.
bool HasLsbHeader(std::string_view text);

// The dependencies of the script `service` (its file name in init.d) whose text is `text`.
OpenrcDeps LsbHeaderDeps(const std::string& service, std::string_view text,
                         const LsbFacilities& facilities);

}  // namespace ctinit::openrc
