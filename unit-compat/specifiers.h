// Unit names (systemd.unit(5) "Description", unit-name.c) and specifier expansion ("%n").
//
// Unit names: `prefix[@instance].type`, at most 255 characters of [A-Za-z0-9:_.\-@\\], type one
// of service socket target device mount automount swap timer path slice scope. `prefix@.type` is
// a template; `prefix@instance.type` an instance of it. Escaping (systemd-escape): '/' is
// written '-', other special bytes "\xNN"; unescaping turns '-' into '/' and decodes "\xNN".
//
// Specifiers (systemd.unit(5) "Specifiers"). From the unit:
//   %n full name            %N name without type suffix     %p prefix       %P unescaped prefix
//   %i instance             %I unescaped instance           %j last dash component of prefix
//   %J unescaped %j         %f "/"+unescaped instance (or prefix) as a path
//   %y fragment path        %Y fragment directory           %%  a literal '%'
// From the container (HostSpecifiers(), read once under `root`):
//   %H hostname (uname)     %l hostname up to the first '.' %q PRETTY_HOSTNAME of
//                                                            /etc/machine-info, else %H
//   %m /etc/machine-id      %b /proc/sys/kernel/random/boot_id without dashes
//   %v kernel release       %a architecture in systemd's names (x86-64, arm64, x86, ...)
//   %o %w %W %B %M %A       ID, VERSION_ID, VARIANT_ID, BUILD_ID, IMAGE_ID, IMAGE_VERSION from
//                           /etc/os-release (else /usr/lib/os-release); "" when unset
//   %u root  %U 0  %g root  %G 0  %h /root  %s /bin/sh   (system manager = root, as systemd)
//   %t /run  %T /tmp  %V /var/tmp  %E /etc  %S /var/lib  %C /var/cache  %L /var/log
//   %D /usr/share           %d /run/credentials/<%n>
// Any other letter, or a '%' at the end, is an error (systemd then ignores the directive).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ctinit::units {

struct UnitName {
  std::string prefix;    // "foo" in foo@bar.service
  std::string instance;  // "bar"; empty for templates and plain units
  std::string type;      // "service"
  bool has_at = false;   // foo@.service or foo@bar.service
  bool IsTemplate() const { return has_at && instance.empty(); }
  bool IsInstance() const { return has_at && !instance.empty(); }
  std::string Full() const;          // foo@bar.service
  std::string TemplateName() const;  // foo@.service
};
std::optional<UnitName> ParseUnitName(std::string_view name);
std::string UnitNameUnescape(std::string_view s);
// For %f: "-" is "/", "foo-bar" is "/foo/bar"; nullopt unless the result is a normalised path
// (no ".", ".." or empty component, no NUL), as systemd refuses.
std::optional<std::string> UnitNamePathUnescape(std::string_view s);
std::string UnitNameEscape(std::string_view s);  // systemd-escape

struct SpecifierContext {
  std::string id;             // unit name, e.g. foo@bar.service
  std::string fragment_path;  // for %y/%Y
  std::map<char, std::string> host;
};
std::map<char, std::string> HostSpecifiers(const std::string& root);

std::optional<std::string> ExpandSpecifiers(std::string_view text, const SpecifierContext& ctx,
                                            std::string* err = nullptr);

}  // namespace ctinit::units
