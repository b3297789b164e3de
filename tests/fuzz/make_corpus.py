#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ from the repo's fixtures (and, for the
OpenRC depend protocol, from /work/shared/corpus/gentoo-openrc when present) plus a few
hand-written inputs. Run from the repo root; the output is committed, so a run without the
shared corpus keeps what is there. Seeds stay small: a few dozen files per target."""
import glob
import os
import re
import struct

OUT = "tests/fuzz/corpus"


def write(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(f"{OUT}/{target}/{name}", "wb") as f:
        f.write(data)


def files(pattern, limit):
    found = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
    return [p for p in found if os.path.getsize(p) < 16384][:limit]


def initreq():
    def req(cmd, level, sleep, payload=b""):
        return struct.pack("<iiii", 0x03091969, cmd, level, sleep) + payload.ljust(368, b"\0")
    write("initreq", "runlevel5", req(1, ord("5"), 3))
    write("initreq", "runlevel_q", req(1, ord("q"), 0))
    write("initreq", "powerfail", req(2, 0, 5))
    write("initreq", "powerok", req(4, 0, -1))
    write("initreq", "setenv", req(6, 0, 0, b"INIT_HALT=POWEROFF\0INIT_X\0OTHER=1\0\0"))
    write("initreq", "setenv_full", req(6, 0, 0, b"INIT_A=" + b"x" * 361))
    write("initreq", "bsd", req(5, 0, 0))
    write("initreq", "short", req(1, ord("3"), 0)[:100])


def control():
    def enc(*words):
        return "".join(w + "\0" for w in words) + "\0"
    write("control", "list", enc("list"))
    write("control", "status", enc("status", "sshd"))
    write("control", "unsupervise", enc("unsupervise", "sshd"))
    write("control", "supervise", enc("supervise", "sshd", "arg=/usr/sbin/sshd", "arg=-D",
                                      "env=PATH=/bin", "respawn_max=11", "stop_timeout_ms=5000"))
    write("control", "partial", "status\0sshd\0")
    write("control", "services", enc("services"))
    write("control", "services_name", enc("services", "nginx"))
    # The `services` reply, which the same target decodes as ServiceRecords.
    write("control", "services_reply",
          "name=nginx\tsource=openrc\tstate=failed\tpid=0\tsince_ms=2500\tlast=exited 1"
          "\twhy=start exited 1\tdescription=web\torigin=/etc/init.d/nginx\n"
          "output=bind() failed\nname=tty1\tstate=up\tpid=42\n")


def notify():
    for name, text in [("ready", "READY=1"), ("status", "READY=1\nSTATUS=Serving 3 clients"),
                       ("mainpid", "MAINPID=4242\nREADY=1"), ("stopping", "STOPPING=1\n"),
                       ("watchdog", "WATCHDOG=1\nWATCHDOG_USEC=20000000\n\n"),
                       ("trigger", "WATCHDOG=trigger"), ("errno", "ERRNO=2\nEXTEND_TIMEOUT_USEC=1")]:
        write("notify", name, text)


def inittab():
    for p in files("tests/fixtures/inittab/*", 10) + files("tests/integration/fixtures/*/etc/inittab", 20):
        write("inittab", p.replace("/", "_"), open(p, "rb").read())
    write("inittab", "busybox", "::sysinit:/etc/init.d/rcS\ntty2::askfirst:-/bin/sh\n")
    write("inittab", "actions", "".join(f"a{i}:2345:{a}:/bin/true\n" for i, a in enumerate(
        "sysinit boot bootwait wait once respawn ondemand powerwait powerfail powerokwait "
        "ctrlaltdel powerfailnow kbrequest initdefault off".split())))


UNIT_TYPES = ["service", "socket", "target", "timer", "path", "mount", "slice", "scope"]
UNIT_NAMES = ["fuzz.service", "fuzz@inst\\x2dx.service", "fuzz.socket", "fuzz.target",
              "fuzz.timer", "fuzz-a-b.service"]


def units():
    paths = (files("tests/fixtures/units/**/*.service", 20) + files("tests/fixtures/units/**/*.socket", 4)
             + files("tests/fixtures/units/**/*.target", 4)
             + files("tests/integration/fixtures/units/**/*.service", 12)
             + files("tests/integration/fixtures/units/**/*.socket", 2))
    for p in paths:
        base = os.path.basename(p)
        ext = base.rsplit(".", 1)[-1]
        text = open(p, "rb").read()
        name = p.replace("/", "_")
        write("unit_file", name, bytes([UNIT_TYPES.index(ext) if ext in UNIT_TYPES else 0]) + text)
        pick = {"service": 0, "socket": 2, "target": 3, "timer": 4}.get(ext, 0)
        write("unit_translate", name, bytes([pick | 0x80]) + text)
    write("unit_file", "continuation", b"\0[Service]\nExecStart=/bin/echo a \\\n# c\n  b \\\nc\n")


def unit_values():
    seeds = {
        0: ["5min 20s", "1.5s", "infinity", "100ms", "1y 2month 3w", "0"],
        1: ["yes", "off", "0755", "7777"],
        2: ['one "two three" \'four\' \\x41', 'a\\', '"unterminated'],
        3: ["-/bin/sh -c 'echo $FOO ${BAR}'", "@/bin/x argv0 ;", ":+!!/usr/bin/x a ; /bin/y b",
            'A=1 "B=two words" C=${A}', "-/etc/default/x"],
        4: ["0 1 SIGTERM 255 SIGKILL", "143 TERM"],
        5: ["SIGTERM", "SIGRTMIN+3", "9", "RTMAX-1"],
        6: ["on-failure", "control-group", "all", "notify-reload"],
        7: ["journal+console", "file:/var/log/x", "append:/x", "fd:name", "truncate:"],
        8: ["infinity", "1024:4096", "4K", "8M:infinity"],
        9: ["4K", "1.5G", "1G 512M", "18446744073709551615"],
        10: ["foo@bar.service", "a-b-c\\x2dd.socket", "-.mount", "foo@.service", "\\x2e."],
        11: ["%n %N %p %P %i %I %j %J %f %y %Y %%", "%H %m %t %Z", "%"],
    }
    for sel, values in seeds.items():
        for i, v in enumerate(values):
            write("unit_values", f"sel{sel}_{i}", bytes([sel]) + v.encode())


def config():
    write("config", "contrib", open("contrib/ctinit.yaml", "rb").read())
    write("config", "signals", "signals:\n  SIGTERM: halt\n  SIGUSR2: runlevel 1\n  RTMIN+3: poweroff\n"
                               "  37: ignore\nshutdown: {budget: 8s, final_grace: 500ms, kill_wait: 1.5s}\n")
    write("config", "front_ends", "inittab: /etc/inittab\nopenrc:\n  mode: native\n  levels: {3: default}\n"
                                  "units:\n  skip: [a*, b?.service]\n  strict: true\n")
    write("config", "errors", "log_level: loud\nreboot: [1, 2]\nbogus: {a: &x 1, b: *x}\n")


def depend():
    lines = []
    for p in files("/work/shared/corpus/gentoo-openrc/init.d/*", 40) + files("tests/fixtures/openrc/root/etc/init.d/*", 20):
        text = open(p, errors="replace").read()
        m = re.search(r"depend\(\)\s*\{(.*?)\n\}", text, re.S)
        if not m:
            continue
        body = [l.strip() for l in m.group(1).splitlines()]
        body = [l for l in body if re.match(r"(need|use|want|after|before|provide|keyword|config) ", l)]
        if body:
            write("depend", os.path.basename(p), "\n".join(body) + "\n")
    write("depend", "folding", "need net !net\nbefore x\nafter x *\nkeyword -containers !-docker\n"
                               "provide net.eth0 foo.sh\nuse   \n")
    write("depend", "shebang", "#!/sbin/openrc-run\nneed localmount\n")


def retry():
    for i, s in enumerate(["TERM/60/KILL/5", "SIGPWR/40", "HUP/forever/TERM/5", "30", "-9/2",
                           "TERM/1000000000/1000000000/1000000000", "NULL/0", "SIGRTMIN"]):
        write("retry", f"s{i}", s)


def supervise():
    def words(sel, *ws):
        return bytes([sel]) + "\0".join(ws).encode()
    write("supervise", "request", words(0, "sshd", "arg=/usr/sbin/sshd", "arg=-D", "env=A=1",
                                        "uid=0", "gid=0", "groups=0,1", "umask=022", "dir=/",
                                        "respawn_delay_ms=0", "respawn_max=11",
                                        "respawn_period_ms=12000", "stop_signal=15",
                                        "stop_timeout_ms=5000", "pidfile=/run/x.pid"))
    write("supervise", "request_bad", words(0, "x", "arg", "uid=-1", "stop_timeout_ms=999999999999999999"))
    write("supervise", "applet_start", words(1, "sshd", "--start", "--respawn-delay", "2",
                                             "--respawn-max", "3", "--retry", "TERM/30/KILL/5",
                                             "-e", "FOO=1", "-k", "022", "/bin/sh", "--", "-c", "x"))
    write("supervise", "applet_stop", words(1, "sshd", "--stop"))
    write("supervise", "applet_status", words(1, "sshd", "--status"))


for fill in [initreq, control, notify, inittab, units, unit_values, config, depend, retry, supervise]:
    fill()
