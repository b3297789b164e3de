#include "unit-compat/translate.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>

#include "unit-compat/unit_set.h"
#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

using std::chrono::milliseconds;
using Strings = std::vector<std::string>;
using unittest::TempRoot;

class TranslateTest : public ::testing::Test {
 protected:
  UnitSet Load(EnvList env = {"PATH=/usr/bin:/bin", "container=docker"}, bool strict = false,
               bool runtime_conditions = false) {
    UnitSetOptions opt;
    opt.root = root_.path();
    opt.manager_env = std::move(env);
    opt.strict = strict;
    opt.runtime_conditions = runtime_conditions;
    return LoadUnitSet(opt);
  }
  static const ServiceSpec* Find(const UnitSet& s, const std::string& name) {
    for (const auto& sp : s.set.services)
      if (sp.name == name) return &sp;
    return nullptr;
  }
  static bool HasDiag(const UnitSet& s, const std::string& part) {
    for (const auto& d : s.set.diagnostics)
      if (d.ToString().find(part) != std::string::npos) return true;
    return false;
  }
  // "PATH MODE UID:GID keep|remove", octal mode.
  static std::string Describe(const ServiceSpec::Directory& d) {
    char mode[8];
    snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(d.mode));
    return d.path + " " + mode + " " + std::to_string(d.uid) + ":" + std::to_string(d.gid) +
           (d.remove_after_stop ? " remove" : " keep");
  }
  static size_t Pos(const UnitSet& s, const std::string& name) {
    for (size_t i = 0; i < s.set.services.size(); ++i)
      if (s.set.services[i].name == name) return i;
    return SIZE_MAX;
  }
  static bool Contains(const Strings& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }
  TempRoot root_;
};

TEST_F(TranslateTest, DebianNginx) {
  root_.Debian();
  UnitSet s = Load();
  const ServiceSpec* n = Find(s, "nginx.service");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->kind, Kind::kLongRun);
  EXPECT_EQ(n->readiness, Readiness::kForking);
  EXPECT_EQ(n->pidfile, "/run/nginx.pid");
  EXPECT_EQ(n->trigger, Trigger::kRunlevel);
  EXPECT_EQ(n->levels, "2345");
  EXPECT_EQ(n->origin, "/lib/systemd/system/nginx.service");
  EXPECT_EQ(n->command.argv, (Strings{"/usr/sbin/nginx", "-g", "daemon on; master_process on;"}));
  ASSERT_EQ(n->start_pre.size(), 1u);
  EXPECT_EQ(n->start_pre[0].argv,
            (Strings{"/usr/sbin/nginx", "-t", "-q", "-g", "daemon on; master_process on;"}));
  ASSERT_EQ(n->stop.size(), 1u);
  EXPECT_TRUE(n->stop[0].ignore_failure);
  EXPECT_EQ(n->stop[0].argv[0], "/sbin/start-stop-daemon");
  ASSERT_EQ(n->reload.size(), 1u);
  EXPECT_EQ(n->reload[0].argv.back(), "reload");
  EXPECT_EQ(n->stop_timeout, milliseconds(5000));
  EXPECT_EQ(n->start_timeout, milliseconds(90000));
  EXPECT_EQ(n->restart, Restart::kNo);  // systemd's default
  EXPECT_EQ(n->restart_delay, milliseconds(100));
  EXPECT_EQ(n->respawn_limit.max_starts, 5);
  EXPECT_EQ(n->respawn_limit.interval, std::chrono::seconds(10));
  EXPECT_TRUE(n->respawn_limit.give_up);
  EXPECT_EQ(n->stop_signal, SIGTERM);
  EXPECT_FALSE(n->process.credentials);
  EXPECT_EQ(n->process.stdout_target.kind, StdioTarget::Kind::kConsole);
  EXPECT_EQ(n->process.stdin_target.kind, StdioTarget::Kind::kNull);
  EXPECT_TRUE(Contains(n->after, "network-online.target"));
  EXPECT_TRUE(Contains(n->after, "basic.target"));
  EXPECT_TRUE(n->needs.empty());
  EXPECT_EQ(n->kill_mode, KillMode::kMixed);
  EXPECT_EQ(n->description, "A high performance web server and a reverse proxy server");
  EXPECT_EQ(n->log_tag, "nginx");
}

