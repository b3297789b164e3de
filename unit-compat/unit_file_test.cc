#include "unit-compat/unit_file.h"

#include <gtest/gtest.h>

namespace ctinit::units {
namespace {

using Strings = std::vector<std::string>;

struct Parsed {
  UnitFile file;
  std::vector<UnitDiagnostic> diags;
  bool ok = false;
  Strings Diags() const {
    Strings out;
    for (const auto& d : diags) out.push_back(d.ToString());
    return out;
  }
};

Parsed Parse(std::string_view text, std::string_view type = "service") {
  Parsed p;
  p.ok = p.file.Parse(text, "/u/x.service", DefaultSchema(type), &p.diags);
  return p;
}

std::string Value(const UnitFile& f, const char* s, const char* k) {
  const Assignment* a = f.Last(s, k);
  return a ? a->value : "<unset>";
}

Strings Values(const UnitFile& f, const char* s, const char* k) {
  Strings out;
  for (const auto* a : f.List(s, k)) out.push_back(a->value);
  return out;
}

TEST(UnitFileSyntax, SectionsKeysWhitespaceComments) {
  auto p = Parse(
      "# comment\n"
      "; comment too\n"
      "[Unit]\n"
      "  Description =  A server  \n"
      "\n"
      "[Service]\n"
      "ExecStart=/bin/x # not a comment\n"
      "\tType=notify\t\n");
  ASSERT_TRUE(p.ok);
  EXPECT_TRUE(p.diags.empty()) << p.Diags()[0];
  EXPECT_EQ(Value(p.file, "Unit", "Description"), "A server");
  EXPECT_EQ(Value(p.file, "Service", "ExecStart"), "/bin/x # not a comment");
  EXPECT_EQ(Value(p.file, "Service", "Type"), "notify");
  const Assignment* a = p.file.Last("Service", "Type");
  EXPECT_EQ(a->file, "/u/x.service");
  EXPECT_EQ(a->line, 8);
  EXPECT_TRUE(p.file.HasSection("Service"));
  EXPECT_FALSE(p.file.HasSection("Install"));
}

TEST(UnitFileSyntax, Continuation) {
  auto p = Parse(
      "[Service]\n"
      "ExecStart=/bin/echo a \\\n"
      "# a comment inside is skipped\n"
      "  b \\\n"
      "c\n"
      "Environment=X=1\\\\\n"  // an escaped backslash does not continue
      "Type=simple\\\n");      // continuation pending at end of file
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(Value(p.file, "Service", "ExecStart"), "/bin/echo a    b  c");
  EXPECT_EQ(p.file.Last("Service", "ExecStart")->line, 5);
  EXPECT_EQ(Value(p.file, "Service", "Environment"), "X=1\\\\");
  EXPECT_EQ(Value(p.file, "Service", "Type"), "simple");
}

// Issue 11 case 8: joining was quadratic (80,000 continuation lines took 12 s inside PID 1).
// 80,000 short pieces (~640 KiB) make one directive; the lines after it still parse.
TEST(UnitFileSyntax, ManyContinuationLinesMakeOneDirective) {
  std::string text = "[Service]\nEnvironment=";
  for (int i = 0; i < 80000; ++i) text += "A=1234\\\n";
  text += "Z=1\nType=simple\n";
  auto p = Parse(text);
  ASSERT_TRUE(p.ok) << p.Diags()[0];
  const Assignment* env = p.file.Last("Service", "Environment");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->value.size(), 80000u * 7 + 3);
  EXPECT_EQ(env->line, 80002);
  EXPECT_TRUE(env->value.ends_with("A=1234 Z=1"));
  EXPECT_EQ(Value(p.file, "Service", "Type"), "simple");
}

// systemd (conf-parser.c) refuses a file whose joined line would exceed 1 MiB.
TEST(UnitFileSyntax, ContinuationBeyondOneMebibyteRejectsFile) {
  std::string piece = std::string(1000, 'a') + "\\\n";
  std::string text = "[Unit]\nDescription=x\n[Service]\nEnvironment=";
  for (int i = 0; i < 1100; ++i) text += piece;
  text += "end\n";
  auto p = Parse(text);
  EXPECT_FALSE(p.ok);
  EXPECT_TRUE(p.file.assignments().empty());
  ASSERT_EQ(p.diags.size(), 1u);
  // 1,048,576 / 1,001 bytes per piece: the 1,048th piece (line 1051) is the one that does not fit.
  EXPECT_EQ(p.diags[0].ToString(),
            "/u/x.service:1051: error: continuation line too long; the file is not loaded");
}

TEST(UnitFileSyntax, LineEndingsAndBom) {
  auto p = Parse("\xEF\xBB\xBF[Unit]\r\nDescription=a\rAfter=b\r\n");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(Value(p.file, "Unit", "Description"), "a");
  EXPECT_EQ(Value(p.file, "Unit", "After"), "b");
  EXPECT_EQ(p.file.Last("Unit", "After")->line, 3);
}

TEST(UnitFileSyntax, ListsAccumulateAndEmptyResets) {
  auto p = Parse(
      "[Unit]\n"
      "After=a.service\n"
      "After=b.service c.service\n"
      "[Service]\n"
      "ExecStartPre=/bin/one\n"
      "ExecStartPre=\n"
      "ExecStartPre=/bin/two\n"
      "ExecStartPre=/bin/three\n"
      "TimeoutSec=5\n"
      "TimeoutSec=\n");
  EXPECT_EQ(Values(p.file, "Unit", "After"), (Strings{"a.service", "b.service c.service"}));
  EXPECT_EQ(Values(p.file, "Service", "ExecStartPre"), (Strings{"/bin/two", "/bin/three"}));
  EXPECT_EQ(Value(p.file, "Service", "TimeoutSec"), "");  // back to the default
  EXPECT_TRUE(Values(p.file, "Service", "TimeoutSec").empty());
}

TEST(UnitFileSyntax, UnknownSectionsAndDirectivesWarn) {
  auto p = Parse(
      "Description=before any section\n"
      "[Unit]\n"
      "Descripton=typo\n"
      "X-Custom=silently ignored\n"
      "no equals sign\n"
      "=no key\n"
      "[Socket]\n"
      "ListenStream=80\n"
      "[X-Vendor]\n"
      "Anything=goes\n"
      "[Service]\n"
      "ExecStart=/bin/true\n");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.Diags(), (Strings{
                           "/u/x.service:1: assignment outside of section, ignoring",
                           "/u/x.service:3: [Unit] Descripton: unknown directive, ignoring",
                           "/u/x.service:5: [Unit] missing '=', ignoring line",
                           "/u/x.service:6: [Unit] missing key name before '=', ignoring line",
                           "/u/x.service:7: [Socket] unknown section, ignoring",
                       }));
  EXPECT_EQ(p.diags[1].section, "Unit");
  EXPECT_EQ(p.diags[1].directive, "Descripton");
  EXPECT_EQ(p.diags[1].line, 3);
  EXPECT_EQ(p.diags[1].severity, Severity::kWarning);
  EXPECT_EQ(Value(p.file, "Service", "ExecStart"), "/bin/true");
  EXPECT_EQ(p.file.assignments().size(), 1u);
  // The same [Socket] section is fine in a socket unit.
  auto s = Parse("[Socket]\nListenStream=80\n", "socket");
  EXPECT_TRUE(s.diags.empty());
}

