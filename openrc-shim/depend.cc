#include "openrc-shim/depend.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "init/base/files.h"
#include "init/base/text.h"
#include "init/base/untrusted_file.h"

namespace ctinit::openrc {
namespace {

namespace fs = std::filesystem;

// The extraction shell. Positional parameters: $1 script, $2 conf.d directory, $3 root ("" for
// "/"), $4 shell_var(service), $5 init.d directory. Protocol on fd 3: "<type> <words>" per stub
// call, plus the markers "@loaded" (script sourced), "@depend <status>", "@done" and
// "@source-failed <status>".
constexpr const char kProgram[] = R"SH(
_ctinit_script=$1 _ctinit_confd=$2 _ctinit_root=$3 _ctinit_var=$4 _ctinit_initd=$5
_ctinit_emit() { _ctinit_t=$1; shift; [ -n "$*" ] && printf '%s %s\n' "$_ctinit_t" "$*" >&3; return 0; }
need() { _ctinit_emit need "$@"; }
use() { _ctinit_emit use "$@"; }
want() { _ctinit_emit want "$@"; }
after() { _ctinit_emit after "$@"; }
before() { _ctinit_emit before "$@"; }
provide() { _ctinit_emit provide "$@"; }
keyword() { _ctinit_emit keyword "$@"; }
config() { _ctinit_emit config "$@"; }
input() { :; }
reexport() { :; }
depend() { :; }
einfo() { printf ' * %s\n' "$*" >&2; }
ewarn() { printf ' * %s\n' "$*" >&2; }
eerror() { printf ' * %s\n' "$*" >&2; }
ebegin() { printf ' * %s ...\n' "$*" >&2; }
einfon() { einfo "$@"; }
ewarnn() { ewarn "$@"; }
eerrorn() { eerror "$@"; }
eend() { return "${1:-0}"; }
ewend() { return "${1:-0}"; }
veinfo() { :; }
vewarn() { :; }
vebegin() { :; }
veend() { return "${1:-0}"; }
vewend() { return "${1:-0}"; }
eindent() { :; }
eoutdent() { :; }
veindent() { :; }
veoutdent() { :; }
esyslog() { :; }
yesno() {
  case "$1" in
    [Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|[Oo][Nn]|1) return 0 ;;
    [Nn][Oo]|[Ff][Aa][Ll][Ss][Ee]|[Oo][Ff][Ff]|0|'') return 1 ;;
    *[!A-Za-z0-9_]*|[0-9]*) return 2 ;;
  esac
  eval "_ctinit_v=\${$1-}"
  case "$_ctinit_v" in
    [Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|[Oo][Nn]|1) return 0 ;;
    [Nn][Oo]|[Ff][Aa][Ll][Ss][Ee]|[Oo][Ff][Ff]|0) return 1 ;;
  esac
  return 2
}
shell_var() { printf '%s\n' "$*" | tr -c 'A-Za-z0-9_\n' '_'; }
need_if_exists() { for _ctinit_x; do [ -e "$_ctinit_initd/$_ctinit_x" ] && need "$_ctinit_x"; done; return 0; }
get_bootparam() { return 1; }
service_get_value() { return 1; }
service_started() { return 1; }
service_starting() { return 1; }
service_stopping() { return 1; }
service_stopped() { return 0; }
service_inactive() { return 1; }
service_wasinactive() { return 1; }
service_crashed() { return 1; }
service_hotplugged() { return 1; }
service_started_daemon() { return 1; }
_ctinit_c=${RC_SVCNAME%%.*}
if [ -n "$_ctinit_c" ] && [ "$_ctinit_c" != "$RC_SVCNAME" ] && [ -e "$_ctinit_confd/$_ctinit_c" ]; then
  . "$_ctinit_confd/$_ctinit_c"
