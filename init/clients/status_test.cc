// `ctinit status` / `ctinit list` (status.h): the table, the detail view and the JSON, from a
// fixed snapshot; and the one message when ctinit is not running.
#include "init/clients/status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "tests/unit/temp_dir.h"

namespace ctinit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<control::ServiceRecord> Snapshot() {
  control::ServiceRecord getty;
  getty.name = "tty1";
  getty.source = "inittab";
  getty.state = "started";
  getty.pid = 42;
  getty.since_ms = 125000;
  getty.origin = "/etc/inittab:12";
  control::ServiceRecord nginx;
  nginx.name = "nginx";
  nginx.source = "openrc";
  nginx.state = "failed";
  nginx.since_ms = 2500;
  nginx.last = "exited 1";
  nginx.why = "start exited 1";
  nginx.description = "web \"server\"";
  nginx.origin = "/etc/init.d/nginx";
  nginx.output = {"bind() failed", "tab\there"};
  control::ServiceRecord off;
  off.name = "off.service";
  off.state = "inactive";
  off.why = "not enabled";
  return {getty, nginx, off};
}

TEST(StatusFormat, AgesAreShortAndRounded) {
  EXPECT_EQ(FormatAge(-1), "-");
  EXPECT_EQ(FormatAge(350), "350ms");
  EXPECT_EQ(FormatAge(12'900), "12s");
  EXPECT_EQ(FormatAge(125'000), "2min");
  EXPECT_EQ(FormatAge(5 * 60'000), "5min");
  EXPECT_EQ(FormatAge(3 * 3'600'000LL), "3h");
  EXPECT_EQ(FormatAge(3 * 86'400'000LL), "3d");
}

TEST(StatusFormat, TableHasOneAlignedRowPerServiceAndNoColourWhenAskedNot) {
  EXPECT_EQ(FormatServiceTable(Snapshot(), false),
            "SOURCE   NAME         STATE     PID  SINCE  LAST EXIT / WHY\n"
            "inittab  tty1         started   42   2min\n"
            "openrc   nginx        failed    -    2s     exited 1\n"
            "-        off.service  inactive  -    -      not enabled\n");
}

TEST(StatusFormat, LastExitAndADifferentWhyAreBothShown) {
  auto records = Snapshot();
  records[1].why = "bind failed";
  EXPECT_THAT(FormatServiceTable(records, false), HasSubstr("exited 1; bind failed\n"));
}

TEST(StatusFormat, ColourMarksTheStateOnly) {
  std::string table = FormatServiceTable(Snapshot(), true);
  EXPECT_THAT(table, HasSubstr("\033[32mstarted\033[0m   42"));
  EXPECT_THAT(table, HasSubstr("\033[1;31mfailed\033[0m"));
  EXPECT_THAT(table, HasSubstr("  inactive  "));  // no colour for the idle states
}

TEST(StatusFormat, SummaryCountsByState) {
  EXPECT_EQ(FormatSummary(Snapshot()), "3 services: 1 started, 1 failed, 1 inactive\n");
  EXPECT_EQ(FormatSummary({}), "0 services\n");
}

TEST(StatusFormat, DetailShowsEveryKnownFieldAndTheRecentOutput) {
  EXPECT_EQ(FormatServiceDetail(Snapshot()[1], false),
            "nginx (openrc) - web \"server\"\n"
            "   state: failed for 2s\n"
            "    last: exited 1\n"
            "     why: start exited 1\n"
            "  origin: /etc/init.d/nginx\n"
            "\n"
            "Recent output:\n"
            "  bind() failed\n"
            "  tab\there\n");
  EXPECT_THAT(FormatServiceDetail(Snapshot()[0], false), HasSubstr("     pid: 42\n"));
  EXPECT_THAT(FormatServiceDetail(Snapshot()[0], false), Not(HasSubstr("Recent output")));
}

TEST(StatusFormat, JsonHasStableFieldsNullsAndEscapes) {
  EXPECT_EQ(FormatServicesJson(Snapshot()),
            "[\n"
            " {\"name\": \"tty1\", \"source\": \"inittab\", \"state\": \"started\", \"pid\": 42, "
            "\"since_ms\": 125000, \"last_exit\": null, \"why\": null, \"description\": \"\", "
            "\"origin\": \"/etc/inittab:12\"},\n"
            " {\"name\": \"nginx\", \"source\": \"openrc\", \"state\": \"failed\", \"pid\": null, "
            "\"since_ms\": 2500, \"last_exit\": \"exited 1\", \"why\": \"start exited 1\", "
            "\"description\": \"web \\\"server\\\"\", \"origin\": \"/etc/init.d/nginx\"},\n"
            " {\"name\": \"off.service\", \"source\": \"\", \"state\": \"inactive\", \"pid\": "
            "null, \"since_ms\": null, \"last_exit\": null, \"why\": \"not enabled\", "
            "\"description\": \"\", \"origin\": \"\"}\n"
            "]\n");
  EXPECT_EQ(FormatServicesJson({}), "[]\n");
  EXPECT_THAT(FormatServiceJson(Snapshot()[1]),
              HasSubstr("\"output\": [\"bind() failed\", \"tab\\u0009here\"]}\n"));
}

TEST(StatusMain, NoSocketIsOneMessageAndExitThree) {
  testutil::TempDir dir;
  testing::internal::CaptureStderr();
  int rc = StatusMain("status", {}, dir.path() + "/control");
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 3);
  EXPECT_EQ(err, "ctinit is not running (nothing listens on " + dir.path() + "/control)\n");
}

TEST(StatusMain, ASocketNobodyListensOnIsNotRunningToo) {
  testutil::TempDir dir;
  std::string path = dir.path() + "/control";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);  // no listen()
  testing::internal::CaptureStderr();
  EXPECT_EQ(StatusMain("list", {"--json"}, path), 3);
  EXPECT_THAT(testing::internal::GetCapturedStderr(), HasSubstr("ctinit is not running"));
  close(fd);
}

TEST(StatusMain, UsageErrorsExitTwo) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(StatusMain("list", {"nginx"}, "/nonexistent"), 2);
  EXPECT_EQ(StatusMain("status", {"a", "b"}, "/nonexistent"), 2);
  EXPECT_EQ(StatusMain("status", {"--colour"}, "/nonexistent"), 2);
  testing::internal::GetCapturedStderr();
}

}  // namespace
}  // namespace ctinit