TEST_F(TranslateTest, DebianRedis) {
  root_.Debian();
  UnitSet s = Load();
  const ServiceSpec* r = Find(s, "redis-server.service");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->kind, Kind::kLongRun);
  EXPECT_EQ(r->readiness, Readiness::kNotify);
  EXPECT_EQ(r->restart, Restart::kAlways);
  EXPECT_EQ(r->stop_timeout, milliseconds(0));  // TimeoutStopSec=0: no timeout
  ASSERT_TRUE(r->process.credentials);
  EXPECT_EQ(r->process.credentials->uid, 102u);
  EXPECT_EQ(r->process.credentials->gid, 104u);
  EXPECT_EQ(r->process.credentials->groups,
            (std::vector<gid_t>{104, 103}));  // + ssl-cert membership
  EXPECT_EQ(r->process.credentials->home, "/var/lib/redis");
  EXPECT_EQ(r->process.umask, mode_t(007));
  ASSERT_EQ(r->process.rlimits.size(), 1u);
  EXPECT_EQ(r->process.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(r->process.rlimits[0].soft, 65535u);
  EXPECT_EQ(r->process.rlimits[0].hard, 65535u);
  EXPECT_EQ(r->command.argv, (Strings{"/usr/bin/redis-server", "/etc/redis/redis.conf",
                                      "--supervised", "systemd", "--daemonize", "no"}));
  EXPECT_TRUE(Contains(r->process.env, "RUNTIME_DIRECTORY=/run/redis"));
  ASSERT_EQ(r->directories.size(), 1u);
  EXPECT_EQ(Describe(r->directories[0]), "/run/redis 2755 102:104 remove");
  EXPECT_TRUE(HasDiag(s,
                      "redis-server.service: not applied in a container: PrivateTmp, "
                      "PrivateDevices, PrivateUsers, ProtectSystem, ProtectHome"));
  EXPECT_FALSE(HasDiag(s, "[Service] PrivateTmp"));  // one line for the unit, not one each
  EXPECT_EQ(r->process.capability_bounding_set, uint64_t{0});  // CapabilityBoundingSet=
  EXPECT_TRUE(r->process.no_new_privileges);
}

TEST_F(TranslateTest, DebianCronAndSsh) {
  root_.Debian();
  UnitSet s = Load();
  const ServiceSpec* c = Find(s, "cron.service");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->command.argv, (Strings{"/usr/sbin/cron", "-f"}));  // no /etc/default/cron
  EXPECT_EQ(c->restart, Restart::kOnFailure);
  EXPECT_EQ(c->readiness, Readiness::kSpawned);
  EXPECT_EQ(c->kill_mode, KillMode::kProcess);
  root_.Write("/etc/default/cron", "# Cron configuration\nEXTRA_OPTS=\"-L 15\"\n");
  s = Load();
  c = Find(s, "cron.service");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->command.argv, (Strings{"/usr/sbin/cron", "-f", "-L", "15"}));
  EXPECT_TRUE(Contains(c->process.env, "EXTRA_OPTS=-L 15"));

  const ServiceSpec* h = Find(s, "ssh.service");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->readiness, Readiness::kNotify);
  EXPECT_EQ(h->command.argv, (Strings{"/usr/sbin/sshd", "-D", "-o", "LogLevel=VERBOSE"}));
  EXPECT_EQ(h->restart_prevent_status, (std::vector<int>{255}));
  ASSERT_EQ(h->reload.size(), 2u);
  EXPECT_EQ(h->reload[1].argv, (Strings{"/bin/kill", "-HUP", "$MAINPID"}));  // runtime
  EXPECT_TRUE(h->reload[1].argv_at_run);  // expanded when it runs
  EXPECT_FALSE(h->reload[0].argv_at_run);
  EXPECT_FALSE(h->command.argv_at_run);
  // ConditionPathExists=!/etc/ssh/sshd_not_to_be_run
  root_.Write("/etc/ssh/sshd_not_to_be_run", "");
  s = Load();
  EXPECT_EQ(Find(s, "ssh.service"), nullptr);
  EXPECT_TRUE(HasDiag(s, "ssh.service: skipped: condition not met"));
  EXPECT_NE(Find(s, "nginx.service"), nullptr);
}

TEST_F(TranslateTest, DebianOrderingAndTargets) {
  root_.Debian();
  UnitSet s = Load();
  EXPECT_EQ(s.set.default_level, '5');
  const ServiceSpec* mu = Find(s, "multi-user.target");
  ASSERT_NE(mu, nullptr);
  EXPECT_EQ(mu->kind, Kind::kScripted);
  EXPECT_TRUE(mu->command.argv.empty());  // a grouping node: nothing runs
  EXPECT_EQ(mu->action_label, "unit:target");
  // Targets wait for what they want (systemd's implicit After=).
  EXPECT_TRUE(Contains(mu->after, "nginx.service"));
  EXPECT_TRUE(Contains(mu->after, "basic.target"));
  EXPECT_TRUE(Contains(Find(s, "graphical.target")->after, "multi-user.target"));
  EXPECT_LT(Pos(s, "sysinit.target"), Pos(s, "basic.target"));
  EXPECT_LT(Pos(s, "basic.target"), Pos(s, "nginx.service"));
  EXPECT_LT(Pos(s, "nginx.service"), Pos(s, "multi-user.target"));
  EXPECT_LT(Pos(s, "multi-user.target"), Pos(s, "graphical.target"));
  EXPECT_EQ(Find(s, "sysinit.target")->trigger, Trigger::kSysInit);
  EXPECT_EQ(Find(s, "local-fs.target")->trigger, Trigger::kSysInit);
  EXPECT_EQ(Find(s, "basic.target")->trigger, Trigger::kRunlevel);
  EXPECT_EQ(Find(s, "systemd-logind.service"), nullptr);
  EXPECT_TRUE(s.left_out.count("systemd-logind.service"));
}

