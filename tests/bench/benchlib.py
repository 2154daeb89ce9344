# SPDX-License-Identifier: ISC
"""What every benchmark script in tests/bench shares: the settings from
the environment (tests/bench/run documents them), starting servers on
free loopback ports and knowing when they listen, the systemd booted in
a container, the load generator's measurements, process-tree memory,
rounds that alternate the order, and markdown tables with ratios.

A script is run as `tests/bench/SCRIPT [BUILD]`; BUILD (default build/)
is where wsinetd and tests/bench's tools were built."""
import functools
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                        os.path.join(ROOT, "build"))
WSINETD = os.path.join(BUILD, "wsinetd")
TOOLS = os.path.join(BUILD, "bench")
LOAD = os.path.join(TOOLS, "load")
PYTHON = "/usr/bin/python3"
NSPAWN_BOOT = os.path.join(ROOT, "tests", "tools", "nspawn-boot")
HOST = "127.0.0.1"
QUICK = os.environ.get("BENCH_QUICK") == "1"


def setting(name, default, quick, kind=float):
    value = os.environ.get(name)
    if value is None:
        return quick if QUICK else default
    return kind(value)


ROUNDS = setting("BENCH_ROUNDS", 3, 1, int)
CONCS = [int(x) for x in os.environ.get("BENCH_CONC", "1 8 64").split()]
SESSION_SECS = setting("BENCH_SESSION_SECS", 0.8, 0.3)
SIZES = [int(x) for x in
         os.environ.get("BENCH_SIZES", "16 1024 65536 1048576").split()]
ECHO_SECS = setting("BENCH_ECHO_SECS", 0.8, 0.3)
# "SIZE:FRAGMENT": one message of SIZE bytes sent as frames of FRAGMENT
# bytes, a write(2) (so a TCP segment) each; empty: no such table.
FRAGMENTED = [tuple(int(v) for v in x.split(":")) for x in
              os.environ.get("BENCH_FRAGMENTED", "1048576:64").split()]
FRAG_MSGS = setting("BENCH_FRAG_MSGS", 2, 1, int)
IDLE_CONNS = setting("BENCH_IDLE_CONNS", 100, 100, int)
STARTS = setting("BENCH_STARTS", 300, 100, int)
ONLY = [x for x in os.environ.get("BENCH_SERVERS", "").split(",") if x]


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def die(msg):
    log(msg)
    sys.exit(1)


# ---- the servers ----

def activate(port, *argv, inetd=True, accept=True):
    """systemd-socket-activate, the way systemd starts a socket's service."""
    cmd = ["systemd-socket-activate", "-l", f"{HOST}:{port}"]
    cmd += ["-a"] if accept else []
    cmd += ["--inetd"] if inetd else []
    return cmd + list(argv)


@functools.lru_cache(maxsize=None)
def wsinetd_help():
    try:
        return subprocess.run([WSINETD, "--help"], capture_output=True,
                              text=True, timeout=10).stdout
    except OSError:
        return ""


def needs_listen():
    return (None if "--listen" in wsinetd_help() else
            "this wsinetd has no --listen")


def needs_booted():
    return BOOTED.why_not


def needs_bridge():
    return (None if "PROGRAM" in wsinetd_help() else
            "this wsinetd has no bridge mode")


class Server:
    """One peer: how to start its hello and echo instances."""

    def __init__(self, key, name, hello, echo, raw=False, env=None,
                 guard=None):
        self.key, self.name, self.raw, self.env = key, name, raw, env
        self.hello, self.echo, self.guard = hello, echo, guard
        self.why_not = None
        self.host = HOST  # where the load connects
        self.procs = {}  # "hello"/"echo" -> (Popen, port)


