#include "openrc-shim/applets/ready_notify.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace ctinit::openrc {
namespace {

using Notify = StartStopDaemonOptions::Notify;

// A forked "daemon": installs the channel as a child would, runs `body`, exits.
template <typename Body>
pid_t Daemon(ReadyChannel* ready, Body body) {
  pid_t pid = fork();
  if (pid == 0) {
    int errfd = dup(2);
    if (!ready->InstallInChild(&errfd)) _exit(2);
    body();
    _exit(0);
  }
  return pid;
}

void Reap(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
}

TEST(ReadyChannel, FdReadyOnANewline) {
  ReadyChannel ready;
  std::string err;
  ASSERT_TRUE(ready.Open(Notify::kFd, 7, "", "", &err)) << err;
  pid_t pid = Daemon(&ready, [] {
    (void)!write(7, "partial", 7);
    (void)!write(7, "ready\n", 6);
  });
  EXPECT_TRUE(ready.Wait());
  Reap(pid);
}

TEST(ReadyChannel, FdNotReadyWhenTheDaemonEndsWithoutANewline) {
  ReadyChannel ready;
  std::string err;
  ASSERT_TRUE(ready.Open(Notify::kFd, 5, "", "", &err)) << err;
  pid_t pid = Daemon(&ready, [] { (void)!write(5, "no newline", 10); });
  EXPECT_FALSE(ready.Wait());
  Reap(pid);
}

TEST(ReadyChannel, SocketReadyOnReadyEqualsOne) {
  auto dir = std::filesystem::temp_directory_path() / ("ready_notify_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir.string() + "/supervise-svc.sock";
  {
    ReadyChannel ready;
    std::string err;
    ASSERT_TRUE(ready.Open(Notify::kSocket, -1, dir.string(), "svc", &err)) << err;
    EXPECT_EQ(std::string(getenv("NOTIFY_SOCKET")), path);
    pid_t pid = Daemon(&ready, [] {
      int s = socket(AF_UNIX, SOCK_DGRAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      strcpy(addr.sun_path, getenv("NOTIFY_SOCKET"));
      for (const char* m : {"STATUS=loading", "READY=1\nSTATUS=up"})
        (void)!sendto(s, m, strlen(m), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    });
    EXPECT_TRUE(ready.Wait());
    Reap(pid);
    unsetenv("NOTIFY_SOCKET");
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  std::filesystem::remove_all(dir);
}

TEST(ReadyChannel, NoneIsReadyAtOnce) {
  ReadyChannel ready;
  std::string err;
  ASSERT_TRUE(ready.Open(Notify::kNone, -1, "", "", &err));
  EXPECT_EQ(ready.ChildEnd(), -1);
  EXPECT_TRUE(ready.Wait());
}

}  // namespace
}  // namespace ctinit::openrc