TEST_F(TranslateTest, TypesAndKinds) {
  root_.Unit("simple.service", "[Service]\nExecStart=/bin/a\n");
  root_.Unit("exec.service", "[Service]\nType=exec\nExecStart=/bin/a\n");
  root_.Unit("idle.service", "[Service]\nType=idle\nExecStart=/bin/a\n");
  root_.Unit("notify.service", "[Service]\nType=notify\nExecStart=/bin/a\n");
  root_.Unit("forking.service",
             "[Service]\nType=forking\nPIDFile=/var/run/f.pid\nExecStart=/bin/a\n");
  root_.Unit("task.service", "[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\n");
  root_.Unit("scripted.service",
             "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStartPre=/bin/pre\n"
             "ExecStart=/bin/a\nExecStart=-/bin/b\nExecStartPost=/bin/post\nExecStop=/bin/stop\n"
             "ExecStopPost=/bin/stoppost\n");
  root_.Unit("stoponly.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStop=/x\n");
  root_.Unit("noexec.service", "[Unit]\nDescription=x\n[Service]\nType=simple\n");
  root_.Unit("twice.service", "[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n");
  root_.Unit("dbus-ish.service", "[Service]\nBusName=org.x\nExecStart=/bin/a\n");
  UnitSet s = Load();
  EXPECT_EQ(Find(s, "simple.service")->readiness, Readiness::kSpawned);
  EXPECT_EQ(Find(s, "exec.service")->readiness, Readiness::kExec);
  EXPECT_EQ(Find(s, "idle.service")->readiness, Readiness::kIdle);
  EXPECT_EQ(Find(s, "notify.service")->readiness, Readiness::kNotify);
  EXPECT_EQ(Find(s, "forking.service")->readiness, Readiness::kForking);
  EXPECT_EQ(Find(s, "forking.service")->pidfile, "/run/f.pid");
  for (const char* n : {"simple.service", "exec.service", "notify.service", "forking.service"})
    EXPECT_EQ(Find(s, n)->kind, Kind::kLongRun) << n;
  const ServiceSpec* t = Find(s, "task.service");
  EXPECT_EQ(t->kind, Kind::kTask);
  EXPECT_EQ(t->start_timeout, milliseconds(0));  // oneshot: no start timeout
  ASSERT_EQ(t->start_pre.size(), 1u);
  EXPECT_EQ(t->start_pre[0].argv, (Strings{"/bin/a"}));
  EXPECT_EQ(t->command.argv, (Strings{"/bin/b"}));
  const ServiceSpec* sc = Find(s, "scripted.service");
  EXPECT_EQ(sc->kind, Kind::kScripted);
  ASSERT_EQ(sc->start_pre.size(), 2u);
  EXPECT_EQ(sc->start_pre[0].argv, (Strings{"/bin/pre"}));
  EXPECT_EQ(sc->start_pre[1].argv, (Strings{"/bin/a"}));
  EXPECT_EQ(sc->command.argv, (Strings{"/bin/b"}));
  EXPECT_TRUE(sc->command.ignore_failure);
  EXPECT_EQ(sc->start_post[0].argv, (Strings{"/bin/post"}));
  EXPECT_EQ(sc->stop[0].argv, (Strings{"/bin/stop"}));
  EXPECT_EQ(sc->stop_post[0].argv, (Strings{"/bin/stoppost"}));
  EXPECT_EQ(Find(s, "stoponly.service")->command.argv, (Strings{"true"}));
  EXPECT_EQ(Find(s, "noexec.service"), nullptr);
  EXPECT_TRUE(HasDiag(s, "no ExecStart="));
  EXPECT_EQ(Find(s, "twice.service"), nullptr);
  EXPECT_TRUE(HasDiag(s, "more than one ExecStart="));
  EXPECT_EQ(Find(s, "dbus-ish.service")->readiness, Readiness::kSpawned);
  EXPECT_TRUE(HasDiag(s, "D-Bus readiness"));
}

TEST_F(TranslateTest, RestartValues) {
  const std::pair<const char*, Restart> kCases[] = {{"no", Restart::kNo},
                                                    {"always", Restart::kAlways},
                                                    {"on-success", Restart::kOnSuccess},
                                                    {"on-failure", Restart::kOnFailure},
                                                    {"on-abnormal", Restart::kOnAbnormal},
                                                    {"on-abort", Restart::kOnAbort},
                                                    {"on-watchdog", Restart::kOnWatchdog}};
  int i = 0;
  for (const auto& [v, _] : kCases)
    root_.Unit("r" + std::to_string(i++) + ".service",
               std::string("[Service]\nExecStart=/bin/a\nRestart=") + v +
                   "\nRestartSec=5min\nSuccessExitStatus=3 SIGUSR1 TEMPFAIL\n"
                   "StartLimitBurst=3\nStartLimitIntervalSec=1min\n");
  root_.Unit("nolimit.service",
             "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/a\nRestart=always\n");
  UnitSet s = Load();
  i = 0;
  for (const auto& [v, want] : kCases) {
    const ServiceSpec* r = Find(s, "r" + std::to_string(i++) + ".service");
    ASSERT_NE(r, nullptr) << v;
    EXPECT_EQ(r->restart, want) << v;
    EXPECT_EQ(r->restart_delay, milliseconds(300000));
    EXPECT_EQ(r->success_status, (std::vector<int>{3, 75}));
    EXPECT_EQ(r->respawn_limit.max_starts, 3);
    EXPECT_EQ(r->respawn_limit.interval, std::chrono::seconds(60));
  }
  EXPECT_EQ(Find(s, "r0.service")->success_signals, (std::vector<int>{SIGUSR1}));
  EXPECT_EQ(Find(s, "nolimit.service")->respawn_limit.max_starts, 0);
}

