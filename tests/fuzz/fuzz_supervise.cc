// libFuzzer target: the supervise options, both ends. Input: NUL-separated words. First byte
// even: the words of a `supervise NAME key=value...` request as PID 1 receives them
// (openrc-shim/supervise_request.h). Odd: the arguments of the supervise-daemon applet
// (openrc-shim/applets/supervise_daemon.h), whose request must then be one PID 1 accepts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "openrc-shim/applets/supervise_daemon.h"
#include "openrc-shim/supervise_request.h"

namespace {

std::vector<std::string> Words(const uint8_t* data, size_t size) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      words.push_back(word);
      word.clear();
    } else {
      word += static_cast<char>(data[i]);
    }
  }
  words.push_back(word);
  return words;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<std::string> words = Words(data + 1, size - 1);
  std::string err;
  if (data[0] % 2 == 0) {
    std::string name = words.front();
    words.erase(words.begin());
    (void)ctinit::openrc::SuperviseRequestToService(name, words, &err);
    return 0;
  }
  std::vector<std::string> request;
  int timeout_ms = 0;
  std::vector<std::string> env = {"PATH=/bin:/usr/bin", "RC_SVCNAME=fuzz", "HOME=/root"};
  if (!ctinit::openrc::BuildSuperviseRequest(words, env, "/", &request, &timeout_ms, &err))
    return 0;
  if (request.size() < 2 || request[0] != "supervise") return 0;
  std::vector<std::string> options(request.begin() + 2, request.end());
  if (!ctinit::openrc::SuperviseRequestToService(request[1], options, &err)) {
    fprintf(stderr, "PID 1 refuses what the applet sent: %s\n", err.c_str());
    abort();
  }
  return 0;
}
