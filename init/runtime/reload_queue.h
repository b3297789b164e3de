// ReloadQueue: the requests to read the service definitions again — `systemctl daemon-reload`
// (answered), SIGHUP and `telinit q` (nobody to answer) — and the order they are done in.
//
// A reload is two steps: the front ends' BeforeLoad commands (the image's generators, through
// BeforeLoadRunner: ordinary children, bounded, seen through the one reaper), then `load` (the
// front ends read again and the set applied to the supervisor). Whoever asked is answered only
// after `load` has run — systemd's daemon-reload returns once the manager has reloaded — so
// `systemctl daemon-reload; systemctl start generated.service` finds what a generator wrote.
// Nothing waits: answers are callbacks, the event loop (control socket, reaper) goes on.
//
// One reload runs at a time. A request that comes while one runs is not merged into it (its
// generators may already have read what the request's caller just changed) but queued: any
// number of such requests share one more reload, started when the running one ends.
//
// A reload that is not done is answered with false and why: refused when asked (no supervisor
// yet, a shutdown under way), or given up at the load (a shutdown began while its generators
// ran) or by Abandon (a boot in place) — queued requests are answered alike.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "init/runtime/before_load.h"

namespace ctinit {

class ReloadQueue {
 public:
  // True once the definitions were read again; false and why when this reload was not done.
  using Answer = std::function<void(bool reloaded, const std::string& why)>;
  struct Hooks {
    // The commands to run before each load (FrontEnd::BeforeLoad), asked afresh each time.
    std::function<std::vector<BeforeLoadRunner::Command>()> commands;
    // Why no load may happen now, "" when it may: asked for each request and again just
    // before each load.
    std::function<std::string()> refusal;
    // Reads the definitions again and applies them. Called from a posted callback, never from
    // inside the reaper.
    std::function<void()> load;
  };

  ReloadQueue(BeforeLoadRunner& runner, Hooks hooks);
  // Starts a reload, or queues one behind the running one. `answer` (may be empty) is called
  // exactly once, never from inside this call unless the request is refused at once.
  void Request(Answer answer);
  // Gives up the running and queued reloads (the runner's run is abandoned), answering each
  // request with false and `why`.
  void Abandon(const std::string& why);
  bool running() const { return running_; }
  // Requests waiting for the reload after the running one (for tests).
  size_t queued() const { return queued_requests_; }

 private:
  void Start();
  void Loaded();
  // Answers `answers` (taken out first: an answer may come back with a new request).
  static void AnswerAll(std::vector<Answer> answers, bool reloaded, const std::string& why);

  BeforeLoadRunner& runner_;
  Hooks hooks_;
  bool running_ = false;
  unsigned run_ = 0;             // bumped by each start and Abandon: a stale Loaded is void
  std::vector<Answer> current_;  // answered when the running reload has loaded
  std::vector<Answer> next_;     // answered when the queued reload has loaded
  size_t queued_requests_ = 0;   // requests behind the running reload (with or without answer)
};

}  // namespace ctinit
