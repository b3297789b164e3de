#include "openrc-shim/graph.h"

#include <algorithm>
#include <deque>
#include <set>

#include "openrc-shim/rc_sys.h"

namespace ctinit::openrc {
namespace {

// Edge strength, weakest first: the weakest edge of a cycle is the one dropped.
enum Kind { kStar = 0, kBefore, kAfter, kUse, kWant, kNeed };

const char* KindName(int k) {
  static const char* const names[] = {"after/before *", "before", "after", "use", "want", "need"};
  return names[k];
}

using Names = std::set<std::string>;

class Builder {
 public:
  explicit Builder(const GraphInput& in) : in_(in) {}

  Graph Build() {
    Mask();
    for (const auto& [name, d] : tree_) {
      for (const auto& v : d->provide) {
        if (tree_.count(v)) {
          Diag("\"" + v + "\" is the name of a real and a virtual service (provided by " + name +
               "); using the real one");
        } else {
          providers_[v].push_back(name);
        }
      }
    }
    for (const auto& s : in_.start) {
      if (tree_.count(s)) {
        requested_.insert(s);
      } else if (!masked_.count(s)) {
        Diag("runlevel names \"" + s + "\", which is not a known service; skipped");
      }
    }
    PullIn();
    if (in_.strict_need) Strict();
    Order();
    Waves();
    return std::move(g_);
  }

 private:
  void Diag(const std::string& msg) { g_.diagnostics.push_back({"openrc", 0, msg}); }

  void Mask() {
    std::string dash = MaskKeyword(in_.rc_sys);
    std::string no = in_.rc_sys.empty() ? "" : "no" + dash.substr(1);
    for (const auto& [name, d] : in_.services) {
      bool masked =
          !dash.empty() && std::any_of(d.keywords.begin(), d.keywords.end(),
                                       [&](const std::string& k) { return k == dash || k == no; });
      if (!masked) {
        tree_[name] = &d;
        continue;
      }
      masked_.insert(name);
      g_.masked.push_back(name);
      deleted_.insert(name);
      deleted_.insert(d.provide.begin(), d.provide.end());
    }
  }

  // What a dependency name stands for. `pull`: pick a provider even if none is started.
  std::vector<std::string> Resolve(const std::string& x, bool pull, bool* missing) const {
    if (deleted_.count(x)) return {};
    if (tree_.count(x)) return {x};
    auto p = providers_.find(x);
    if (p == providers_.end()) {
      if (missing) *missing = true;
      return {};
    }
    std::vector<std::string> out;
    for (const auto& s : p->second) {
      if (requested_.count(s)) out.push_back(s);
    }
    if (out.empty() && pull) out.push_back(p->second.front());
    return out;
  }

  // Started services a dependency name orders against.
  std::vector<std::string> Started(const std::string& x) const {
    std::vector<std::string> out;
    if (deleted_.count(x)) return out;
    if (tree_.count(x)) {
      if (set_.count(x)) out.push_back(x);
      return out;
    }
    auto p = providers_.find(x);
    if (p == providers_.end()) return out;
    for (const auto& s : p->second) {
      if (set_.count(s)) out.push_back(s);
    }
    return out;
  }

  void PullIn() {
    std::deque<std::string> queue(requested_.begin(), requested_.end());
    set_ = requested_;
    while (!queue.empty()) {
      std::string s = queue.front();
      queue.pop_front();
      const OpenrcDeps& d = *tree_.at(s);
      for (const auto* list : {&d.need, &d.want}) {
        for (const auto& x : *list) {
          bool missing = false;
          for (const auto& t : Resolve(x, true, &missing)) {
            if (set_.insert(t).second) queue.push_back(t);
          }
          if (missing && list == &d.need) missing_[s].push_back(x);
        }
      }
    }
    if (in_.strict_need) return;
    for (const auto& [s, xs] : missing_) {
      for (const auto& x : xs) {
        Diag(s + " needs non-existent service \"" + x + "\"; starting it anyway");
      }
    }
  }

  void Strict() {
    Names broken;
    for (const auto& [s, xs] : missing_) {
      broken.insert(s);
      for (const auto& x : xs) {
        Diag(s + " needs non-existent service \"" + x + "\"; it will not be started");
      }
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& s : set_) {
        if (broken.count(s)) continue;
        for (const auto& x : tree_.at(s)->need) {
          auto t = Started(x);
          if (t.empty() || !std::all_of(t.begin(), t.end(),
                                        [&](const std::string& b) { return broken.count(b); })) {
            continue;
          }
          Diag(s + " needs \"" + x + "\", which will not be started; it will not be started");
          broken.insert(s);
          changed = true;
          break;
        }
      }
    }
    for (const auto& b : broken) set_.erase(b);
    g_.broken.assign(broken.begin(), broken.end());
  }

