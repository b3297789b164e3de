#include "init/runtime/reload_queue.h"

#include <utility>

#include "init/base/log.h"

namespace ctinit {

ReloadQueue::ReloadQueue(BeforeLoadRunner& runner, Hooks hooks)
    : runner_(runner), hooks_(std::move(hooks)) {}

void ReloadQueue::Request(Answer answer) {
  if (std::string why = hooks_.refusal(); !why.empty()) {
    if (answer) answer(false, why);
    return;
  }
  if (running_) {
    log::Info("a reload is under way: one more follows it");
    ++queued_requests_;
    if (answer) next_.push_back(std::move(answer));
    return;
  }
  if (answer) current_.push_back(std::move(answer));
  Start();
}

void ReloadQueue::Start() {
  log::Info("Re-reading the service definitions");
  running_ = runner_.Run(hooks_.commands(), [this, run = ++run_] {
    if (run == run_) Loaded();  // else abandoned after the runner had posted this
  });
  // Only a boot's run can hold the runner, and a boot refuses reloads (no supervisor yet).
  if (!running_) AnswerAll(std::exchange(current_, {}), false, "the boot's generators still run");
}

void ReloadQueue::Loaded() {
  running_ = false;
  auto answers = std::exchange(current_, {});
  std::string why = hooks_.refusal();
  if (why.empty()) hooks_.load();
  if (queued_requests_ > 0) {
    queued_requests_ = 0;
    current_ = std::exchange(next_, {});
    if (why.empty())
      Start();
    else
      AnswerAll(std::exchange(current_, {}), false, why);
  }
  AnswerAll(std::move(answers), why.empty(), why);
}

void ReloadQueue::Abandon(const std::string& why) {
  if (running_) runner_.Abandon();
  running_ = false;
  ++run_;
  queued_requests_ = 0;
  auto answers = std::exchange(current_, {});
  for (auto& a : std::exchange(next_, {})) answers.push_back(std::move(a));
  AnswerAll(std::move(answers), false, why);
}

void ReloadQueue::AnswerAll(std::vector<Answer> answers, bool reloaded, const std::string& why) {
  for (auto& answer : answers) answer(reloaded, why);
}

}  // namespace ctinit
