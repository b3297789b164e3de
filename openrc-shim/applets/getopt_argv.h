// argv for getopt_long(3) built from the applets' std::vector<std::string>: the OpenRC helpers
// that the shim re-implements (mountinfo, fstabinfo, kill_all) parse their options with
// getopt_long, so the shim does too, which keeps GNU's permutation (options after operands),
// clustering (-qs) and --long=value exactly as scripts expect.
//
// Constructing one resets getopt's global state (optind = 0: glibc re-initialises), so that an
// applet can be run more than once in one process (the unit tests do). Not thread-safe, as
// getopt itself. Nothing here throws but std::bad_alloc.
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

namespace ctinit::openrc {

class GetoptArgv {
 public:
  // `args` without argv[0]; `applet` becomes argv[0] (getopt's messages name it).
  GetoptArgv(const std::string& applet, const std::vector<std::string>& args) {
    storage_.push_back(applet);
    storage_.insert(storage_.end(), args.begin(), args.end());
    for (auto& s : storage_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
    optind = 0;
    opterr = 1;
  }
  GetoptArgv(const GetoptArgv&) = delete;
  GetoptArgv& operator=(const GetoptArgv&) = delete;

  int argc() const { return static_cast<int>(storage_.size()); }
  char** argv() { return pointers_.data(); }

 private:
  std::vector<std::string> storage_;
  std::vector<char*> pointers_;
};

}  // namespace ctinit::openrc
