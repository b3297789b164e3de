// Users and groups from the image's own /etc/passwd and /etc/group. ctinit is a static binary:
// glibc's NSS cannot be used (and the image may be musl), so these files are read directly, as
// busybox does. Only the files are consulted — no LDAP/NIS, which a container does not have.
//
// Lookup rules (as getpwnam/getgrnam over "files"):
//   * A name that is all digits is also accepted as a numeric id (systemd's User=1000); an id
//     with no entry resolves with name = the digits, home "/", shell "/bin/sh" (users only).
//   * The first matching line wins; blank lines, lines starting with '#', '+' or '-' (NIS
//     compat entries) and malformed lines (wrong field count, bad number) are skipped.
//   * Supplementary groups of a user: every group whose member list (4th field, comma
//     separated) names the user, plus the primary group, without duplicates, primary first.
// Nothing here throws.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "init/model/service.h"

namespace ctinit::passwd {

struct User {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
};

struct Group {
  std::string name;
  gid_t gid = 0;
  std::vector<std::string> members;
};

// `root` prefixes /etc/passwd and /etc/group ("/" in PID 1; a fixture directory in tests).
std::optional<User> FindUser(const std::string& root, const std::string& name_or_uid) noexcept;
std::optional<Group> FindGroup(const std::string& root, const std::string& name_or_gid) noexcept;

// The credentials a service runs with for "user" or "user:group" (OpenRC's command_user) or
// user + group given separately (systemd's User=/Group=; `group` may be empty = the user's
// primary group). Supplementary groups are the user's memberships plus `extra_groups`.
// nullopt with *error set ("unknown user \"www\"") when something does not resolve.
std::optional<Credentials> Resolve(const std::string& root, const std::string& user,
                                   const std::string& group,
                                   const std::vector<std::string>& extra_groups,
                                   std::string* error) noexcept;

}  // namespace ctinit::passwd