fi
if [ -e "$_ctinit_confd/$RC_SVCNAME" ]; then . "$_ctinit_confd/$RC_SVCNAME"; fi
if [ -e "$_ctinit_root/etc/rc.conf" ]; then . "$_ctinit_root/etc/rc.conf"; fi
if [ -d "$_ctinit_root/etc/rc.conf.d" ]; then
  for _ctinit_f in "$_ctinit_root"/etc/rc.conf.d/*.conf; do
    if [ -e "$_ctinit_f" ]; then . "$_ctinit_f"; fi
  done
fi
if . "$_ctinit_script"; then
  echo @loaded >&3
  depend
  echo "@depend $?" >&3
  for _ctinit_t in config:CONFIG need:NEED use:USE want:WANT after:AFTER before:BEFORE provide:PROVIDE keyword:KEYWORD; do
    _ctinit_l=${_ctinit_t%%:*}
    _ctinit_u=${_ctinit_t#*:}
    eval "_ctinit_d=\${rc_${_ctinit_var}_${_ctinit_l}-}"
    [ -z "$_ctinit_d" ] && eval "_ctinit_d=\${rc_${_ctinit_l}-}"
    [ -z "$_ctinit_d" ] && eval "_ctinit_d=\${RC_${_ctinit_var}_${_ctinit_u}-}"
    [ -z "$_ctinit_d" ] && eval "_ctinit_d=\${RC_${_ctinit_u}-}"
    $_ctinit_l $_ctinit_d
  done
  echo @done >&3
else
  echo "@source-failed $?" >&3
fi
)SH";

bool IsRunner(std::string_view word) {
  std::string b = files::BaseName(word);
  return b == "openrc-run" || b == "runscript";
}

void Erase(std::vector<std::string>* v, const std::string& x) {
  v->erase(std::remove(v->begin(), v->end(), x), v->end());
}

void AddUnique(std::vector<std::string>* v, const std::string& x) {
  if (std::find(v->begin(), v->end(), x) == v->end()) v->push_back(x);
}

std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\n\r\t ");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, end + 1 - start);
}

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

std::string Rooted(const std::string& root, const std::string& path) {
  if (root.empty() || root == "/") return path;
  return (root.back() == '/' ? root.substr(0, root.size() - 1) : root) + path;
}

std::string DescribeExit(const RunResult& r) {
  if (WIFEXITED(r.status)) return "exit " + std::to_string(WEXITSTATUS(r.status));
  if (WIFSIGNALED(r.status)) return "signal " + std::to_string(WTERMSIG(r.status));
  return "status " + std::to_string(r.status);
}

}  // namespace

const std::vector<std::string>& ContainerKeywords() noexcept {
  static const std::vector<std::string> k = {"-docker", "-podman",  "-lxc",
                                             "-openvz", "-rkt",     "-systemd-nspawn",
                                             "-uml",    "-vserver", "-wsl"};
  return k;
}

std::string ShellVar(std::string_view name) noexcept {
  std::string out;
  try {
    out.reserve(name.size());
    for (char c : name) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      out.push_back(ok ? c : '_');
    }
  } catch (...) {
  }
  return out;
}

bool ReadInitScript(const std::string& path, std::string* text) {
  files::UntrustedRead how;
  how.max_bytes = 1 << 20;
  how.follow_links = true;
  std::string err;
  return files::ReadUntrustedFile(path, how, text, &err);
}

std::string_view FirstLineOf(std::string_view text) {
  return text.substr(0, std::min<size_t>(text.find('\n'), 256));
}

bool IsOpenrcShebang(std::string_view line) noexcept {
  try {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 2) != "#!") return false;
    auto w = text::Words(line.substr(2));
    if (w.empty()) return false;
    if (IsRunner(w[0])) return true;
    return files::BaseName(w[0]) == "env" && w.size() > 1 && IsRunner(w[1]);
  } catch (...) {
    return false;
  }
}

std::string ChooseShell(const std::string& root) noexcept {
  try {
    for (const char* p : {"/bin/bash", "/usr/bin/bash", "/bin/sh"}) {
      std::string full = Rooted(root, p);
      if (Executable(full)) return full;
    }
  } catch (...) {
  }
  return "/bin/sh";
}

OpenrcDeps FoldDependLines(const std::string& service, std::string_view fd3) noexcept {
  OpenrcDeps d;
  try {
    size_t pos = 0;
    while (pos < fd3.size()) {
      size_t nl = fd3.find('\n', pos);
      if (nl == std::string_view::npos) nl = fd3.size();
      auto words = text::Words(fd3.substr(pos, nl - pos));
      pos = nl + 1;
      if (words.empty()) continue;
      const std::string type = words[0];
      std::vector<std::string>* list = type == "need"      ? &d.need
                                       : type == "use"     ? &d.use
                                       : type == "want"    ? &d.want
                                       : type == "after"   ? &d.after
                                       : type == "before"  ? &d.before
                                       : type == "provide" ? &d.provide
                                       : type == "keyword" ? &d.keywords
                                       : type == "config"  ? &d.config
                                                           : nullptr;
      if (!list) continue;  // markers ("@loaded" …) and anything unknown
      std::vector<std::string> items;
      for (size_t i = 1; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (list == &d.keywords && (w == "-containers" || w == "!-containers")) {
          for (const auto& k : ContainerKeywords()) items.push_back(w[0] == '!' ? "!" + k : k);
        } else {
          items.push_back(w);
        }
      }
      for (const auto& w : items) {
        if (list == &d.config) {
          AddUnique(list, w);
          continue;
        }
        if (w == service) continue;
        if (w.size() > 2 && w.compare(w.size() - 3, 3, ".sh") == 0) continue;
        if (w[0] == '!') {
          Erase(list, w.substr(1));
          continue;
        }
        AddUnique(list, w);
        if (list == &d.before) Erase(&d.after, w);
        if (list == &d.after || list == &d.need || list == &d.want || list == &d.use) {
          Erase(&d.before, w);
        }
      }
    }
  } catch (...) {
  }
  return d;
}

DependResult ExtractDepends(const std::string& service, const std::string& script,
                            const DependOptions& opt, ScriptRunner& runner) noexcept {
  DependResult res;
  try {
    auto diag = [&](const std::string& msg) { res.diagnostics.push_back({script, 0, msg}); };
    std::string text;
    if (!ReadInitScript(script, &text) || !Executable(script)) {
      diag("not an executable regular file; service \"" + service + "\" skipped");
      return res;
    }
    std::string_view first = FirstLineOf(text);
    if (!IsOpenrcShebang(first)) {
      diag("not an OpenRC script (first line \"" + std::string(first) + "\"); service \"" +
           service + "\" skipped");
      return res;
    }
    std::error_code ec;
    fs::path abs = fs::absolute(script, ec);
    if (ec) abs = script;
    fs::path initd = abs.parent_path();
    fs::path confd = initd.parent_path() / "conf.d";
    std::string root = opt.root == "/" ? "" : opt.root;
    std::string shell = opt.shell.empty() ? ChooseShell(opt.root) : opt.shell;

    RunRequest req;
    req.argv = {shell,          "-c", kProgram,          "ctinit-depend", abs.string(),
                confd.string(), root, ShellVar(service), initd.string()};
    req.env = {"PATH=" + opt.path,           "RC_SVCNAME=" + service, "SVCNAME=" + service,
               "RC_SERVICE=" + abs.string(), "RC_SYS=" + opt.rc_sys,  "RC_UNAME=Linux",
               "RC_LIBEXECDIR=/lib/rc",      "RC_BOOTLEVEL=boot",     "RC_DEFAULTLEVEL=default"};
    req.cwd = initd.string();
    req.timeout = opt.timeout;

    RunResult run = runner.Run(req);
    res.output = run.output;
    if (!run.spawned) {
      diag("dependency extraction failed: " + run.error + "; service \"" + service + "\" skipped");
      return res;
    }
    const std::string& out = run.fd3;
    auto has = [&](const std::string& marker) {
      return out.find(marker) == 0 || out.find("\n" + marker) != std::string::npos;
    };
    res.loaded = has("@loaded\n");
    std::string why = run.timed_out ? "timed out after " + std::to_string(opt.timeout.count()) +
                                          " ms and was killed"
                                    : DescribeExit(run);
    std::string last = LastLine(run.output);
    std::string tail = last.empty() ? "" : ": " + last;
    if (!res.loaded) {
      diag("cannot be sourced (" + why + ")" + tail + "; service \"" + service + "\" skipped");
      return res;
    }
    res.deps = FoldDependLines(service, out);
    if (!has("@done\n")) {
      diag("depend() did not complete (" + why + ")" + tail +
           "; keeping the dependencies declared so far");
    } else {
      size_t p = out.find("@depend ");
      std::string status =
          p == std::string::npos ? "0" : out.substr(p + 8, out.find('\n', p) - p - 8);
      if (status != "0") diag("depend() returned " + status + tail + "; its declarations are kept");
    }
  } catch (...) {
    res.loaded = false;
    res.diagnostics.push_back({script, 0, "out of memory during dependency extraction"});
  }
  return res;
}

}  // namespace ctinit::openrc
