// Small file helpers the unit front end's parts share (loading, enablement, translation,
// systemctl). Paths are host paths (the caller has put the root prefix in front). Nothing here
// throws but std::bad_alloc.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ctinit::units {

std::string BaseName(const std::string& path);
// The entries of `dir` without "." and "..", sorted; empty if it cannot be read.
std::vector<std::string> ListDir(const std::string& dir);
// A symlink's target; nullopt if `path` is not a symlink (or its target is too long).
std::optional<std::string> ReadLink(const std::string& path);
// The whole file; false if it cannot be opened.
bool ReadFile(const std::string& path, std::string* out);

}  // namespace ctinit::units
