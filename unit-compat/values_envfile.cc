// Environment files (EnvironmentFile=): parse_env_file() rules, see values.h.
#include <cstring>

#include "unit-compat/values.h"

namespace ctinit::units {

EnvList ParseEnvFile(std::string_view t, const std::string& file,
                     std::vector<std::string>* warnings) {
  enum State { kPreKey, kKey, kPreValue, kValue, kValueEscape, kSq, kDq, kDqEscape, kComment };
  State st = kPreKey;
  EnvList env;
  std::string key, value;
  size_t key_ws = std::string::npos, value_ws = std::string::npos;
  int line = 1;
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  auto newline = [](char c) { return c == '\n' || c == '\r'; };
  auto push = [&]() {
    if (key_ws != std::string::npos) key.resize(key_ws);
    if (!EnvNameIsValid(key)) {
      if (warnings)
        warnings->push_back(file + ":" + std::to_string(line) + ": invalid variable name \"" + key +
                            "\", ignoring");
    } else {
      EnvSet(env, key + "=" + value);
    }
    key.clear();
    value.clear();
    key_ws = value_ws = std::string::npos;
  };
  for (char c : t) {
    switch (st) {
      case kPreKey:
        if (c == '#' || c == ';') {
          st = kComment;
        } else if (newline(c)) {
          ++line;
        } else if (!blank(c)) {
          st = kKey;
          key_ws = std::string::npos;
          key += c;
        }
        break;
      case kKey:
        if (newline(c)) {  // a line without '=' is dropped
          st = kPreKey;
          key.clear();
          ++line;
        } else if (c == '=') {
          st = kPreValue;
          value_ws = std::string::npos;
        } else {
          if (!blank(c))
            key_ws = std::string::npos;
          else if (key_ws == std::string::npos)
            key_ws = key.size();
          key += c;
        }
        break;
      case kPreValue:
        if (newline(c)) {
          push();
          st = kPreKey;
          ++line;
        } else if (c == '\'') {
          st = kSq;
        } else if (c == '"') {
          st = kDq;
        } else if (c == '\\') {
          st = kValueEscape;
        } else if (!blank(c)) {
          st = kValue;
          value += c;
        }
        break;
      case kValue:
        if (newline(c)) {
          if (value_ws != std::string::npos) value.resize(value_ws);
          push();
          st = kPreKey;
          ++line;
        } else if (c == '\\') {
          st = kValueEscape;
          value_ws = std::string::npos;
        } else {
          if (!blank(c))
            value_ws = std::string::npos;
          else if (value_ws == std::string::npos)
            value_ws = value.size();
          value += c;
        }
        break;
      case kValueEscape:
        st = kValue;
        if (!newline(c))
          value += c;
        else
          ++line;
        break;
      case kSq:
        if (c == '\'')
          st = kPreValue;
        else
          value += c;
        if (c == '\n') ++line;
        break;
      case kDq:
        if (c == '"')
          st = kPreValue;
        else if (c == '\\')
          st = kDqEscape;
        else
          value += c;
        if (c == '\n') ++line;
        break;
      case kDqEscape:
        st = kDq;
        if (std::strchr("\"\\`$", c) && c != '\0') {
          value += c;
        } else if (c != '\n') {
          value += '\\';
          value += c;
        } else {
          ++line;
        }
        break;
      case kComment:
        if (newline(c)) {
          st = kPreKey;
          ++line;
        }
        break;
    }
  }
  if (st == kValue && value_ws != std::string::npos) value.resize(value_ws);
  if (st == kPreValue || st == kValue || st == kValueEscape || st == kSq || st == kDq ||
      st == kDqEscape)
    push();
  return env;
}

}  // namespace ctinit::units
