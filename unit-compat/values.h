// Value parsers for systemd unit directives, written to match systemd (v252, Debian 12) exactly.
// Nothing here reads a unit file: each function takes one directive's value (already stripped of
// surrounding whitespace by the INI parser, unit_file.h) and returns the parsed value or, on bad
// input, std::nullopt/false plus a message in `*err`. No function throws or aborts.
//
// Time spans (systemd.time(7), time-util.c parse_time())
//   "infinity" (surrounding blanks allowed) = kUsecInfinity. Otherwise one or more components
//   `<number>[.<fraction>][blanks]<unit>`, optionally separated by blanks ("1min 30s", "1min30s",
//   "1.5h"). A component without unit uses `default_unit` (seconds for *Sec= directives). Units,
//   matched by longest-first table order as systemd does: usec us μs, msec ms, seconds second sec
//   s, minutes minute min m, hours hour hr h, days day d, weeks week w, months month M (30.44 d),
//   years year y (365.25 d). A negative number, "", an unknown unit, "3." or overflow are errors.
//
// Booleans: 1 yes y true t on / 0 no n false f off, case-insensitive.
//
// Words (extract-word.c extract_first_word()): ExtractFirstWord() with the flags systemd uses.
//   Blanks separate words; with kUnquote, '...' and "..." may appear anywhere in a word and are
//   removed; with kCunescape, C escapes \a \b \f \n \r \t \v \\ \" \' \s (space) \xHH \ooo \uHHHH
//   \UHHHHHHHH are decoded inside and outside quotes (also inside single quotes, unlike sh); an
//   unknown escape, a NUL escape, a trailing backslash or an unterminated quote is an error.
//
// Exec lines (ParseExecLine, load-fragment.c config_parse_exec()): prefixes on the first word in
// any order, each at most once: '-' ignore failure, '@' argv[0] is the second word, ':' no
// environment expansion, '+' full privileges, '!' no setuid, '!!' ambient-capability magic ('+'
// excludes '!'/'!!'). A lone ';' word separates commands; "\;" is a literal ";" argument. The
// optional `expand` callback applies specifiers (%n, %i...) to the path and to every argument.
// An error makes the whole line invalid: `*fatal` tells whether systemd would refuse to load the
// unit (no '-' prefix) or just ignore the line.
//
// Environment expansion at exec time (env-util.c replace_env_argv()): a word that is exactly
// "$NAME" is replaced by the value of NAME split at blanks with quotes removed (zero or more
// words; unset = no word); inside any word "${NAME}" is replaced by the value as one piece
// (unset = ""), "$$" becomes "$"; "$NAME" inside a longer word and "${NAME:-x}" stay literal.
//
// Environment= (config_parse_environ): words as ExtractFirstWord(kUnquote|kCunescape); each must
// be NAME=VALUE with NAME of [A-Za-z0-9_] not starting with a digit, else it is skipped with a
// warning; a later assignment of the same NAME replaces the earlier; "" resets the list.
// EnvironmentFile=: an absolute path, optionally prefixed with '-' (missing file is fine).
// Environment files (ParseEnvFile, env-file.c parse_env_file_internal()): KEY=VALUE per line, '#'
// or ';' at the start of a line is a comment, blanks around KEY and VALUE are dropped, '...'
// keeps everything literally, "..." honours \" \\ \` \$ (other backslashes are kept), a
// backslash-newline joins lines, an unquoted backslash escapes the next character. Values are not
// expanded (systemd does not expand $VAR in environment files).
//
// Exit statuses (RestartPreventExitStatus=, SuccessExitStatus=): blank-separated numbers 0-255,
// exit-status names (SUCCESS, FAILURE, INVALIDARGUMENT, ... TEMPFAIL, CONFIG, ...) or signals;
// bad words are skipped with a warning; "" resets the set.
// Signals: a number (1.._NSIG-1), NAME or SIGNAME (HUP ... SYS), RTMIN, RTMIN+n, RTMAX, RTMAX-n.
//
// Limits (Limit*=, rlimit-util.c rlimit_parse()): "value" or "soft:hard"; each "infinity" or a
// number; sizes (FSIZE DATA STACK CORE RSS AS MEMLOCK MSGQUEUE) accept K M G T P E (base 1024),
// CPU takes a time span in seconds (rounded up), RTTIME a time span in microseconds, NICE takes
// "+n"/"-n" as a nice value (-20..19) or a raw 0..40; soft > hard is an error.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "init/model/service.h"

