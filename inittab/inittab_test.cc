#include "inittab/inittab.h"
#include "tests/unit/temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace ctinit::inittab {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

std::string Fixture(const std::string& name) {
  return std::string(CTINIT_SOURCE_DIR) + "/tests/fixtures/inittab/" + name;
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(Fixture(name), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Strings Names(const ServiceSet& set) {
  Strings out;
  for (const auto& s : set.services) out.push_back(s.name);
  return out;
}

Strings Messages(const ServiceSet& set) {
  Strings out;
  for (const auto& d : set.diagnostics) out.push_back(d.ToString());
  return out;
}

const ServiceSpec* Find(const ServiceSet& set, const std::string& name) {
  for (const auto& s : set.services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// One entry line, plus an S entry so that no sulogin is added.
ServiceSet One(const std::string& line) { return Parse(line + "\nsu:S:off:\n", "t"); }

// The diagnostic for a one-line inittab ("t:1: ...").
std::string ErrorOf(const std::string& line) {
  ServiceSet set = One(line);
  if (set.diagnostics.empty()) return "";
  return set.diagnostics.front().ToString();
}

TEST(InittabParse, Debian12Stock) {
  ServiceSet set = Parse(ReadFixture("debian12.inittab"), "/etc/inittab");
  EXPECT_EQ(Messages(set), Strings{});
  EXPECT_EQ(set.default_level, '2');
  EXPECT_EQ(Names(set), (Strings{"ca", "pf", "pn", "po", "si", "~~", "l0", "l1", "l2", "l3",
                                 "l4", "l5", "l6", "z6", "1",  "2",  "3",  "4",  "5",  "6"}));
  const ServiceSpec* si = Find(set, "si");
  EXPECT_EQ(si->trigger, Trigger::kSysInit);
  EXPECT_TRUE(si->blocking);
  EXPECT_EQ(si->levels, "");
  EXPECT_EQ(si->origin, "/etc/inittab:9");
  EXPECT_EQ(si->command.argv, Strings{"/etc/init.d/rcS"});
  const ServiceSpec* sul = Find(set, "~~");
  EXPECT_EQ(sul->levels, "S");
  EXPECT_EQ(sul->command.argv, (Strings{"/sbin/sulogin", "--force"}));
  const ServiceSpec* l2 = Find(set, "l2");
  EXPECT_EQ(l2->trigger, Trigger::kRunlevel);
  EXPECT_EQ(l2->kind, Kind::kTask);
  EXPECT_TRUE(l2->blocking);
  EXPECT_EQ(l2->action_label, "wait");
  EXPECT_EQ(l2->command.argv, (Strings{"/etc/init.d/rc", "2"}));
  const ServiceSpec* ca = Find(set, "ca");
  EXPECT_EQ(ca->trigger, Trigger::kCtrlAltDel);
  EXPECT_EQ(ca->levels, "12345");
  EXPECT_EQ(ca->command.argv, (Strings{"/sbin/shutdown", "-t1", "-a", "-r", "now"}));
  const ServiceSpec* pf = Find(set, "pf");
  EXPECT_EQ(pf->trigger, Trigger::kPowerWait);
  EXPECT_TRUE(pf->blocking);
  EXPECT_EQ(pf->levels, "S0123456789");
  EXPECT_EQ(Find(set, "pn")->trigger, Trigger::kPowerFailNow);
  EXPECT_EQ(Find(set, "po")->trigger, Trigger::kPowerOkWait);
  const ServiceSpec* tty1 = Find(set, "1");
  EXPECT_EQ(tty1->kind, Kind::kLongRun);
  EXPECT_EQ(tty1->levels, "2345");
  EXPECT_TRUE(tty1->utmp);
  EXPECT_EQ(tty1->command.argv, (Strings{"/sbin/getty", "--noclear", "38400", "tty1"}));
  EXPECT_EQ(Find(set, "6")->levels, "23");
}

TEST(InittabParse, GentooStock) {
  ServiceSet set = Parse(ReadFixture("gentoo.inittab"), "/etc/inittab");
  EXPECT_EQ(Messages(set), Strings{});
  EXPECT_EQ(set.default_level, '3');
  EXPECT_EQ(Names(set),
            (Strings{"ca", "si",  "rc",  "l0u", "l0", "l0s", "l1", "l2", "l3", "l4", "l5", "l6u",
                     "l6", "l6r", "su0", "su1", "c1", "c2",  "c3", "c4", "c5", "c6", "x"}));
  const ServiceSpec* rc = Find(set, "rc");
  EXPECT_EQ(rc->trigger, Trigger::kBoot);
  EXPECT_TRUE(rc->blocking);
  EXPECT_EQ(rc->command.argv, (Strings{"/sbin/openrc", "boot"}));
  const ServiceSpec* x = Find(set, "x");
  EXPECT_EQ(x->levels, "a");
  EXPECT_EQ(x->action_label, "once");
  EXPECT_FALSE(x->blocking);
  EXPECT_EQ(Find(set, "ca")->command.argv, (Strings{"/sbin/shutdown", "-r", "now"}));
  EXPECT_EQ(Find(set, "l6r")->origin, "/etc/inittab:35");
}

TEST(InittabParse, BusyboxInittabIsRejectedLineByLine) {
  ServiceSet set = Parse(ReadFixture("busybox.inittab"), "/etc/inittab");
  EXPECT_EQ(Names(set), Strings{"~~"});  // nothing accepted; no S entry => builtin sulogin
  EXPECT_EQ(Messages(set), (Strings{
                               "/etc/inittab:3: missing id field",
                               "/etc/inittab:4: missing id field",
                               "/etc/inittab:5: askfirst: unknown action field",
                               "/etc/inittab:6: id field too long (max 4 characters)",
                               "/etc/inittab:7: missing id field",
                               "/etc/inittab:8: missing id field",
                               "/etc/inittab:9: missing id field",
                               "/etc/inittab:10: missing id field",
                               "/etc/inittab: this looks like a busybox inittab "
                               "(tty:ignored:action:command); ctinit reads sysvinit's "
                               "id:runlevels:action:process format, see inittab(5)",
                           }));
}

TEST(InittabParse, BusyboxTtyRespawnLineIsValidSysvinit) {
  // sysvinit reads `tty1::respawn:...` as id "tty1", all levels: accepted, no busybox hint.
  ServiceSet set = One("tty1::respawn:/sbin/getty 38400 tty1");
  EXPECT_EQ(Messages(set), Strings{});
  EXPECT_EQ(Find(set, "tty1")->levels, "0123456789");
}

TEST(InittabParse, ActionTranslation) {
  struct Case {
    std::string action;
    Trigger trigger;
    Kind kind;
    bool blocking;
    std::string levels;  // for an empty runlevels field
  };
  const Case cases[] = {
      {"sysinit", Trigger::kSysInit, Kind::kTask, true, ""},
      {"boot", Trigger::kBoot, Kind::kTask, false, ""},
      {"bootwait", Trigger::kBoot, Kind::kTask, true, ""},
      {"wait", Trigger::kRunlevel, Kind::kTask, true, "0123456789"},
      {"once", Trigger::kRunlevel, Kind::kTask, false, "0123456789"},
      {"respawn", Trigger::kRunlevel, Kind::kLongRun, false, "0123456789"},
      {"ondemand", Trigger::kRunlevel, Kind::kLongRun, false, "0123456789"},
      {"powerwait", Trigger::kPowerWait, Kind::kTask, true, "S0123456789"},
      {"powerfail", Trigger::kPowerFail, Kind::kTask, false, "S0123456789"},
      {"powerokwait", Trigger::kPowerOkWait, Kind::kTask, true, "S0123456789"},
      {"powerfailnow", Trigger::kPowerFailNow, Kind::kTask, true, "S0123456789"},
      {"ctrlaltdel", Trigger::kCtrlAltDel, Kind::kTask, true, "S0123456789"},
      {"kbrequest", Trigger::kKbRequest, Kind::kTask, false, "0123456789"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.action);
    ServiceSet set = Parse("x::" + c.action + ":/bin/true\nsu:S:off:\n", "t");
    ASSERT_EQ(Names(set), Strings{"x"});
    const ServiceSpec& s = set.services[0];
    EXPECT_EQ(s.trigger, c.trigger);
    EXPECT_EQ(s.kind, c.kind);
    EXPECT_EQ(s.blocking, c.blocking);
    EXPECT_EQ(s.levels, c.levels);
    EXPECT_EQ(s.action_label, c.action);
    EXPECT_EQ(s.origin, "t:1");
  }
}

TEST(InittabParse, ActionIsCaseInsensitiveAndLabelLowerCase) {
  ServiceSet set = One("x:2:ReSpAwN:/bin/x");
  ASSERT_EQ(Names(set), Strings{"x"});
  EXPECT_EQ(set.services[0].action_label, "respawn");
}

TEST(InittabParse, SysinitAndBootIgnoreRunlevels) {
  ServiceSet set = One("a:3:sysinit:/a\nb:3:boot:/b\nc:3:bootwait:/c");
  EXPECT_EQ(Messages(set), Strings{});
  for (const auto& s : set.services) EXPECT_EQ(s.levels, "") << s.name;
}

TEST(InittabParse, EventsGoToTheFrontInFileOrder) {
  ServiceSet set = Parse(
      "a:2:wait:/a\n"
      "p1::powerfail:/p1\n"
      "b:2:respawn:/b\n"
      "kb::kbrequest:/kb\n"
      "c2::ctrlaltdel:/c\n"
      "p2::powerokwait:/p2\n"
      "c:S:once:/c\n",
      "t");
  // kbrequest is not in sysvinit's ISPOWER set: it stays in file order.
  EXPECT_EQ(Names(set), (Strings{"p1", "c2", "p2", "a", "b", "kb", "c"}));
}

TEST(InittabParse, OffIsLeftOutButKeepsItsId) {
  ServiceSet set = One("x:2:off:/bin/x\nx:2:respawn:/bin/y");
  EXPECT_EQ(Names(set), Strings{});
  EXPECT_EQ(Messages(set), Strings{"t:2: duplicate ID field \"x\""});
}

TEST(InittabParse, Levels) {
  EXPECT_EQ(Find(One("x:2S:wait:/x"), "x")->levels, "2S");
  EXPECT_EQ(Find(One("x:AbC1:ondemand:/x"), "x")->levels, "abc1");
  EXPECT_EQ(Find(One("x:3322:wait:/x"), "x")->levels, "32");
  EXPECT_EQ(Find(One("x:2x#*:wait:/x"), "x")->levels, "2");
  // sysvinit quirk: lower-case s is stored as-is and never matches S.
  EXPECT_EQ(Find(One("x:s2:wait:/x"), "x")->levels, "2");
  EXPECT_EQ(Find(One("x:s:wait:/x"), "x")->levels, "");
  EXPECT_EQ(Find(One("x:s:powerwait:/x"), "x")->levels, "");
}

TEST(InittabParse, Prefixes) {
  ServiceSet set =
      One("a:2:wait:+/bin/a x\nb:2:wait:@/bin/b $HOME\nc:2:wait:+@/bin/c;d\nd:2:wait:@+/bin/d");
  const ServiceSpec* a = Find(set, "a");
  EXPECT_FALSE(a->utmp);
  EXPECT_EQ(a->command.text, "/bin/a x");
  EXPECT_EQ(a->command.argv, (Strings{"/bin/a", "x"}));
  const ServiceSpec* b = Find(set, "b");
  EXPECT_TRUE(b->utmp);
  EXPECT_EQ(b->command.argv, (Strings{"/bin/b", "$HOME"}));  // '@': no shell despite '$'
  const ServiceSpec* c = Find(set, "c");
  EXPECT_FALSE(c->utmp);
  EXPECT_EQ(c->command.argv, Strings{"/bin/c;d"});
  const ServiceSpec* d = Find(set, "d");  // only "+@" is a double prefix
  EXPECT_TRUE(d->utmp);
  EXPECT_EQ(d->command.argv, Strings{"+/bin/d"});
}

TEST(InittabParse, ProcessFieldSplitting) {
  ServiceSet set =
      One("a:2:wait:/bin/echo $HOME > /tmp/x\n"
          "b:2:wait:/bin/a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
          "c:2:wait:/bin/c one #two three\n"
          "d:2:wait:/bin/d a:b:c\n"
          "e:2:wait: \t/bin/e\t x");
  EXPECT_EQ(Find(set, "a")->command.argv,
            (Strings{"/bin/sh", "-c", "exec /bin/echo $HOME > /tmp/x"}));
  EXPECT_EQ(Find(set, "b")->command.argv.size(), 14u);
  EXPECT_EQ(Find(set, "b")->command.argv.back(), "13");
  EXPECT_EQ(Find(set, "c")->command.argv, (Strings{"/bin/c", "one"}));
  EXPECT_EQ(Find(set, "d")->command.argv, (Strings{"/bin/d", "a:b:c"}));
  EXPECT_EQ(Find(set, "e")->command.argv, (Strings{"/bin/e", "x"}));
}

TEST(InittabParse, MalformedLines) {
  EXPECT_EQ(ErrorOf(":2:wait:/x"), "t:1: missing id field");
  EXPECT_EQ(ErrorOf("x"), "t:1: missing action field");  // sysvinit reports the last problem
  EXPECT_EQ(ErrorOf("x:2:wait"), "t:1: missing process field");
  EXPECT_EQ(ErrorOf("x:2::/x"), "t:1: missing action field");
  EXPECT_EQ(ErrorOf("abcde:2:wait:/x"), "t:1: id field too long (max 4 characters)");
  EXPECT_EQ(ErrorOf("x:012345678912:wait:/x"), "t:1: rlevel field too long (max 11 characters)");
  EXPECT_EQ(ErrorOf("x:2:" + std::string(33, 'w') + ":/x"), "t:1: action field too long");
  EXPECT_EQ(ErrorOf("x:2:askfirst:/x"), "t:1: askfirst: unknown action field");
  EXPECT_EQ(ErrorOf("x:2:wait:"), "t:1: process field has no command");
  EXPECT_EQ(ErrorOf("x:2:wait:+@"), "t:1: process field has no command");
  EXPECT_EQ(ErrorOf("x:2:wait:#x"), "t:1: process field has no command");
  EXPECT_EQ(ErrorOf("x:2:bad\x01:/x"), "t:1: bad\\x01: unknown action field");
  // Just within the limits: accepted.
  EXPECT_EQ(ErrorOf("abcd:0123456789S:wait:/x"), "");
  EXPECT_EQ(ErrorOf(std::string("x:2:wait:/") + std::string(244, 'p')), "");
}

TEST(InittabParse, LongLines) {
  std::string ok = "x:2:wait:/" + std::string(244, 'p');  // 254 characters
  std::string bad = "y:2:wait:/" + std::string(245, 'p');
  ServiceSet set = Parse(ok + "\n" + bad + "\nz:S:wait:/z\n" + bad, "t");
  EXPECT_EQ(Names(set), (Strings{"x", "z"}));
  EXPECT_EQ(
      Messages(set),
      (Strings{"t:2: Possibly too long (a line holds at most 254 characters); line ignored",
               "t:4: Possibly too long (a line holds at most 254 characters); line ignored"}));
  // A long comment is just a comment.
  EXPECT_EQ(Messages(One("# " + std::string(1000, 'c'))), Strings{});
}

TEST(InittabParse, DuplicateIds) {
  ServiceSet set = Parse("a:2:wait:/a\na:3:wait:/b\n~~:S:wait:/s1\n~~:S:wait:/s2\n", "t");
  EXPECT_EQ(Names(set), (Strings{"a", "~~", "~~:2"}));
  EXPECT_EQ(Find(set, "a")->command.argv, Strings{"/a"});
  EXPECT_EQ(Messages(set), Strings{"t:2: duplicate ID field \"a\""});
}

TEST(InittabParse, CommentsBlanksAndCrLf) {
  ServiceSet set = Parse("# c\n\n   \n\t# c\n  x:2:wait:/x\r\ny:S:wait:/y a\r\n\r\n", "t");
  EXPECT_EQ(Messages(set), Strings{});
  EXPECT_EQ(Names(set), (Strings{"  x", "y"}));  // leading blanks belong to the id, as in sysvinit
  EXPECT_EQ(Find(set, "y")->command.argv, (Strings{"/y", "a"}));
  EXPECT_EQ(Find(set, "y")->origin, "t:6");
}

TEST(InittabParse, Initdefault) {
  EXPECT_EQ(One("id:2:initdefault:").default_level, '2');
  EXPECT_EQ(One("id:253:initdefault:").default_level, '5');
  EXPECT_EQ(One("id:s:initdefault:").default_level, 'S');
  EXPECT_EQ(One("id:S:initdefault:").default_level, 'S');
  EXPECT_EQ(One("id::initdefault:").default_level, std::nullopt);
  EXPECT_EQ(Messages(One("id::initdefault:")), Strings{});
  ServiceSet bad = One("id:3a:initdefault:");
  EXPECT_EQ(bad.default_level, std::nullopt);
  EXPECT_EQ(Messages(bad), Strings{"t:1: Initdefault level 'A' is invalid"});
  // The first initdefault entry wins; it is not a service.
  ServiceSet two = One("id:3:initdefault:\nid2:5:initdefault:");
  EXPECT_EQ(two.default_level, '3');
  EXPECT_EQ(Names(two), Strings{});
  // sysvinit needs the fourth field even here.
  EXPECT_EQ(ErrorOf("id:2:initdefault"), "t:1: missing process field");
}

TEST(InittabParse, SuloginAppendedWhenNoSingleUserEntry) {
  ServiceSet set = Parse("a:2:wait:/a\nb:s:wait:/b\nc::sysinit:/c\n", "t");
  ASSERT_EQ(Names(set), (Strings{"a", "b", "c", "~~"}));
  const ServiceSpec& s = set.services.back();
  EXPECT_EQ(s.origin, "<builtin>");
  EXPECT_EQ(s.levels, "S");
  EXPECT_EQ(s.action_label, "wait");
  EXPECT_TRUE(s.blocking);
  EXPECT_EQ(s.command.argv, Strings{"/sbin/sulogin"});
  // An empty-level power entry has S ("S0123456789"), so does initdefault S or an off entry.
  EXPECT_EQ(Names(Parse("p::powerwait:/p\n", "t")), Strings{"p"});
  EXPECT_EQ(Names(Parse("id:S:initdefault:\n", "t")), Strings{});
  EXPECT_EQ(Names(Parse("o:S:off:/o\n", "t")), Strings{});
  EXPECT_EQ(Names(Parse("", "t")), Strings{"~~"});
  // A user "~~" without S plus the builtin: names stay unique.
  EXPECT_EQ(Names(Parse("~~:1:wait:/x\n", "t")), (Strings{"~~", "~~:2"}));
}

TEST(InittabParse, GarbageNeverCrashes) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 300; ++round) {
    std::string text(rng() % 2000, '\0');
    for (char& c : text) {
      unsigned r = rng() % 16;
      c = r == 0 ? ':' : r == 1 ? '\n' : r == 2 ? '\0' : static_cast<char>(rng() % 256);
    }
    ServiceSet set = Parse(text, "fuzz");
    for (const auto& s : set.services) EXPECT_FALSE(s.command.argv.empty());
  }
  ServiceSet huge = Parse(std::string(1 << 20, 'x') + "\n" + std::string(1 << 20, '\0'), "t");
  EXPECT_EQ(huge.diagnostics.size(), 2u);
  ServiceSet nul = Parse(std::string("x:2:wait:/bin/x\0junk\n", 21), "t");
  EXPECT_EQ(Find(nul, "x")->command.argv, Strings{"/bin/x"});
}

class InittabLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    dir_ = temp_.path();
    fs::create_directories(dir_ / "inittab.d");
  }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }
  std::string Path(const std::string& rel) { return (dir_ / rel).string(); }
  testutil::TempDir temp_{"ctinit-inittab"};  // removed with the fixture
  fs::path dir_;
};

