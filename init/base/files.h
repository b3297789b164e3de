// Small file-system helpers shared by every part of ctinit. Paths are host paths unless a
// function says otherwise; `root` arguments name the directory an image is read from ("/" or ""
// for the running system). Nothing here throws but std::bad_alloc.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctinit::files {

// `path` (absolute, inside the image) as a host path under `root`: "/" and "" leave it as it is,
// trailing slashes of `root` are dropped ("/srv/img/" + "/etc" -> "/srv/img/etc").
std::string Under(const std::string& root, const std::string& path);

// The whole file (binary); false if it cannot be opened.
bool ReadFile(const std::string& path, std::string* out);
// Its first line without the newline; "" if it cannot be read.
std::string ReadFirstLine(const std::string& path);

// Something is at `path` (a dangling symlink counts).
bool Exists(const std::string& path);
// Something is at `path` after following links (a dangling symlink does not count).
bool Resolves(const std::string& path);
bool IsSymlink(const std::string& path);
// A symlink's target; nullopt if `path` is not a symlink (or its target is too long).
std::optional<std::string> ReadLink(const std::string& path);
// The entries of `dir` without "." and "..", sorted; empty if it cannot be read.
std::vector<std::string> ListDir(const std::string& dir);

// The part after the last '/' ("/a/b.service" -> "b.service", "x" -> "x", "/a/" -> "").
std::string BaseName(std::string_view path);

// A normalised relative path as systemd requires for RuntimeDirectory= & co: not empty, not
// absolute, no empty, "." or ".." component ("a/b" yes; ".", "a//b", "a/../b", "/a" no).
bool IsNormalisedRelativePath(std::string_view path);

}  // namespace ctinit::files