TEST_F(TranslateTest, WatchdogSecAndSignal) {
  root_.Unit("w.service",
             "[Service]\nType=notify\nExecStart=/bin/a\nWatchdogSec=1min 30s\n"
             "WatchdogSignal=SIGUSR2\nRestart=on-watchdog\n");
  root_.Unit("simple.service", "[Service]\nExecStart=/bin/a\nWatchdogSec=500ms\n");
  root_.Unit("off.service", "[Service]\nExecStart=/bin/a\nWatchdogSec=infinity\n");
  root_.Unit("none.service", "[Service]\nExecStart=/bin/a\n");
  root_.Unit("bad.service", "[Service]\nExecStart=/bin/a\nWatchdogSec=soon\n");
  UnitSet s = Load();
  const ServiceSpec* w = Find(s, "w.service");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->watchdog, milliseconds(90000));
  EXPECT_EQ(w->watchdog_signal, SIGUSR2);
  EXPECT_EQ(w->restart, Restart::kOnWatchdog);
  EXPECT_TRUE(w->Notifies());
  // A simple service with a watchdog gets the notify socket too (NotifyAccess= main).
  const ServiceSpec* simple = Find(s, "simple.service");
  ASSERT_NE(simple, nullptr);
  EXPECT_EQ(simple->watchdog, milliseconds(500));
  EXPECT_EQ(simple->watchdog_signal, SIGABRT);
  EXPECT_TRUE(simple->Notifies());
  EXPECT_EQ(Find(s, "off.service")->watchdog, milliseconds(0));
  EXPECT_FALSE(Find(s, "none.service")->Notifies());
  EXPECT_EQ(Find(s, "bad.service")->watchdog, milliseconds(0));
  EXPECT_TRUE(HasDiag(s, "invalid time span \"soon\""));
}

TEST_F(TranslateTest, ExecPrefixesAndExpansion) {
  root_.Write("/etc/default/app", "OPTS=\"-a -b\"\n# comment\nNAME='x y'\n");
  root_.Unit("p.service",
             "[Service]\nEnvironment=\"GREETING=hello world\" ONE=1\n"
             "EnvironmentFile=/etc/default/app\nEnvironmentFile=-/etc/default/missing\n"
             "ExecStartPre=-/bin/pre\nExecStartPre=+/bin/root\nExecStartPre=!/bin/bang\n"
             "ExecStartPre=!!/bin/bangbang\nExecStartPre=:/bin/raw $OPTS\n"
             "ExecStartPre=@/bin/busybox sh -c true\n"
             "ExecStart=/bin/app $OPTS ${NAME} ${GREETING} %n\n"
             "ExecStop=/bin/kill -TERM ${MAINPID}\n"
             "UnsetEnvironment=ONE\n");
  root_.Unit("needfile.service",
             "[Service]\nEnvironmentFile=/etc/default/missing\nExecStart=/bin/a\n");
  UnitSet s = Load();
  const ServiceSpec* p = Find(s, "p.service");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->start_pre.size(), 6u);
  EXPECT_TRUE(p->start_pre[0].ignore_failure);
  EXPECT_FALSE(p->start_pre[0].full_privileges);
  EXPECT_TRUE(p->start_pre[1].full_privileges);
  EXPECT_TRUE(p->start_pre[2].full_privileges);
  EXPECT_TRUE(p->start_pre[3].full_privileges);
  EXPECT_EQ(p->start_pre[4].argv, (Strings{"/bin/raw", "$OPTS"}));  // ':' no expansion
  EXPECT_EQ(p->start_pre[5].path, "/bin/busybox");
  EXPECT_EQ(p->start_pre[5].argv, (Strings{"sh", "-c", "true"}));
  EXPECT_EQ(p->command.argv, (Strings{"/bin/app", "-a", "-b", "x y", "hello world", "p.service"}));
  EXPECT_EQ(p->command.text, "/bin/app $OPTS ${NAME} ${GREETING} %n");
  EXPECT_EQ(p->stop[0].argv, (Strings{"/bin/kill", "-TERM", "${MAINPID}"}));
  EXPECT_FALSE(p->command.argv_at_run);
  ASSERT_TRUE(p->stop[0].argv_at_run);  // $MAINPID: expanded when it runs
  EXPECT_EQ(p->stop[0].argv_at_run({"MAINPID=42"}), (Strings{"/bin/kill", "-TERM", "42"}));
  EXPECT_EQ(p->process.env, (Strings{"GREETING=hello world", "OPTS=-a -b", "NAME=x y"}));
  EXPECT_EQ(p->process.unset_env, (Strings{"ONE"}));
  EXPECT_EQ(Find(s, "needfile.service"), nullptr);
  EXPECT_TRUE(HasDiag(s, "cannot read environment file /etc/default/missing"));
}