TEST(UnitFileSyntax, InvalidSectionHeaderRejectsFile) {
  auto p = Parse("[Unit]\nDescription=x\n[Service\nExecStart=/bin/true\n");
  EXPECT_FALSE(p.ok);
  EXPECT_TRUE(p.file.assignments().empty());
  ASSERT_EQ(p.diags.size(), 1u);
  EXPECT_EQ(p.diags[0].severity, Severity::kError);
  EXPECT_EQ(p.diags[0].line, 3);
  EXPECT_EQ(p.diags[0].ToDiagnostic().ToString(),
            "/u/x.service:3: error: invalid section header '[Service'; the file is not loaded");
}

TEST(UnitFileSyntax, InvalidUtf8AndNulAndJunk) {
  auto p = Parse(std::string_view("[Unit]\nDescription=\xff\xfe\nAfter=a\0Wants=b\n", 38));
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.Diags(), (Strings{"/u/x.service:2: invalid UTF-8, ignoring line"}));
  EXPECT_EQ(Value(p.file, "Unit", "After"), "a");
  EXPECT_EQ(Value(p.file, "Unit", "Wants"), "b");
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919) % 256);
  UnitFile f;
  std::vector<UnitDiagnostic> d;
  f.Parse(junk, "junk", DefaultSchema("service"), &d);  // must not crash
  std::string huge = "[Unit]\nDescription=" + std::string(2 << 20, 'a') + "\n";
  EXPECT_FALSE(Parse(huge).ok);
}

TEST(UnitFileSyntax, SeveralFilesAppend) {
  UnitFile f;
  std::vector<UnitDiagnostic> d;
  ASSERT_TRUE(f.Parse("[Service]\nEnvironment=A=1\n", "/a", DefaultSchema("service"), &d));
  ASSERT_TRUE(f.Parse("[Service]\nEnvironment=\nEnvironment=B=2\n", "/b.conf",
                      DefaultSchema("service"), &d));
  auto l = f.List("Service", "Environment");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0]->value, "B=2");
  EXPECT_EQ(l[0]->file, "/b.conf");
  EXPECT_EQ(l[0]->line, 3);
}

}  // namespace
}  // namespace ctinit::units
