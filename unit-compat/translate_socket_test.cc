// TranslateSocket (translate.h): .socket units -> SocketSpec, through LoadUnitSet as PID 1
// loads them: addresses (paths, ports, abstract names), owners and modes, and what is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "unit-compat/translate.h"
#include "unit-compat/unit_set.h"
#include "unit-compat/unit_test_root.h"

namespace ctinit::units {
namespace {

using unittest::TempRoot;
using Kind = SocketSpec::Listen::Kind;

class TranslateSocketTest : public ::testing::Test {
 protected:
  UnitSet Load() {
    UnitSetOptions opt;
    opt.root = root_.path();
    opt.manager_env = {"PATH=/usr/bin:/bin"};
    return LoadUnitSet(opt);
  }
  static const SocketSpec* FindSocket(const UnitSet& s, const std::string& name) {
    for (const auto& sp : s.set.sockets)
      if (sp.name == name) return &sp;
    return nullptr;
  }
  static bool HasDiag(const UnitSet& s, const std::string& part) {
    for (const auto& d : s.set.diagnostics)
      if (d.ToString().find(part) != std::string::npos) return true;
    return false;
  }
  TempRoot root_;
};

TEST_F(TranslateSocketTest, PathPortAndAbstractAddresses) {
  root_.Unit("db.socket",
             "[Socket]\nListenStream=@mariadb\nListenStream=/run/mysqld/mysqld.sock\n"
             "ListenStream=3306\nListenDatagram=@db-dgram\nSocketMode=777\n");
  root_.Unit("db.service", "[Service]\nExecStart=/bin/db\n", false);
  UnitSet s = Load();
  const SocketSpec* sock = FindSocket(s, "db.socket");
  ASSERT_NE(sock, nullptr);
  EXPECT_EQ(sock->service, "db.service");
  ASSERT_EQ(sock->listens.size(), 4u);
  EXPECT_EQ(sock->listens[0].address, "@mariadb");
  EXPECT_EQ(sock->listens[0].kind, Kind::kStream);
  EXPECT_EQ(sock->listens[1].address, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(sock->listens[2].address, "3306");
  EXPECT_EQ(sock->listens[3].address, "@db-dgram");
  EXPECT_EQ(sock->listens[3].kind, Kind::kDatagram);
  EXPECT_EQ(sock->mode, 0777u);
  EXPECT_FALSE(HasDiag(s, "@mariadb"));
}

TEST_F(TranslateSocketTest, NetlinkIsIgnoredWithAWarning) {
  root_.Unit("nl.socket", "[Socket]\nListenStream=route 1\nListenStream=/run/nl.sock\n");
  UnitSet s = Load();
  const SocketSpec* sock = FindSocket(s, "nl.socket");
  ASSERT_NE(sock, nullptr);
  ASSERT_EQ(sock->listens.size(), 1u);
  EXPECT_EQ(sock->listens[0].address, "/run/nl.sock");
  EXPECT_TRUE(HasDiag(s, "\"route 1\" is not supported by ctinit (netlink)"));
}

TEST_F(TranslateSocketTest, AcceptYesTakesTheTemplateAsPerConnectionSpec) {
  // proftpd's pair, as Debian ships it.
  root_.Unit("proftpd.socket",
             "[Unit]\nConflicts=proftpd.service\n[Socket]\nListenStream=21\nAccept=true\n"
             "MaxConnections=8\nMaxConnectionsPerSource=2\n");
  root_.Unit("proftpd@.service",
             "[Unit]\nDescription=ProFTPD %i\n[Service]\nExecStart=-/usr/sbin/in.proftpd\n"
             "StandardInput=socket\n",
             false);
  UnitSet s = Load();
  const SocketSpec* sock = FindSocket(s, "proftpd.socket");
  ASSERT_NE(sock, nullptr);
  EXPECT_TRUE(sock->accept);
  EXPECT_EQ(sock->max_connections, 8);
  EXPECT_EQ(sock->max_connections_per_source, 2);
  EXPECT_EQ(sock->service, "proftpd@.service");
  ASSERT_TRUE(sock->per_connection);
  EXPECT_EQ(sock->per_connection->name, "proftpd@.service");
  EXPECT_EQ(sock->per_connection->command.argv, (std::vector<std::string>{"/usr/sbin/in.proftpd"}));
  EXPECT_TRUE(sock->per_connection->command.ignore_failure);
  EXPECT_EQ(sock->per_connection->description, "ProFTPD connection");
  // StandardInput=socket; stdout and stderr inherit it (systemd's service_fix_stdio()).
  EXPECT_TRUE(sock->connection_on_stdin);
  EXPECT_TRUE(sock->connection_on_stdout);
  EXPECT_TRUE(sock->connection_on_stderr);
  EXPECT_FALSE(HasDiag(s, "socket\" is not supported"));
  EXPECT_FALSE(HasDiag(s, "Accept"));
}

TEST_F(TranslateSocketTest, AcceptYesInstancesAreTheWholeTemplateWithTheirOwnInstance) {
  root_.Write("/etc/passwd",
              "root:x:0:0:root:/root:/bin/sh\nftp:x:107:65534::/srv/ftp:/bin/false\n");
  root_.Write("/etc/group", "root:x:0:\nnogroup:x:65534:\n");
  root_.Unit("ftp.socket", "[Socket]\nListenStream=21\nAccept=yes\n");
  root_.Unit("ftp@.service",
             "[Unit]\nDescription=FTP for %i\n[Service]\nUser=ftp\nEnvironment=PEER=%i\n"
             "ExecStartPre=/bin/pre %I\nExecStart=/bin/srv %i\nExecStartPost=/bin/post\n"
             "ExecStop=/bin/stop\nExecStopPost=/bin/stop-post %n\nStandardInput=socket\n",
             false);
  UnitSet s = Load();
  const SocketSpec* sock = FindSocket(s, "ftp.socket");
  ASSERT_NE(sock, nullptr);
  ASSERT_TRUE(sock->instantiate);
  EXPECT_FALSE(HasDiag(s, "only ExecStart="));
  std::string err;
  const std::string id = "3-10.0.0.1:21-10.0.0.9:40000";
  auto spec = sock->instantiate(id, &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_EQ(spec->name, "ftp@" + id + ".service");
  EXPECT_EQ(spec->description, "FTP for " + id);
  EXPECT_EQ(spec->command.argv, (std::vector<std::string>{"/bin/srv", id}));
  ASSERT_EQ(spec->start_pre.size(), 1u);
  // %I unescapes: systemd's '-' is '/'.
  EXPECT_EQ(spec->start_pre[0].argv,
            (std::vector<std::string>{"/bin/pre", "3/10.0.0.1:21/10.0.0.9:40000"}));
  EXPECT_EQ(spec->start_post.size(), 1u);
  EXPECT_EQ(spec->stop.size(), 1u);
  ASSERT_EQ(spec->stop_post.size(), 1u);
  EXPECT_EQ(spec->stop_post[0].argv,
            (std::vector<std::string>{"/bin/stop-post", "ftp@" + id + ".service"}));
  ASSERT_TRUE(spec->process.credentials);
  EXPECT_EQ(spec->process.credentials->uid, 107u);
  EXPECT_NE(std::find(spec->process.env.begin(), spec->process.env.end(), "PEER=" + id),
            spec->process.env.end());
  // UNIX peers, and a name that cannot be a unit name.
  spec = sock->instantiate("0-4242-0", &err);
  ASSERT_TRUE(spec) << err;
  EXPECT_EQ(spec->name, "ftp@0-4242-0.service");
  EXPECT_FALSE(sock->instantiate("0-a b", &err));
  EXPECT_NE(err.find("not a valid unit name"), std::string::npos) << err;
}

TEST_F(TranslateSocketTest, AcceptYesWithOwnStdioKeepsTheConnectionOnFd3Only) {
  // saned: StandardInput=null, output to a file: the connection is only $LISTEN_FDS's fd 3.
  root_.Unit("saned.socket", "[Socket]\nListenStream=6566\nAccept=yes\nMaxConnections=64\n");
  root_.Unit("saned@.service",
             "[Service]\nExecStart=/usr/sbin/saned\nStandardInput=null\n"
             "StandardOutput=append:/var/log/saned.log\nStandardError=append:/var/log/saned.log\n",
             false);
  UnitSet s = Load();
  const SocketSpec* sock = FindSocket(s, "saned.socket");
  ASSERT_NE(sock, nullptr);
  ASSERT_TRUE(sock->per_connection);
  EXPECT_EQ(sock->max_connections, 64);
  EXPECT_EQ(sock->max_connections_per_source, 0);
  EXPECT_FALSE(sock->connection_on_stdin);
  EXPECT_FALSE(sock->connection_on_stdout);
  EXPECT_FALSE(sock->connection_on_stderr);
  EXPECT_EQ(sock->per_connection->process.stdout_target.path, "/var/log/saned.log");
}

TEST_F(TranslateSocketTest, AcceptYesOnAUnixPathAndStdoutToTheConsole) {
  root_.Unit("factory.socket",
             "[Socket]\nListenStream=/run/cockpit/factory.sock\nAccept=yes\nSocketMode=0600\n");
  root_.Unit("factory@.service",
             "[Service]\nExecStart=/bin/factory\nStandardInput=socket\nStandardOutput=journal\n",
             false);
  UnitSet s = Load();
  const SocketSpec* sock = FindSocket(s, "factory.socket");
  ASSERT_NE(sock, nullptr);
  EXPECT_TRUE(sock->connection_on_stdin);
  EXPECT_FALSE(sock->connection_on_stdout);
  EXPECT_FALSE(sock->connection_on_stderr);  // inherits stdout: the journal (console)
}

TEST_F(TranslateSocketTest, AcceptYesIsRefusedWithoutTemplateWithServiceOrForDatagrams) {
  root_.Unit("lonely.socket", "[Socket]\nListenStream=7000\nAccept=yes\n");
  root_.Unit("named.socket", "[Socket]\nListenStream=7001\nAccept=yes\nService=x.service\n");
  root_.Unit("dgram.socket", "[Socket]\nListenDatagram=7002\nAccept=yes\n");
  root_.Unit("dgram@.service", "[Service]\nExecStart=/bin/d\n", false);
  root_.Unit("bad.socket", "[Socket]\nListenStream=7003\nAccept=yes\nMaxConnections=0\n");
  root_.Unit("bad@.service", "[Service]\nExecStart=/bin/b\n", false);
  UnitSet s = Load();
  EXPECT_EQ(FindSocket(s, "lonely.socket"), nullptr);
  EXPECT_TRUE(HasDiag(s, "lonely.socket: its service template lonely@.service cannot be loaded"));
  EXPECT_EQ(FindSocket(s, "named.socket"), nullptr);
  EXPECT_TRUE(HasDiag(s, "Service= with Accept=yes"));
  EXPECT_EQ(FindSocket(s, "dgram.socket"), nullptr);
  EXPECT_TRUE(HasDiag(s, "Accept=yes with a datagram socket"));
  const SocketSpec* bad = FindSocket(s, "bad.socket");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->max_connections, 64);  // the default stays
  EXPECT_TRUE(HasDiag(s, "MaxConnections: invalid number"));
}

}  // namespace
}  // namespace ctinit::units