TEST_F(TranslateTest, Timeouts) {
  root_.Unit("a.service", "[Service]\nExecStart=/a\nTimeoutSec=1min 30s\n");
  root_.Unit("b.service",
             "[Service]\nExecStart=/a\nTimeoutStartSec=infinity\nTimeoutStopSec=500ms\n");
  root_.Unit("c.service", "[Service]\nExecStart=/a\nTimeoutStopSec=10\nTimeoutSec=20\n");
  root_.Unit("d.service", "[Service]\nExecStart=/a\nTimeoutSec=20\nTimeoutStopSec=3s\n");
  root_.Unit("e.service", "[Service]\nExecStart=/a\nTimeoutStopSec=bogus\n");
  UnitSet s = Load();
  EXPECT_EQ(Find(s, "a.service")->start_timeout, milliseconds(90000));
  EXPECT_EQ(Find(s, "a.service")->stop_timeout, milliseconds(90000));
  EXPECT_EQ(Find(s, "b.service")->start_timeout, milliseconds(0));
  EXPECT_EQ(Find(s, "b.service")->stop_timeout, milliseconds(500));
  EXPECT_EQ(Find(s, "c.service")->stop_timeout, milliseconds(20000));
  EXPECT_EQ(Find(s, "d.service")->start_timeout, milliseconds(20000));
  EXPECT_EQ(Find(s, "d.service")->stop_timeout, milliseconds(3000));
  EXPECT_EQ(Find(s, "e.service")->stop_timeout, milliseconds(90000));
  EXPECT_TRUE(HasDiag(s, "e.service:3: [Service] TimeoutStopSec:"));
}

TEST_F(TranslateTest, OOMScoreAdjust) {
  root_.Unit("a.service", "[Service]\nExecStart=/a\nOOMScoreAdjust=-900\n");
  root_.Unit("b.service", "[Service]\nExecStart=/a\nOOMScoreAdjust=1001\n");
  root_.Unit("c.service", "[Service]\nExecStart=/a\nOOMScoreAdjust=\n");
  UnitSet s = Load();
  ASSERT_NE(Find(s, "a.service"), nullptr);
  EXPECT_EQ(Find(s, "a.service")->process.oom_score_adjust, -900);
  ASSERT_NE(Find(s, "b.service"), nullptr);
  EXPECT_FALSE(Find(s, "b.service")->process.oom_score_adjust);  // out of range: ignored
  ASSERT_NE(Find(s, "c.service"), nullptr);
  EXPECT_FALSE(Find(s, "c.service")->process.oom_score_adjust);
}

// RuntimeDirectory=. would hand /run itself to the service and remove it on stop (issue 11.3):
// like systemd, only normalised relative paths are taken.
TEST_F(TranslateTest, DirectoriesThatAreNotNormalisedAreRefused) {
  root_.Unit("d.service",
             "[Service]\nExecStart=/a\nRuntimeDirectory=. ok ./ a//b ../x /abs a/./b\n"
             "StateDirectory=./\nConfigurationDirectory=..\nLogsDirectory=trailing/\n");
  UnitSet s = Load();
  const ServiceSpec* d = Find(s, "d.service");
  ASSERT_NE(d, nullptr);
  std::vector<std::string> dirs;
  for (const auto& dir : d->directories) dirs.push_back(dir.base + " " + dir.path);
  EXPECT_EQ(dirs, (Strings{"/run /run/ok", "/var/log /var/log/trailing"}));
  EXPECT_TRUE(HasDiag(s,
                      "d.service:3: [Service] RuntimeDirectory: \".\" is not a normalised "
                      "relative path below /run, ignoring"));
  EXPECT_TRUE(HasDiag(s, "\"a//b\" is not a normalised relative path below /run"));
  EXPECT_TRUE(HasDiag(s, "StateDirectory: \".\" is not a normalised relative path"));
  EXPECT_TRUE(HasDiag(s, "ConfigurationDirectory: \"..\" is not a normalised"));
}