class Booted:
    """A real systemd, booted by tests/tools/nspawn-boot in a throwaway
    container, serving the shipped units on free loopback ports. It
    stands in for a server's Popen: its pid is the container's PID 1."""

    UNITS = ("ws-echo.socket", "ws-echo-fast.socket")

    def __init__(self):
        self.state = None
        self.pid = None
        self.ports = {}
        self.why_not = self.cannot()

    @staticmethod
    def cannot():
        if os.geteuid() != 0:
            return "booting systemd in a container needs root"
        if shutil.which("systemd-nspawn") is None:
            return "systemd-nspawn is missing (Debian: systemd-container)"
        return None

    def install(self, dest):
        """The units as `make install DESTDIR=dest` writes them; each
        socket moved to a free port by a drop-in, and enabled."""
        unitdir = os.path.join(dest, "lib/systemd/system")
        etc = os.path.join(dest, "etc/systemd/system")
        os.makedirs(os.path.join(etc, "sockets.target.wants"))
        os.makedirs(unitdir)
        for name in ("ws-echo@.service", "ws-echo-fast.service",
                     *self.UNITS):
            with open(os.path.join(ROOT, "units", name)) as f:
                text = f.read().replace("@SBINDIR@", "/usr/local/sbin")
            with open(os.path.join(unitdir, name), "w") as f:
                f.write(text)
        sysusers = os.path.join(dest, "usr/lib/sysusers.d")
        os.makedirs(sysusers)
        shutil.copy(os.path.join(ROOT, "units", "wsinetd.sysusers"),
                    os.path.join(sysusers, "wsinetd.conf"))
        for name in self.UNITS:
            self.ports[name] = free_port()
            os.makedirs(os.path.join(etc, name + ".d"))
            with open(os.path.join(etc, name + ".d", "bench-port.conf"),
                      "w") as f:
                f.write(f"[Socket]\nListenStream=\n"
                        f"ListenStream={HOST}:{self.ports[name]}\n")
            os.symlink(f"/lib/systemd/system/{name}",
                       os.path.join(etc, "sockets.target.wants", name))

    def boot(self, logdir):
        if self.why_not or self.state:
            return self.why_not
        dest = os.path.join(logdir, "systemd-dest")
        self.install(dest)
        self.state = os.path.join(logdir, "systemd")
        res = subprocess.run(
            [NSPAWN_BOOT, "start", self.state, dest,
             f"--bind-ro={os.path.realpath(WSINETD)}:/usr/local/sbin/wsinetd"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if res.returncode != 0:
            self.why_not = "no systemd booted: " + (
                res.stderr.strip().splitlines() or ["?"])[-1]
            return self.why_not
        with open(os.path.join(self.state, "leader.pid")) as f:
            self.pid = int(f.read())
        return None

    def poll(self):
        return None if os.path.exists(f"/proc/{self.pid}") else 1

    def terminate(self):
        pass

    def wait(self, timeout=None):
        return 0

    def stop(self):
        if self.state:
            subprocess.run([NSPAWN_BOOT, "stop", self.state],
                           stdin=subprocess.DEVNULL)
            self.state = None


BOOTED = Booted()


# ---- processes, ports, memory ----

def free_port():
    import socket
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def listening_inodes(port):
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if (fields[3] == "0A" and
                            int(fields[1].rsplit(":", 1)[1], 16) == port):
                        inodes.add(fields[9])
        except OSError:
            pass
    return inodes


def holds_socket(pid, inodes):
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in inodes:
                return True
    except OSError:
        pass
    return False


def wait_listening(proc, port, limit=30.0):
    """Until the PID we started holds the listening socket: never probe
    with a connection, which would start a handler and count."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if proc.poll() is not None:
            return f"exited with {proc.returncode} before listening"
        if holds_socket(proc.pid, listening_inodes(port)):
            return None
        time.sleep(0.05)
    return f"not listening on {port} after {limit:.0f} s"


def start(server, kind, logdir):
    make = server.hello if kind == "hello" else server.echo
    if make is None:
        return
    if isinstance(make, str):  # a socket unit of the booted systemd
        server.why_not = BOOTED.boot(logdir)
        if server.why_not:
            log(f"{server.key}: {server.why_not}")
        else:
            server.procs[kind] = (BOOTED, BOOTED.ports[make])
        return
    port = free_port()
    logf = open(os.path.join(logdir, f"{server.key}-{kind}.log"), "w")
    proc = subprocess.Popen(make(port), stdin=subprocess.DEVNULL,
                            stdout=logf, stderr=subprocess.STDOUT,
                            env=server.env)
    server.procs[kind] = (proc, port)
    why = wait_listening(proc, port)
    if why:
        server.why_not = f"{kind} server {why}"
        log(f"{server.key}: {server.why_not}")


def stop_all(all_servers):
    for server in all_servers:
        for proc, _ in server.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in server.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree(pid):
    kids, todo, seen = children_map(), [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return seen


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss(pid):
    """PSS summed over the server and every process below it."""
    return sum(pss_kib(p) for p in tree(pid))


# ---- measurements ----

def run_load(server, kind, args, timeout):
    proc, port = server.procs[kind]
    cmd = [LOAD] + args + (["--raw"] if server.raw else []) + [server.host,
                                                                str(port)]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "load did not finish"
    if res.returncode != 0:
        why = (res.stderr.strip().splitlines() or ["?"])[0]
        return None, f"load exited {res.returncode}: {why}"
    return dict(kv.split("=", 1) for kv in res.stdout.split()[1:]), None


def measure_session(server, conc):
    out, why = run_load(server, "hello",
                        ["session", "-c", str(conc), "-d", str(SESSION_SECS),
                         "-n", "1000000", "-t", "10"], SESSION_SECS + 60)
    if out is None:
        return None, why
    return (float(out["per_sec"]), float(out["p50_ms"]),
            float(out["p99_ms"])), None


ECHO_WINDOW = setting("BENCH_ECHO_WINDOW", 0, 0, int)


def echo_window(size):
    # Enough in flight to keep both sides busy, at most ~4 MiB queued.
    return ECHO_WINDOW or max(1, min(16, (4 << 20) // size))


def measure_echo(server, size):
    out, why = run_load(server, "echo",
                        ["echo", "-s", str(size), "-w",
                         str(echo_window(size)), "-d", str(ECHO_SECS),
                         "-t", "5"],
                        ECHO_SECS + 60)
    if out is None:
        return None, why
    return (float(out["msgs_per_sec"]), float(out["mb_per_sec"])), None


def measure_fragmented(server, size, fragment):
    """Milliseconds per message and frames per second, FRAG_MSGS
    messages one after the other, each in frames written one by one."""
    out, why = run_load(server, "echo",
                        ["echo", "-s", str(size), "--fragment", str(fragment),
                         "-w", "1", "-n", str(FRAG_MSGS), "-t", "60"],
                        60 * FRAG_MSGS + 60)
    if out is None:
        return None, why
    per_sec = float(out["msgs_per_sec"])
    frames = int(out["frames_per_msg"])
    return (1000 / per_sec if per_sec else None, per_sec * frames), None


def settle(pid, count, limit=5.0):
    """Wait for the processes of the last measurement to go."""
    end = time.monotonic() + limit
    while time.monotonic() < end and len(tree(pid)) > count:
        time.sleep(0.05)


def measure_idle(server, kind="hello", extra=()):
    """PSS per connection with IDLE_CONNS held on the kind instance;
    extra goes to load idle (its later options win)."""
    proc, port = server.procs[kind]
    base_procs = len(tree(proc.pid))
    base = tree_pss(proc.pid)
    cmd = [LOAD, "idle", "-k", str(IDLE_CONNS), "-d", "120", "-t", "20"]
    cmd += (["--raw"] if server.raw else []) + list(extra)
    cmd += [HOST, str(port)]
    load = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    ready = load.stdout.readline().split()
    time.sleep(0.3)  # let the last handlers finish starting
    held = tree_pss(proc.pid)
    try:
        _, err = load.communicate("\n", timeout=60)
    except subprocess.TimeoutExpired:
        load.kill()
        load.wait()
        return None, "load idle did not finish"
    settle(proc.pid, base_procs)
    if (load.returncode != 0 or len(ready) < 2 or
            ready[1] != f"open={IDLE_CONNS}"):
        why = (err.strip().splitlines() or ["?"])[0]
        return None, f"idle: {' '.join(ready)} exit {load.returncode}: {why}"
    return ((held - base) / IDLE_CONNS, base), None


# ---- rounds and tables ----

def rotate(items, n):
    n %= max(1, len(items))
    order = items[n:] + items[:n]
    return order if n % 2 == 0 else order[::-1]


FAILED = {}  # (test, server key, param) -> why, shown under the tables


def measure(results, key, server, how, *args):
    """Once a measurement failed it is not tried again in later rounds:
    its cell says err and the reason is printed below the table."""
    if key in FAILED:
        return
    value, why = how(server, *args)
    if value is None:
        param = f" {key[2]}" if len(key) > 2 else ""
        log(f"{server.key}: {key[0]}{param}: {why}")
        FAILED[key] = why
        results[key] = []
    else:
        results.setdefault(key, []).append(value)


def median(values, i):
    return statistics.median(v[i] for v in values) if values else None


def fmt(x, digits=0):
    if x is None:
        return "err"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or a <= 0 or b <= 0:
        return "–"
    return f"{a / b:.2f}x"


REFS = ("wsinetd", "wsinetd-listen")


def table(title, head, rows, all_servers, refs, value_of, cells,
          failures=()):
    """One markdown table; a ratio column per wsinetd reference row."""
    print(f"\n### {title}\n")
    ref_names = [k for k in refs if any(s.key == k and not s.why_not
                                        for s in all_servers)]
    cols = head + [f"{k} ÷ this" for k in ref_names]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    ref_vals = {k: value_of(k) for k in ref_names}
    for s in all_servers:
        if s.why_not:
            print(f"| {s.name} | " + " | ".join(["n/a"] * (len(cols) - 1)) +
                  " |")
            continue
        if rows(s) is False:
            continue
        v = value_of(s.key)
        row = [s.name] + cells(s.key)
        row += [ratio(ref_vals[k], v) for k in ref_names]
        print("| " + " | ".join(row) + " |")
    for key in failures:
        if key in FAILED:
            name = next(s.name for s in all_servers if s.key == key[1])
            print(f"\nerr, {name}: {FAILED[key]}")


def versions():
    pkgs = ["websocketd", "python3-tornado", "python3-websockets",
            "nodejs", "node-ws", "python3", "systemd", "gcc"]
    res = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\n"]
                         + pkgs, capture_output=True, text=True)
    return res.stdout.strip().replace("\n", "; ")


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(f"- {os.cpu_count()} CPUs, {cpu}, Linux {os.uname().release}, "
          f"load average {os.getloadavg()[0]:.2f} at the start")
    print(f"- {versions()}")
    print(f"- {ROUNDS} rounds; sessions {SESSION_SECS} s each at "
          f"concurrency {', '.join(map(str, CONCS))}; echo {ECHO_SECS} s "
          f"per size; {IDLE_CONNS} idle connections", flush=True)



def start_servers(all_servers, logdir):
    """Starts each server's hello and echo instances, unless its guard
    says why it cannot run here; returns the ones that are live."""
    for s in all_servers:
        s.why_not = s.guard() if s.guard else None
        if s.why_not:
            log(f"{s.key}: n/a: {s.why_not}")
            continue
        start(s, "hello", logdir)
        start(s, "echo", logdir)
    return [s for s in all_servers if not s.why_not]


def still_live(live):
    return [s for s in live if all(p.poll() is None for p, _ in
                                   s.procs.values())]
