#include "init/protocol/control.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace ctinit::control {

std::string Encode(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    out += w;
    out += '\0';
  }
  out += '\0';
  return out;
}

bool Decode(const std::string& data, std::vector<std::string>* words) {
  words->clear();
  size_t pos = 0;
  for (;;) {
    size_t nul = data.find('\0', pos);
    if (nul == std::string::npos) return false;
    if (nul == pos) return nul + 1 == data.size();  // the empty word ends the message
    words->push_back(data.substr(pos, nul - pos));
    pos = nul + 1;
  }
}

namespace {

// A value as it may go on the wire: control characters (TAB, newline among them) become spaces.
std::string Clean(const std::string& v) {
  std::string out = v;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

// A number field; `fallback` when it is not one.
long long Number(const std::string& v, long long fallback) {
  if (v.empty()) return fallback;
  char* end = nullptr;
  errno = 0;
  long long n = strtoll(v.c_str(), &end, 10);
  return (*end != '\0' || errno != 0) ? fallback : n;
}

void SetField(ServiceRecord* r, const std::string& key, const std::string& value) {
  if (key == "source")
    r->source = value;
  else if (key == "state")
    r->state = value;
  else if (key == "pid")
    r->pid = static_cast<long>(Number(value, 0));
  else if (key == "since_ms")
    r->since_ms = Number(value, -1);
  else if (key == "last")
    r->last = value;
  else if (key == "why")
    r->why = value;
  else if (key == "description")
    r->description = value;
  else if (key == "origin")
    r->origin = value;
}

}  // namespace

std::string EncodeServices(const std::vector<ServiceRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    out += "name=" + Clean(r.name) + "\tsource=" + Clean(r.source) + "\tstate=" + Clean(r.state) +
           "\tpid=" + std::to_string(r.pid) + "\tsince_ms=" + std::to_string(r.since_ms) +
           "\tlast=" + Clean(r.last) + "\twhy=" + Clean(r.why) +
           "\tdescription=" + Clean(r.description) + "\torigin=" + Clean(r.origin) + "\n";
    for (const auto& line : r.output) out += "output=" + Clean(line) + "\n";
  }
  return out;
}

std::vector<ServiceRecord> DecodeServices(const std::string& text) {
  std::vector<ServiceRecord> records;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.rfind("output=", 0) == 0) {
      if (!records.empty()) records.back().output.push_back(line.substr(7));
      continue;
    }
    if (line.rfind("name=", 0) != 0) continue;
    ServiceRecord r;
    size_t start = 0;
    for (;;) {
      size_t tab = line.find('\t', start);
      std::string field = line.substr(start, tab == std::string::npos ? tab : tab - start);
      size_t eq = field.find('=');
      if (eq != std::string::npos) {
        if (start == 0)
          r.name = field.substr(eq + 1);
        else
          SetField(&r, field.substr(0, eq), field.substr(eq + 1));
      }
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    records.push_back(std::move(r));
  }
  return records;
}

Reply Call(const std::vector<std::string>& words, std::chrono::milliseconds timeout,
           const std::string& path) noexcept {
  Reply r;
  r.code = -1;
  try {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      r.text = std::string("socket: ") + strerror(errno);
      return r;
    }
    struct Closer {
      int fd;
      ~Closer() { close(fd); }
    } closer{fd};
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path)) {
      r.text = "socket path too long";
      return r;
    }
    memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      r.error = errno;
      r.text = "cannot reach ctinit at " + path + ": " + strerror(errno);
      return r;
    }
    std::string req = Encode(words);
    size_t off = 0;
    while (off < req.size()) {
      ssize_t n = send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        r.text = std::string("send: ") + strerror(errno);
        return r;
      }
      off += static_cast<size_t>(n);
    }
    std::string reply;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        r.text = "timed out waiting for ctinit";
        return r;
      }
      pollfd p{fd, POLLIN, 0};
      int pr = poll(&p, 1, static_cast<int>(left.count()));
      if (pr < 0 && errno == EINTR) continue;
      if (pr <= 0) continue;
      char buf[4096];
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        r.text = std::string("read: ") + strerror(errno);
        return r;
      }
      if (n == 0) break;
      reply.append(buf, static_cast<size_t>(n));
    }
    size_t nl = reply.find('\n');
    std::string first = reply.substr(0, nl);
    char* end = nullptr;
    long code = strtol(first.c_str(), &end, 10);
    if (first.empty() || *end != '\0') {
      r.text = "bad reply from ctinit: " + first;
      return r;
    }
    r.code = static_cast<int>(code);
    r.text = nl == std::string::npos ? "" : reply.substr(nl + 1);
  } catch (...) {
    r.text = "out of memory";
  }
  return r;
}

}  // namespace ctinit::control