TEST_F(TranslateTest, UsersContextAndStdio) {
  root_.CopyFixture("debian12-boot");  // /etc/passwd, /etc/group
  root_.Unit("u.service",
             "[Service]\nExecStart=/a\nUser=www-data\nSupplementaryGroups=adm\n"
             "WorkingDirectory=~\nNice=-5\nUMask=0027\nLimitCORE=infinity\nLimitNPROC=100:200\n"
             "StandardOutput=append:/var/log/u.log\nStandardError=null\nKillSignal=SIGINT\n"
             "SendSIGKILL=no\nSendSIGHUP=yes\nSyslogIdentifier=uu\nStateDirectory=u u/sub\n"
             "StateDirectoryMode=0700\nLogsDirectory=u\nConfigurationDirectory=u\n"
             "RuntimeDirectory=u\nRuntimeDirectoryPreserve=yes\n");
  root_.Unit("g.service",
             "[Service]\nExecStart=/a\nGroup=adm\nWorkingDirectory=-/srv/x\n"
             "StandardOutput=inherit\nStandardInput=tty\n");
  root_.Unit("bad.service", "[Service]\nExecStart=/a\nUser=nosuchuser\n");
  root_.Unit("dyn.service", "[Service]\nExecStart=/a\nDynamicUser=yes\n");
  root_.Unit("t.service", "[Service]\nExecStart=/a\nStandardOutput=truncate:/tmp/o\n");
  UnitSet s = Load();
  const ServiceSpec* u = Find(s, "u.service");
  ASSERT_NE(u, nullptr);
  ASSERT_TRUE(u->process.credentials);
  EXPECT_EQ(u->process.credentials->uid, 33u);
  EXPECT_EQ(u->process.credentials->groups, (std::vector<gid_t>{33, 4}));
  EXPECT_EQ(u->process.working_directory, "/var/www");
  EXPECT_EQ(u->process.nice, -5);
  EXPECT_EQ(u->process.umask, mode_t(027));
  ASSERT_EQ(u->process.rlimits.size(), 2u);
  EXPECT_EQ(u->process.rlimits[0].resource, RLIMIT_CORE);
  EXPECT_EQ(u->process.rlimits[0].soft, RLIM_INFINITY);
  EXPECT_EQ(u->process.rlimits[1].soft, 100u);
  EXPECT_EQ(u->process.rlimits[1].hard, 200u);
  EXPECT_EQ(u->process.stdout_target.kind, StdioTarget::Kind::kAppend);
  EXPECT_EQ(u->process.stdout_target.path, "/var/log/u.log");
  EXPECT_EQ(u->process.stderr_target.kind, StdioTarget::Kind::kNull);
  EXPECT_EQ(u->stop_signal, SIGINT);
  EXPECT_FALSE(u->send_sigkill);
  EXPECT_TRUE(u->send_sighup);
  EXPECT_EQ(u->log_tag, "");  // SyslogIdentifier=uu, but no stream goes to the journal
  std::vector<std::string> dirs;
  for (const auto& d : u->directories) dirs.push_back(Describe(d));
  EXPECT_EQ(dirs, (Strings{"/run/u 755 33:33 keep", "/var/lib/u 700 33:33 keep",
                           "/var/lib/u/sub 700 33:33 keep", "/var/log/u 755 33:33 keep",
                           "/etc/u 755 0:0 keep"}));
  EXPECT_TRUE(Contains(u->process.env, "STATE_DIRECTORY=/var/lib/u:/var/lib/u/sub"));
  const ServiceSpec* g = Find(s, "g.service");
  ASSERT_TRUE(g->process.credentials);
  EXPECT_EQ(g->process.credentials->uid, 0u);
  EXPECT_EQ(g->process.credentials->gid, 4u);
  EXPECT_EQ(g->process.working_directory, "-/srv/x");
  EXPECT_EQ(g->process.stdin_target.kind, StdioTarget::Kind::kConsole);
  EXPECT_EQ(g->process.stdout_target.kind, StdioTarget::Kind::kConsole);  // inherit from the tty
  EXPECT_EQ(g->process.stderr_target.kind, StdioTarget::Kind::kConsole);
  EXPECT_EQ(Find(s, "bad.service"), nullptr);
  EXPECT_TRUE(HasDiag(s, "unknown user \"nosuchuser\""));
  ASSERT_NE(Find(s, "dyn.service"), nullptr);
  EXPECT_EQ(Find(s, "dyn.service")->process.credentials->uid, 65534u);
  EXPECT_TRUE(HasDiag(s, "DynamicUser=yes is not supported"));
  EXPECT_EQ(Find(s, "t.service")->process.stdout_target.kind, StdioTarget::Kind::kTruncate);
  EXPECT_EQ(Find(s, "t.service")->process.stderr_target.kind, StdioTarget::Kind::kTruncate);
}