TEST_F(InittabLoad, MissingInittab) {
  ServiceSet set = Load(Path("nope"), Path("inittab.d"));
  EXPECT_EQ(Names(set), Strings{});
  EXPECT_EQ(set.default_level, std::nullopt);
  EXPECT_EQ(Messages(set), Strings{Path("nope") + ": cannot open: No such file or directory"});
}

TEST_F(InittabLoad, InittabIsADirectory) {
  ServiceSet set = Load(Path("inittab.d"), "");
  EXPECT_EQ(Messages(set), Strings{Path("inittab.d") + ": cannot read: Is a directory"});
}

TEST_F(InittabLoad, InittabDFiles) {
  Write("inittab", "id:2:initdefault:\nl2:2:wait:/etc/init.d/rc 2\n");
  Write("inittab.d/b.tab", "# comment\n\n  \nb1:2:respawn:/b1\nb2:2:respawn:/b2\n");
  Write("inittab.d/a.tab", "a:2:respawn:/a\n");
  Write("inittab.d/.tab", "dot:2:respawn:/dot\n");   // name shorter than 5: ignored
  Write("inittab.d/c.tab.bak", "c:2:respawn:/c\n");  // not *.tab: ignored
  Write("inittab.d/d.tab", "l2:2:respawn:/dup\n");   // duplicate id across files
  Write("inittab.d/e.tab", "pw::powerwait:/pw\n");   // event: to the front
  Write("inittab.d/f.tab", "# only comments\n");     // nothing
  Write("inittab.d/g.tab", "g:3:bogus:/g\n");        // diagnostic names the .tab file
  fs::create_directories(dir_ / "inittab.d/h.tab");  // unreadable
  ServiceSet set = Load(Path("inittab"), Path("inittab.d"));
  // The sulogin entry is decided after /etc/inittab, before inittab.d.
  EXPECT_EQ(Names(set), (Strings{"pw", "l2", "~~", "a", "b1"}));
  EXPECT_EQ(Find(set, "b1")->origin, Path("inittab.d/b.tab") + ":4");
  EXPECT_EQ(Find(set, "~~")->origin, "<builtin>");
  EXPECT_EQ(set.default_level, '2');
  EXPECT_EQ(Messages(set), (Strings{Path("inittab.d/d.tab") + ":1: duplicate ID field \"l2\"",
                                    Path("inittab.d/g.tab") + ":1: bogus: unknown action field",
                                    Path("inittab.d/h.tab") + ": cannot read: Is a directory"}));
}

TEST_F(InittabLoad, MissingInittabDIsFine) {
  Write("inittab", "x:S:wait:/x\n");
  ServiceSet set = Load(Path("inittab"), Path("no-such-dir"));
  EXPECT_EQ(Names(set), Strings{"x"});
  EXPECT_EQ(Messages(set), Strings{});
}

TEST_F(InittabLoad, StockFixturesLoadLikeParse) {
  ServiceSet set = Load(Fixture("debian12.inittab"), Path("inittab.d"));
  EXPECT_EQ(Names(set), Names(Parse(ReadFixture("debian12.inittab"), "x")));
  EXPECT_EQ(Find(set, "si")->origin, Fixture("debian12.inittab") + ":9");
}

}  // namespace
}  // namespace ctinit::inittab
