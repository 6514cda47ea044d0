#!/usr/bin/env python3
"""Paired A/B of echo servers on a noisy machine (see docs/benchmarks.md, "Paired A/B").

Every server runs at once, pinned to the server CPU (idle while another is loaded); the C load
generator, pinned to the client CPU, loads one server at a time for a short window, in a new
random order each round; the server's CPU is the sum of its threads' on-CPU time
(/proc/PID/task/*/schedstat, nanoseconds) over the measured window. Ratios are taken within a
round, so a change of the machine's speed over minutes cancels out.

  benchmarks/external/paired.py CELL ROUNDS SECONDS NAME=SERVER[:-Dprop=value,...] ...
  e.g. benchmarks/external/paired.py 64x64 16 2 c=c:epoll ep=pollen:epoll \\
           ring=pollen:io_uring:-Dpollen.io_uring.send=ring,-Dpollen.io_uring.recv=ahead

CELL is CONNSxSIZE[xDEPTH]; SERVER is c:epoll, c:io_uring, netty:epoll, netty:io_uring or pollen:<poller>.
Needs the benchmarks jar and the compiled C programs (benchmarks/external/run.sh --smoke builds
both); run from the repository root. The first server is the reference of the ratios.
"""
import glob, json, os, random, statistics, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.path.join(ROOT, 'benchmarks/target/benchmarks.jar')
BIN = os.path.join(ROOT, 'benchmarks/target/external-bin')
JAVA = os.path.join(os.environ['JAVA_HOME'], 'bin/java') if os.environ.get('JAVA_HOME') else 'java'
FLAGS = ['--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED', '--enable-native-access=ALL-UNNAMED',
         '-Xms512m', '-Xmx512m', '-XX:+UseSerialGC', '--sun-misc-unsafe-memory-access=allow']
SERVER_CPU, CLIENT_CPU = '1', '0'


def fail(msg):
    sys.exit('paired: ' + msg)


def start(spec):
    srv, extra = (spec.split(':-D', 1)[0], ('-D' + spec.split(':-D', 1)[1]).split(',')) \
        if ':-D' in spec else (spec, [])
    if srv in ('c:epoll', 'c:io_uring'):
        cmd = [os.path.join(BIN, 'echo-server' if srv == 'c:epoll' else 'uring-echo-server'), '--port', '0']
    else:
        cmd = [JAVA] + FLAGS + extra + ['-cp', JAR, 'dev.pollen.bench.external.ServerMain', srv]
    p = subprocess.Popen(['taskset', '-c', SERVER_CPU] + cmd, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith('listening '):
        fail('%s did not start (printed %r)' % (spec, line))
    return p, int(line.strip().rsplit(':', 1)[1])


def cpu_ns(pid):
    total = 0
    for f in glob.glob('/proc/%d/task/*/schedstat' % pid):
        try:
            with open(f) as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError):
            pass  # a thread that ended meanwhile
    return total


def trial(proc, port, cell, warmup, seconds):
    conns, size, depth = cell
    lg = subprocess.Popen(['taskset', '-c', CLIENT_CPU, os.path.join(BIN, 'loadgen'), '--port', str(port),
                           '--conns', str(conns), '--size', str(size), '--depth', str(depth),
                           '--warmup', str(warmup), '--seconds', str(seconds)],
                          stdout=subprocess.PIPE, text=True)
    a = b = result = None
    for line in lg.stdout:
        if line.startswith('# measuring'):
            a = cpu_ns(proc.pid)
        elif line.startswith('# done'):
            b = cpu_ns(proc.pid)
        elif line.startswith('{'):
            result = json.loads(line)
    if lg.wait() != 0 or None in (a, b, result) or result['messages'] == 0:
        fail('a load run failed (loadgen exit %s)' % lg.returncode)
    return (b - a) / result['messages']


def main(argv):
    if len(argv) < 5 or any('=' not in s for s in argv[4:]):
        fail(__doc__.strip().split('\n\n')[2])
    try:
        parts = argv[1].lower().split('x')
        cell = [int(p[:-1]) * 1024 if p.endswith('k') else int(p) for p in parts]
        cell += [1] if len(cell) == 2 else []
        if len(cell) != 3 or min(cell) < 1:
            raise ValueError
    except ValueError:
        fail("cell '%s': use CONNSxSIZE[xDEPTH], e.g. 64x64 or 16x16kx4" % argv[1])
    rounds, seconds = int(argv[2]), float(argv[3])
    for f in (JAR, os.path.join(BIN, 'loadgen')):
        if not os.path.exists(f):
            fail(f + ' is missing: build it with ./run bench external and '
                     'benchmarks/external/run.sh --smoke')
    servers = {}
    try:
        for s in argv[4:]:
            name, spec = s.split('=', 1)
            servers[name] = start(spec)
        for p, port in servers.values():
            trial(p, port, cell, 1, 4)  # the JIT's warm-up, not measured
        names = list(servers)
        data = {n: [] for n in names}
        for r in range(rounds):
            order = names[:]
            random.shuffle(order)
            for n in order:
                data[n].append(trial(*servers[n], cell, 0.5, seconds))
            print('round %d: ' % (r + 1) + ' '.join('%s %.2f us' % (n, data[n][-1] / 1000) for n in names),
                  flush=True)
        ref = names[0]
        print('cell %s, %d rounds of %.1f s; CPU per message, and its ratio to %s within each round '
              '(median, interquartile range, rounds below 1):' % (argv[1], rounds, seconds, ref))
        for n in names:
            rs = sorted(data[n][i] / data[ref][i] for i in range(rounds))
            q = statistics.quantiles(rs, n=4) if len(rs) >= 4 else [rs[0], 0, rs[-1]]
            print('  %-10s %6.2f us  ratio %.3f  (IQR %.3f-%.3f)  below 1 in %d of %d' % (
                n, statistics.median(data[n]) / 1000, statistics.median(rs), q[0], q[2],
                sum(x < 1 for x in rs), rounds))
    finally:
        for p, _ in servers.values():
            p.stdin.close()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == '__main__':
    main(sys.argv)