// The journal (the default) is where SyslogIdentifier= matters: those streams are tagged.
TEST_F(TranslateTest, SyslogIdentifierTagsJournalStreams) {
  root_.Unit("plain.service", "[Service]\nExecStart=/a\n");
  root_.Unit("worker@.service", "[Service]\nExecStart=/a\n", false);
  root_.Unit("id.service", "[Service]\nExecStart=/a\nSyslogIdentifier=foo\n");
  root_.Unit("idreset.service",
             "[Service]\nExecStart=/a\nSyslogIdentifier=foo\nSyslogIdentifier=\n");
  root_.Unit("j.service", "[Service]\nExecStart=/a\nStandardOutput=journal\n");
  root_.Unit("sl.service", "[Service]\nExecStart=/a\nStandardOutput=syslog+console\n");
  root_.Unit("km.service", "[Service]\nExecStart=/a\nStandardOutput=kmsg\n");
  root_.Unit("jc.service", "[Service]\nExecStart=/a\nStandardOutput=journal+console\n");
  root_.Unit("inh.service", "[Service]\nExecStart=/a\nStandardOutput=inherit\n");
  root_.Unit("tty.service", "[Service]\nExecStart=/a\nStandardOutput=tty\n");
  root_.Unit("null.service", "[Service]\nExecStart=/a\nStandardOutput=null\n");
  root_.Unit("file.service", "[Service]\nExecStart=/a\nStandardOutput=file:/tmp/f\n");
  root_.Unit("app.service", "[Service]\nExecStart=/a\nStandardOutput=append:/tmp/f\n");
  root_.Unit("errj.service",
             "[Service]\nExecStart=/a\nStandardOutput=null\nStandardError=journal\n");
  root_.Unit("errinh.service",
             "[Service]\nExecStart=/a\nStandardOutput=journal\nStandardError=inherit\n");
  root_.Unit("errtty.service", "[Service]\nExecStart=/a\nStandardError=tty\n");
  root_.Unit("fd.service", "[Service]\nExecStart=/a\nStandardOutput=fd:foo\n");
  root_.Unit("once.service", "[Service]\nType=oneshot\nExecStart=/a\nSyslogIdentifier=o\n");
  root_.Link("/etc/systemd/system/worker@.service",
             "/etc/systemd/system/multi-user.target.wants/worker@a.service");
  UnitSet s = Load();
  struct Want {
    const char* name;
    const char* tag;  // "" = none
    bool out, err;    // which streams, when tagged
  };
  for (const Want& w : std::initializer_list<Want>{{"plain.service", "plain", true, true},
                                                   {"worker@a.service", "worker@a", true, true},
                                                   {"id.service", "foo", true, true},
                                                   {"idreset.service", "idreset", true, true},
                                                   {"j.service", "j", true, true},
                                                   {"sl.service", "sl", true, true},
                                                   {"km.service", "km", true, true},
                                                   {"jc.service", "jc", true, true},
                                                   {"inh.service", "", false, false},
                                                   {"tty.service", "", false, false},
                                                   {"null.service", "", false, false},
                                                   {"file.service", "", false, false},
                                                   {"app.service", "", false, false},
                                                   {"errj.service", "errj", false, true},
                                                   {"errinh.service", "errinh", true, true},
                                                   {"errtty.service", "errtty", true, false},
                                                   {"fd.service", "fd", true, true},
                                                   {"once.service", "o", true, true}}) {
    SCOPED_TRACE(w.name);
    const ServiceSpec* sp = Find(s, w.name);
    ASSERT_NE(sp, nullptr);
    EXPECT_EQ(sp->log_tag, w.tag);
    if (*w.tag) {
      EXPECT_EQ(sp->tag_stdout, w.out);
      EXPECT_EQ(sp->tag_stderr, w.err);
    }
  }
  EXPECT_EQ(Find(s, "errtty.service")->process.stderr_target.kind, StdioTarget::Kind::kConsole);
  EXPECT_EQ(Find(s, "errj.service")->process.stdout_target.kind, StdioTarget::Kind::kNull);
}

TEST_F(TranslateTest, RequiresNeedsOrderingAndBefore) {
  root_.Unit("db.service", "[Service]\nExecStart=/db\n");
  root_.Unit("app.service",
             "[Unit]\nRequires=db.service cache.service\nAfter=db.service\n"
             "[Service]\nExecStart=/app\n");
  root_.Unit("cache.service", "[Unit]\nBefore=web.service\n[Service]\nExecStart=/c\n");
  root_.Unit("web.service", "[Unit]\nWants=app.service\n[Service]\nExecStart=/w\n");
  root_.Unit("bad.service", "[Unit]\nAssertPathExists=/nope\n[Service]\nExecStart=/b\n");
  root_.Unit("dep.service",
             "[Unit]\nRequires=bad.service\nAfter=bad.service\n[Service]\nExecStart=/d\n");
  root_.Unit("soft.service",
             "[Unit]\nRequires=skipped.service\nAfter=skipped.service\n[Service]\nExecStart=/s\n");
  root_.Unit("skipped.service", "[Unit]\nConditionPathExists=/nope\n[Service]\nExecStart=/k\n");
  UnitSet s = Load();
  const ServiceSpec* app = Find(s, "app.service");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->needs, (Strings{"db.service"}));        // cache: Requires= without After=
  EXPECT_TRUE(Contains(app->wants, "cache.service"));    // ... is pulled in
  EXPECT_TRUE(Contains(app->part_of, "cache.service"));  // ... and stops with it
  EXPECT_TRUE(Contains(app->after, "db.service"));
  EXPECT_FALSE(Contains(app->after, "cache.service"));
  EXPECT_TRUE(Contains(Find(s, "web.service")->after, "cache.service"));  // Before= inverted
  EXPECT_LT(Pos(s, "db.service"), Pos(s, "app.service"));
  EXPECT_EQ(Find(s, "bad.service"), nullptr);
  EXPECT_EQ(Find(s, "dep.service"), nullptr);
  EXPECT_TRUE(HasDiag(s, "bad.service: failed: assertion not met: AssertPathExists=/nope"));
  EXPECT_TRUE(HasDiag(s, "dep.service: not started: it needs bad.service, which failed"));
  ASSERT_NE(Find(s, "soft.service"), nullptr);  // a skipped unit counts as done
  EXPECT_TRUE(Find(s, "soft.service")->needs.empty());
}

