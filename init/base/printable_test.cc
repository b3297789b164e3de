#include "init/base/printable.h"

#include <gtest/gtest.h>

namespace ctinit::text {
namespace {

TEST(PrintableTest, PlainTextAndUtf8PassAsTheyAre) {
  EXPECT_EQ(Printable("nginx.service: started"), "nginx.service: started");
  EXPECT_EQ(Printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(Printable(""), "");
}

TEST(PrintableTest, ControlCharactersAreEscaped) {
  EXPECT_EQ(Printable("\x1b[2Jgone"), "\\x1b[2Jgone");
  EXPECT_EQ(Printable("a\rb\tc\nd"), "a\\rb\\tc\\nd");
  EXPECT_EQ(Printable(std::string("x\0y\x7f", 4)), "x\\x00y\\x7f");
}

TEST(PrintableTest, ABackslashIsDoubledSoThatNoEscapeCanBeFaked) {
  EXPECT_EQ(Printable("\\x1b"), "\\\\x1b");
}

TEST(PrintableTest, NewlinesCanBeKept) {
  EXPECT_EQ(Printable("one\ntwo\x1b\n", /*keep_newlines=*/true), "one\ntwo\\x1b\n");
}

}  // namespace
}  // namespace ctinit::text