namespace ctinit::units {

using Usec = uint64_t;
inline constexpr Usec kUsecInfinity = UINT64_MAX;
inline constexpr Usec kUsecPerMsec = 1000;
inline constexpr Usec kUsecPerSec = 1000000;

std::optional<Usec> ParseTimeSpan(std::string_view text, Usec default_unit = kUsecPerSec,
                                  std::string* err = nullptr);
std::optional<bool> ParseBoolean(std::string_view text);

// extract_first_word(). `pos` is the read position in `text`; it becomes std::string::npos when
// the end has been reached. Returns 1 and sets *word, 0 at the end (no word), -1 on a syntax
// error (pos left at the offending character).
enum ExtractFlags : unsigned {
  kExtractUnquote = 1,
  kExtractCunescape = 2,
  kExtractRelax = 4,
  kExtractDontCoalesceSeparators = 8,
};
int ExtractFirstWord(std::string_view text, size_t& pos, std::string* word, unsigned flags,
                     std::string_view separators = " \t\n\r");
// All words of `text`; std::nullopt on a syntax error.
std::optional<std::vector<std::string>> SplitWords(std::string_view text, unsigned flags);

// Specifier expansion hook: returns the expanded text, or nullopt with *err set.
using ExpandFn = std::function<std::optional<std::string>(std::string_view, std::string* err)>;

struct ExecCommand {
  std::string path;               // the executable (absolute, or a plain name searched in PATH)
  std::vector<std::string> argv;  // argv[0] is `path` unless '@' was given
  bool ignore_failure = false;    // '-'
  bool separate_argv0 = false;    // '@'
  bool no_env_expand = false;     // ':'
  bool full_privileges = false;   // '+'
  bool no_setuid = false;         // '!'
  bool ambient_magic = false;     // '!!'
  bool operator==(const ExecCommand&) const = default;
};
// Parses one Exec*= value (not empty: an empty value resets the list, which is the caller's job).
// On success appends to *out and returns true.
bool ParseExecLine(std::string_view value, const ExpandFn& expand, std::vector<ExecCommand>* out,
                   std::string* err, bool* fatal = nullptr);

// Environment lists are systemd "strv" style: "NAME=value" strings, in first-set order.
using EnvList = std::vector<std::string>;
const std::string* EnvGet(const EnvList& env, std::string_view name);  // nullptr if unset
void EnvSet(EnvList& env, std::string_view assignment);                // replaces same NAME
bool EnvNameIsValid(std::string_view name);

std::vector<std::string> ExpandExecArgv(const std::vector<std::string>& argv, const EnvList& env);
std::string ReplaceEnv(std::string_view word, const EnvList& env);

// Environment= value into *env ("" clears it). Invalid words are reported in *warnings.
void ParseEnvironment(std::string_view value, const ExpandFn& expand, EnvList* env,
                      std::vector<std::string>* warnings);

struct EnvFileRef {
  std::string path;
  bool optional = false;  // '-' prefix
  bool operator==(const EnvFileRef&) const = default;
};
std::optional<EnvFileRef> ParseEnvironmentFileValue(std::string_view value, std::string* err);
// Parses an environment file's text; invalid lines are reported in *warnings as "file:line: ...".
EnvList ParseEnvFile(std::string_view text, const std::string& file,
                     std::vector<std::string>* warnings);

struct ExitStatusSet {
  std::set<int> status;
  std::set<int> signals;
  bool operator==(const ExitStatusSet&) const = default;
};
void ParseExitStatusSet(std::string_view value, ExitStatusSet* set,
                        std::vector<std::string>* warnings);
std::optional<int> ParseExitStatus(std::string_view text);  // number or name, 0..255
std::optional<int> ParseSignal(std::string_view text);
std::string SignalName(int signo);  // "SIGTERM", "SIGRTMIN+3", or the number

// Value-name tables: a directive's words and the enum they stand for, one row each, looked up
// by LookUpName() (exact, case-sensitive match, as systemd's *_from_string()).
template <typename E>
struct NamedValue {
  std::string_view name;
  E value;
};
template <typename E, size_t N>
std::optional<E> LookUpName(const NamedValue<E> (&table)[N], std::string_view text) {
  for (const auto& row : table)
    if (row.name == text) return row.value;
  return std::nullopt;
}

// Restart=, KillMode=, NotifyAccess= map straight onto the model's enums (init/model/service.h).
enum class ServiceType { kSimple, kExec, kForking, kOneshot, kDbus, kNotify, kNotifyReload, kIdle };
std::optional<Restart> ParseRestart(std::string_view text);
std::optional<KillMode> ParseKillMode(std::string_view text);
std::optional<ServiceSpec::NotifyAccess> ParseNotifyAccess(std::string_view text);
std::optional<ServiceType> ParseServiceType(std::string_view text);
// A file mode or umask in octal, 1 to 4 digits (an optional leading 0 makes 5): 0..07777.
std::optional<mode_t> ParseFileMode(std::string_view text);

// StandardOutput= / StandardError=.
struct OutputSpec {
  enum Kind {
    kInherit,
    kNull,
    kTty,
    kJournal,
    kKmsg,
    kJournalConsole,
    kKmsgConsole,
    kFile,      // file:PATH (opened for writing at offset 0, not truncated)
    kAppend,    // append:PATH
    kTruncate,  // truncate:PATH
    kSocket,
    kFd,  // fd:NAME (arg; default "stdout"/"stderr" is the caller's choice when empty)
  };
  Kind kind = kInherit;
  std::string arg;  // PATH for file/append/truncate, NAME for fd
  bool operator==(const OutputSpec&) const = default;
};
std::optional<OutputSpec> ParseOutput(std::string_view text, std::string* err = nullptr);

inline constexpr uint64_t kRlimInfinity = UINT64_MAX;
struct Rlimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
  bool operator==(const Rlimit&) const = default;
};
// `resource` is the directive name without "Limit" ("NOFILE", "CORE", ...).
std::optional<Rlimit> ParseRlimit(std::string_view resource, std::string_view text,
                                  std::string* err = nullptr);
// parse_size() with base 1024: "512", "4K", "1.5G", "1G 512M".
std::optional<uint64_t> ParseSize(std::string_view text);

}  // namespace ctinit::units