TEST_F(TranslateTest, DirectTranslateOfAFile) {
  // TranslateUnit() alone, on a unit that is not enabled anywhere.
  root_.Write("/etc/systemd/system/x.service",
              "[Unit]\nOnFailure=rescue.service\nPartOf=y.service\nBefore=z.service\n"
              "[Service]\nExecStart=/x\nPrivateTmp=no\nKillMode=none\nFinalKillSignal=SIGQUIT\n"
              "Type=notify\nNotifyAccess=all\nGuessMainPID=no\n");
  EnabledUnit eu;
  eu.name = "x.service";
  eu.unit = UnitLoader(root_.path()).Load("x.service");
  eu.levels = "3";
  TranslateContext ctx;
  ctx.root = root_.path();
  std::vector<Diagnostic> diags;
  TranslateOutcome outcome;
  auto t = TranslateUnit(eu, ctx, &diags, &outcome);
  ASSERT_TRUE(t);
  EXPECT_EQ(outcome, TranslateOutcome::kOk);
  EXPECT_EQ(t->spec.levels, "3");
  // Before= is for the set-wide step (unit_set.h); the rest is in the model.
  EXPECT_EQ(t->ordering.before, (Strings{"z.service"}));
  EXPECT_FALSE(t->ordering.is_target);
  EXPECT_TRUE(t->ordering.default_dependencies);
  // The relations and kill settings are in the model, where the supervisor acts on them.
  EXPECT_EQ(t->spec.on_failure, (Strings{"rescue.service"}));
  EXPECT_EQ(t->spec.part_of, (Strings{"y.service"}));
  EXPECT_EQ(t->spec.kill_mode, ctinit::KillMode::kNone);
  EXPECT_EQ(t->spec.final_kill_signal, SIGQUIT);
  EXPECT_EQ(t->spec.readiness, Readiness::kNotify);
  EXPECT_EQ(t->spec.notify_access, ServiceSpec::NotifyAccess::kAll);
  EXPECT_FALSE(t->spec.guess_main_pid);
  EXPECT_TRUE(diags.empty());
}

TEST_F(TranslateTest, StrictModeMakesAWarningAnError) {
  root_.Unit("typo.service", "[Service]\nExecStart=/t\nRestartSecc=5\n");
  root_.Unit("dep.service",
             "[Unit]\nRequires=typo.service\nAfter=typo.service\n[Service]\nExecStart=/d\n");
  root_.Unit("fine.service", "[Service]\nExecStart=/f\n");
  UnitSet lax = Load();
  EXPECT_NE(Find(lax, "typo.service"), nullptr);  // a warning only
  EXPECT_TRUE(HasDiag(lax, "RestartSecc"));
  UnitSet strict = Load({}, /*strict=*/true);
  EXPECT_EQ(Find(strict, "typo.service"), nullptr);
  EXPECT_TRUE(HasDiag(strict, "typo.service: not started: strict mode"));
  EXPECT_EQ(Find(strict, "dep.service"), nullptr);  // it needs the refused unit
  EXPECT_NE(Find(strict, "fine.service"), nullptr);
}

TEST_F(TranslateTest, RuntimeConditionsAreCheckedWhenTheStartBegins) {
  root_.Unit("c.service", "[Unit]\nConditionPathExists=/etc/flag\n[Service]\nExecStart=/c\n");
  root_.Unit("a.service", "[Unit]\nAssertPathExists=/etc/flag\n[Service]\nExecStart=/a\n");
  UnitSet s = Load({}, false, /*runtime_conditions=*/true);
  const ServiceSpec* c = Find(s, "c.service");
  const ServiceSpec* a = Find(s, "a.service");
  ASSERT_NE(c, nullptr);  // not left out at load time
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(c->condition);
  ASSERT_TRUE(a->assertion);
  // The probe looks at the real "/": /etc/flag is not there.
  std::string why;
  if (!std::filesystem::exists("/etc/flag")) {
    EXPECT_FALSE(c->condition(&why));
    EXPECT_NE(why.find("ConditionPathExists=/etc/flag"), std::string::npos) << why;
    EXPECT_FALSE(a->assertion(&why));
  }
}

// postgresql@.service: AssertPathExists=/etc/postgresql/%I/postgresql.conf names the instance.
TEST_F(TranslateTest, ConditionsExpandSpecifiers) {
  root_.Unit("pg@.service",
             "[Unit]\nAssertPathExists=/nonexistent-ctinit/%I/postgresql.conf\n"
             "ConditionPathExists=/nonexistent-ctinit/%i\n[Service]\nExecStart=/pg %i\n",
             /*enable=*/false);
  root_.Link("/etc/systemd/system/pg@.service",
             "/etc/systemd/system/multi-user.target.wants/pg@15-main.service");
  UnitSet s = Load({}, false, /*runtime_conditions=*/true);
  const ServiceSpec* pg = Find(s, "pg@15-main.service");
  ASSERT_NE(pg, nullptr);
  ASSERT_TRUE(pg->condition);
  ASSERT_TRUE(pg->assertion);
  std::string why;
  EXPECT_FALSE(pg->condition(&why));
  EXPECT_NE(why.find("ConditionPathExists=/nonexistent-ctinit/15-main"), std::string::npos) << why;
  EXPECT_FALSE(pg->assertion(&why));
  EXPECT_NE(why.find("AssertPathExists=/nonexistent-ctinit/15/main/postgresql.conf"),
            std::string::npos)
      << why;
}

}  // namespace
}  // namespace ctinit::units
