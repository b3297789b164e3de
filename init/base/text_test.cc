#include "init/base/text.h"

#include <gtest/gtest.h>

namespace ctinit::text {
namespace {

using Strings = std::vector<std::string>;

TEST(TextSplit, KeepsEmptyFields) {
  EXPECT_EQ(Split("root:x:0:0::/root:/bin/sh", ':'),
            (Strings{"root", "x", "0", "0", "", "/root", "/bin/sh"}));
  EXPECT_EQ(Split("a:", ':'), (Strings{"a", ""}));
  EXPECT_EQ(Split(":a", ':'), (Strings{"", "a"}));
  EXPECT_EQ(Split("", ':'), (Strings{""}));
  EXPECT_EQ(Split("no separator", ','), (Strings{"no separator"}));
}

TEST(TextTrim, BlanksAtBothEnds) {
  EXPECT_EQ(Trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(Trim("\n"), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("x"), "x");
}

TEST(TextDecodeOctalEscapes, MountTableEscapesOnly) {
  EXPECT_EQ(DecodeOctalEscapes("/run/my\\040dir\\134x"), "/run/my dir\\x");
  EXPECT_EQ(DecodeOctalEscapes("a\\08b\\04"), "a\\08b\\04");  // not three octal digits
  EXPECT_EQ(DecodeOctalEscapes(""), "");
}

TEST(TextLower, AsciiOnly) {
  EXPECT_EQ(Lower("Sys-V INIT"), "sys-v init");
  EXPECT_EQ(Lower("\xc3\x89t\xc3\xa9"), "\xc3\x89t\xc3\xa9");  // bytes >= 0x80 are kept
}

TEST(TextJoin, SeparatorBetween) {
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Join({"a"}, ":"), "a");
  EXPECT_EQ(Join({}, ":"), "");
}

TEST(TextTest, ParseCountTakesPlainDecimalsOnly) {
  EXPECT_EQ(text::ParseCount("0"), 0);
  EXPECT_EQ(text::ParseCount("4096"), 4096);
  EXPECT_EQ(text::ParseCount("999999999999999999"), 999999999999999999LL);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1000000000000000000"})
    EXPECT_FALSE(text::ParseCount(bad)) << bad;
}

TEST(TextWords, RunsOfSpacesAndTabsSeparate) {
  EXPECT_EQ(Words("  a\tb  c "), (Strings{"a", "b", "c"}));
  EXPECT_EQ(Words(""), Strings{});
  EXPECT_EQ(Words(" \t "), Strings{});
  EXPECT_EQ(Words("one"), Strings{"one"});
}

}  // namespace
}  // namespace ctinit::text