  void Edge(const std::string& first, const std::string& then, int kind) {
    if (first == then) return;
    auto [it, inserted] = deps_[then].emplace(first, kind);
    if (!inserted && it->second < kind) it->second = kind;
  }

  void Order() {
    Names star_after, star_before;
    for (const auto& s : set_) {
      deps_[s];
      const OpenrcDeps& d = *tree_.at(s);
      const std::pair<const std::vector<std::string>*, int> lists[] = {
          {&d.need, kNeed}, {&d.want, kWant}, {&d.use, kUse}, {&d.after, kAfter}};
      for (const auto& [list, kind] : lists) {
        for (const auto& x : *list) {
          if (x == "*") {
            if (kind == kAfter) star_after.insert(s);
            continue;
          }
          for (const auto& t : Started(x)) Edge(t, s, kind);
        }
      }
      for (const auto& x : d.before) {
        if (x == "*") {
          star_before.insert(s);
          continue;
        }
        for (const auto& t : Started(x)) Edge(s, t, kBefore);
      }
    }
    auto explicit_before = [&](const std::string& a, const std::string& b) {
      return deps_[b].count(a) > 0;  // a already starts before b
    };
    for (const auto& s : star_after) {
      for (const auto& o : set_) {
        if (o != s && !star_after.count(o) && !explicit_before(s, o)) Edge(o, s, kStar);
      }
    }
    for (const auto& s : star_before) {
      for (const auto& o : set_) {
        if (o != s && !star_before.count(o) && !explicit_before(o, s)) Edge(s, o, kStar);
      }
    }
  }

  void BreakCycle(const Names& remaining) {
    std::vector<std::string> path;
    std::map<std::string, size_t> pos;
    std::string cur = *remaining.begin();
    while (!pos.count(cur)) {
      pos[cur] = path.size();
      path.push_back(cur);
      for (const auto& [dep, kind] : deps_[cur]) {
        if (remaining.count(dep)) {
          cur = dep;
          break;
        }
      }
    }
    std::vector<std::string> cycle(path.begin() + static_cast<long>(pos[cur]), path.end());
    size_t weakest = 0;
    for (size_t i = 0; i < cycle.size(); ++i) {
      const auto& next = cycle[(i + 1) % cycle.size()];
      if (deps_[cycle[i]][next] < deps_[cycle[weakest]][cycle[(weakest + 1) % cycle.size()]]) {
        weakest = i;
      }
    }
    std::string text;
    for (const auto& c : cycle) text += c + " -> ";
    text += cycle.front();
    const auto& from = cycle[weakest];
    const auto& to = cycle[(weakest + 1) % cycle.size()];
    Diag("dependency cycle " + text + " (each waits for the next); ignoring that " + from +
         " waits for " + to + " (" + KindName(deps_[from][to]) + ")");
    deps_[from].erase(to);
  }

  void Waves() {
    Names remaining = set_;
    while (!remaining.empty()) {
      std::vector<std::string> wave;
      for (const auto& s : remaining) {
        const auto& d = deps_[s];
        if (std::none_of(d.begin(), d.end(),
                         [&](const auto& e) { return remaining.count(e.first) > 0; })) {
          wave.push_back(s);
        }
      }
      if (wave.empty()) {
        BreakCycle(remaining);
        continue;
      }
      for (const auto& s : wave) remaining.erase(s);
      g_.start_waves.push_back(std::move(wave));
    }
    g_.stop_waves.assign(g_.start_waves.rbegin(), g_.start_waves.rend());
    for (const auto& s : set_) {
      auto& out = g_.start_after[s];
      for (const auto& [dep, kind] : deps_[s]) out.push_back(dep);
    }
  }

  const GraphInput& in_;
  Graph g_;
  std::map<std::string, const OpenrcDeps*> tree_;  // services left after masking
  Names masked_, deleted_, requested_, set_;
  std::map<std::string, std::vector<std::string>> providers_, missing_;
  std::map<std::string, std::map<std::string, int>> deps_;  // then -> {first -> kind}
};

}  // namespace

Graph BuildGraph(const GraphInput& input) noexcept {
  try {
    return Builder(input).Build();
  } catch (...) {
    Graph g;
    g.diagnostics.push_back({"openrc", 0, "out of memory while building the dependency graph"});
    return g;
  }
}

}  // namespace ctinit::openrc
