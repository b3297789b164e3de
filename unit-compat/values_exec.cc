// Word splitting, Exec*= command lines and environments (see values.h for the rules).
#include <cstring>

#include "unit-compat/values.h"

namespace ctinit::units {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool UnicharIsValid(uint32_t c) {
  if (c >= 0x110000) return false;
  if ((c & 0xFFFFF800) == 0xD800) return false;
  if (c >= 0xFDD0 && c <= 0xFDEF) return false;
  if ((c & 0xFFFE) == 0xFFFE) return false;
  return true;
}

void AppendUtf8(std::string& s, uint32_t c) {
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// cunescape_one(): decodes the escape whose first character (after the backslash) is at
// text[i]; returns the number of characters consumed, or 0 if invalid.
size_t CunescapeOne(std::string_view t, size_t i, std::string& out) {
  auto at = [&](size_t k) { return i + k < t.size() ? t[i + k] : '\0'; };
  switch (at(0)) {
    case 'a':
      out += '\a';
      return 1;
    case 'b':
      out += '\b';
      return 1;
    case 'f':
      out += '\f';
      return 1;
    case 'n':
      out += '\n';
      return 1;
    case 'r':
      out += '\r';
      return 1;
    case 't':
      out += '\t';
      return 1;
    case 'v':
      out += '\v';
      return 1;
    case '\\':
      out += '\\';
      return 1;
    case '"':
      out += '"';
      return 1;
    case '\'':
      out += '\'';
      return 1;
    case 's':
      out += ' ';
      return 1;
    case 'x': {
      int a = HexDigit(at(1)), b = HexDigit(at(2));
      if (a < 0 || b < 0 || (a == 0 && b == 0)) return 0;
      out += static_cast<char>((a << 4) | b);
      return 3;
    }
    case 'u':
    case 'U': {
      size_t n = at(0) == 'u' ? 4 : 8;
      uint32_t c = 0;
      for (size_t k = 1; k <= n; ++k) {
        int d = HexDigit(at(k));
        if (d < 0) return 0;
        c = (c << 4) | static_cast<uint32_t>(d);
      }
      if (c == 0 || !UnicharIsValid(c)) return 0;
      AppendUtf8(out, c);
      return n + 1;
    }
    default: {
      auto oct = [](char c) { return c >= '0' && c <= '7' ? c - '0' : -1; };
      int a = oct(at(0)), b = oct(at(1)), c = oct(at(2));
      if (a < 0 || b < 0 || c < 0) return 0;
      int m = (a << 6) | (b << 3) | c;
      if (m == 0 || m > 255) return 0;
      out += static_cast<char>(m);
      return 3;
    }
  }
}

bool Contains(std::string_view set, char c) {
  return c != '\0' && set.find(c) != std::string_view::npos;
}

}  // namespace

int ExtractFirstWord(std::string_view t, size_t& pos, std::string* word, unsigned flags,
                     std::string_view seps) {
  if (pos == std::string::npos) return 0;
  auto at = [&](size_t i) { return i < t.size() ? t[i] : '\0'; };
  std::string s;
  // Skip leading separators.
  for (;; ++pos) {
    char c = at(pos);
    if (c == '\0') {
      pos = std::string::npos;
      return 0;
    }
    if (!Contains(seps, c)) break;
    if (flags & kExtractDontCoalesceSeparators) {
      ++pos;
      *word = "";
      return 1;
    }
  }
  char quote = 0;
  for (;;) {
    char c = at(pos);
    if (c == '\0') {
      if (quote && !(flags & kExtractRelax)) return -1;
      pos = std::string::npos;
      break;
    }
    if (c == '\\') {
      ++pos;
      if (at(pos) == '\0') {
        if (flags & kExtractRelax) {
          pos = std::string::npos;
          break;
        }
        return -1;
      }
      if (flags & kExtractCunescape) {
        size_t n = CunescapeOne(t, pos, s);
        if (n == 0) return -1;
        pos += n;
      } else {
        s += at(pos++);
      }
      continue;
    }
    if (quote) {
      if (c == quote) {
        quote = 0;
        if (!(flags & kExtractUnquote)) s += c;
      } else {
        s += c;
      }
      ++pos;
      continue;
    }
    if ((c == '\'' || c == '"') && (flags & kExtractUnquote)) {
      quote = c;
      ++pos;
      continue;
    }
    if (Contains(seps, c)) {
      if (flags & kExtractDontCoalesceSeparators) {
        ++pos;
        break;
      }
      while (Contains(seps, at(pos))) ++pos;
      if (at(pos) == '\0') pos = std::string::npos;
      break;
    }
    s += c;
    ++pos;
  }
  *word = std::move(s);
  return 1;
}

std::optional<std::vector<std::string>> SplitWords(std::string_view text, unsigned flags) {
  std::vector<std::string> out;
  size_t pos = 0;
  std::string w;
  for (;;) {
    int r = ExtractFirstWord(text, pos, &w, flags);
    if (r < 0) return std::nullopt;
    if (r == 0) return out;
    out.push_back(std::move(w));
  }
}

bool ParseExecLine(std::string_view value, const ExpandFn& expand, std::vector<ExecCommand>* out,
                   std::string* err, bool* fatal) {
  const unsigned kFlags = kExtractUnquote | kExtractCunescape;
  auto at = [&](size_t i) { return i < value.size() ? value[i] : '\0'; };
  auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::vector<ExecCommand> parsed;
  size_t pos = 0;
  bool ignore = false;
  auto fail = [&](std::string msg) {
    if (err) *err = std::move(msg);
    if (fatal) *fatal = !ignore;
    return false;
  };
  auto do_expand = [&](const std::string& w, std::string* res) {
    if (!expand) {
      *res = w;
      return true;
    }
    std::string e;
    auto r = expand(w, &e);
    if (!r) return fail("failed to resolve specifiers in \"" + w + "\": " + e);
    *res = std::move(*r);
    return true;
  };
  bool semicolon;
  do {
    semicolon = false;
    std::string first;
    int r = ExtractFirstWord(value, pos, &first, kFlags);
    if (r < 0) return fail("invalid syntax in command line \"" + std::string(value) + "\"");
    if (r == 0) break;
    if (first == ";") {
      semicolon = true;
      continue;
    }
    ExecCommand cmd;
    size_t f = 0;
    for (;; ++f) {
      char c = f < first.size() ? first[f] : '\0';
      bool setuid_flags = cmd.full_privileges || cmd.no_setuid || cmd.ambient_magic;
      if (c == '-' && !cmd.ignore_failure) {
        cmd.ignore_failure = ignore = true;
      } else if (c == '@' && !cmd.separate_argv0) {
        cmd.separate_argv0 = true;
      } else if (c == ':' && !cmd.no_env_expand) {
        cmd.no_env_expand = true;
      } else if (c == '+' && !setuid_flags) {
        cmd.full_privileges = true;
      } else if (c == '!' && !setuid_flags) {
        cmd.no_setuid = true;
      } else if (c == '!' && !cmd.full_privileges && !cmd.ambient_magic) {
        cmd.no_setuid = false;
        cmd.ambient_magic = true;
      } else {
        break;
      }
    }
    if (!do_expand(first.substr(f), &cmd.path)) return false;
    if (cmd.path.empty()) return fail("empty path in command line \"" + std::string(value) + "\"");
    if (cmd.path.back() == '/' || cmd.path.ends_with("/.") || cmd.path.ends_with("/..") ||
        cmd.path == "." || cmd.path == "..")
      return fail("executable path \"" + cmd.path + "\" specifies a directory");
    if (cmd.path[0] != '/' && cmd.path.find('/') != std::string::npos)
      return fail("executable path \"" + cmd.path + "\" is neither absolute nor a plain name");
    if (!cmd.separate_argv0) cmd.argv.push_back(cmd.path);
    while (pos != std::string::npos && pos < value.size()) {
      if (at(pos) == ';' && (at(pos + 1) == '\0' || is_blank(at(pos + 1)))) {
        ++pos;
        while (is_blank(at(pos))) ++pos;
        semicolon = true;
        break;
      }
      if (at(pos) == '\\' && at(pos + 1) == ';' && (at(pos + 2) == '\0' || is_blank(at(pos + 2)))) {
        pos += 2;
        while (is_blank(at(pos))) ++pos;
        cmd.argv.push_back(";");
        continue;
      }
      std::string word, resolved;
      r = ExtractFirstWord(value, pos, &word, kFlags);
      if (r == 0) break;
      if (r < 0) return fail("invalid syntax in command line \"" + std::string(value) + "\"");
      if (!do_expand(word, &resolved)) return false;
      cmd.argv.push_back(std::move(resolved));
    }
    if (cmd.argv.empty())
      return fail("empty executable name or zeroeth argument in \"" + std::string(value) + "\"");
    parsed.push_back(std::move(cmd));
  } while (semicolon);
  if (parsed.empty()) return fail("no command in \"" + std::string(value) + "\"");
  for (auto& c : parsed) out->push_back(std::move(c));
  return true;
}

bool EnvNameIsValid(std::string_view n) {
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

const std::string* EnvGet(const EnvList& env, std::string_view name) {
  for (const auto& e : env)
    if (e.size() > name.size() && e[name.size()] == '=' && e.compare(0, name.size(), name) == 0)
      return &e;
  return nullptr;
}

void EnvSet(EnvList& env, std::string_view assignment) {
  std::string_view name = assignment.substr(0, assignment.find('='));
  for (auto& e : env)
    if (e.size() > name.size() && e[name.size()] == '=' && e.compare(0, name.size(), name) == 0) {
      e = std::string(assignment);
      return;
    }
  env.emplace_back(assignment);
}

namespace {
std::optional<std::string> EnvValue(const EnvList& env, std::string_view name) {
  const std::string* e = EnvGet(env, name);
  if (!e) return std::nullopt;
  return e->substr(name.size() + 1);
}
}  // namespace

std::string ReplaceEnv(std::string_view w, const EnvList& env) {
  std::string out;
  size_t i = 0;
  while (i < w.size()) {
    if (w[i] != '$' || i + 1 >= w.size()) {
      out += w[i++];
      continue;
    }
    if (w[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (w[i + 1] != '{') {
      out += w[i++];
      continue;
    }
    // "${": find "}" (a ':' first means unsupported extended syntax: left as written).
    size_t j = i + 2;
    while (j < w.size() && w[j] != '}' && w[j] != ':') ++j;
    if (j >= w.size() || w[j] == ':') {
      out.append(w.substr(i, j - i));
      i = j;
      continue;
    }
    if (auto v = EnvValue(env, w.substr(i + 2, j - i - 2))) out += *v;
    i = j + 1;
  }
  return out;
}

std::vector<std::string> ExpandExecArgv(const std::vector<std::string>& argv, const EnvList& env) {
  std::vector<std::string> out;
  for (const auto& a : argv) {
    if (!a.empty() && a[0] == '$' && (a.size() < 2 || (a[1] != '{' && a[1] != '$'))) {
      if (auto v = EnvValue(env, std::string_view(a).substr(1))) {
        // strv_split_full(WHITESPACE, EXTRACT_RELAX|EXTRACT_UNQUOTE)
        size_t pos = 0;
        std::string word;
        while (ExtractFirstWord(*v, pos, &word, kExtractRelax | kExtractUnquote) > 0)
          out.push_back(word);
      }
      continue;
    }
    out.push_back(ReplaceEnv(a, env));
  }
  return out;
}

void ParseEnvironment(std::string_view value, const ExpandFn& expand, EnvList* env,
                      std::vector<std::string>* warnings) {
  auto warn = [&](std::string m) {
    if (warnings) warnings->push_back(std::move(m));
  };
  size_t pos = 0;
  std::string word;
  bool any = false;
  for (;;) {
    int r = ExtractFirstWord(value, pos, &word, kExtractCunescape | kExtractUnquote);
    if (r < 0) return warn("invalid syntax, ignoring: " + std::string(value));
    if (r == 0) break;
    any = true;
    std::string resolved = word;
    if (expand) {
      std::string e;
      auto x = expand(word, &e);
      if (!x) {
        warn("failed to resolve specifiers in \"" + word + "\", ignoring");
        continue;
      }
      resolved = std::move(*x);
    }
    size_t eq = resolved.find('=');
    if (eq == std::string::npos || !EnvNameIsValid(std::string_view(resolved).substr(0, eq))) {
      warn("invalid environment assignment, ignoring: " + resolved);
      continue;
    }
    EnvSet(*env, resolved);
  }
  if (!any) env->clear();  // "Environment=" resets the list
}

std::optional<EnvFileRef> ParseEnvironmentFileValue(std::string_view v, std::string* err) {
  EnvFileRef ref;
  if (!v.empty() && v[0] == '-') {
    ref.optional = true;
    v.remove_prefix(1);
  }
  if (v.empty() || v[0] != '/') {
    if (err) *err = "path \"" + std::string(v) + "\" is not absolute";
    return std::nullopt;
  }
  ref.path = std::string(v);
  return ref;
}

}  // namespace ctinit::units
