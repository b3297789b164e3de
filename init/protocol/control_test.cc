// The control protocol's encodings (control.h): requests, and the records of `services`.
#include "init/protocol/control.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ctinit::control {
namespace {

using ::testing::ElementsAre;

TEST(ControlProtocol, RequestRoundTripsAndIncompleteOnesAreNotDecoded) {
  std::vector<std::string> words;
  EXPECT_TRUE(Decode(Encode({"services", "nginx"}), &words));
  EXPECT_THAT(words, ElementsAre("services", "nginx"));
  EXPECT_FALSE(Decode(std::string("status\0sshd\0", 12), &words));
}

TEST(ControlProtocol, ServiceRecordsRoundTripWithTheirOutput) {
  ServiceRecord a;
  a.name = "nginx";
  a.source = "openrc";
  a.state = "failed";
  a.pid = 0;
  a.since_ms = 2500;
  a.last = "exited 1";
  a.why = "start exited 1";
  a.description = "web server";
  a.origin = "/etc/init.d/nginx";
  a.output = {"nginx: [emerg] bind() failed", ""};
  ServiceRecord b;
  b.name = "getty1";
  b.state = "up";
  b.pid = 42;
  auto back = DecodeServices(EncodeServices({a, b}));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].name, "nginx");
  EXPECT_EQ(back[0].source, "openrc");
  EXPECT_EQ(back[0].state, "failed");
  EXPECT_EQ(back[0].since_ms, 2500);
  EXPECT_EQ(back[0].last, "exited 1");
  EXPECT_EQ(back[0].why, "start exited 1");
  EXPECT_EQ(back[0].description, "web server");
  EXPECT_EQ(back[0].origin, "/etc/init.d/nginx");
  EXPECT_THAT(back[0].output, ElementsAre("nginx: [emerg] bind() failed", ""));
  EXPECT_EQ(back[1].pid, 42);
  EXPECT_EQ(back[1].since_ms, -1);
}

TEST(ControlProtocol, ControlCharactersInValuesCannotSplitARecord) {
  ServiceRecord a;
  a.name = "x\ty";
  a.why = "two\nlines\tand\x1b[31m";
  a.output = {"a\nname=forged"};
  std::string wire = EncodeServices({a});
  auto back = DecodeServices(wire);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].name, "x y");
  EXPECT_EQ(back[0].why, "two lines and [31m");
  EXPECT_THAT(back[0].output, ElementsAre("a name=forged"));
}

TEST(ControlProtocol, DecodingSkipsWhatIsNotARecordAndUnknownKeys) {
  auto back = DecodeServices(
      "output=orphan\nnonsense\nname=a\tpid=12x\tsince_ms=\tcolour=blue\tstate=up\n"
      "output=hello\nname=b\n");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].name, "a");
  EXPECT_EQ(back[0].pid, 0);
  EXPECT_EQ(back[0].since_ms, -1);
  EXPECT_EQ(back[0].state, "up");
  EXPECT_THAT(back[0].output, ElementsAre("hello"));
  EXPECT_EQ(back[1].name, "b");
}

}  // namespace
}  // namespace ctinit::control
