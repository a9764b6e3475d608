"""A sampling profile of moto_server's threads, for finding what makes the local stack slow.

    MOTO_PROFILE=/tmp/moto.prof go test ./internal/e2e/ -run TestSomething

The launcher starts it when MOTO_PROFILE is set. Every 5 ms it looks at each thread's stack and
at the CPU time the thread used since the last look (its own CPU clock), and charges that time to
each function on the stack. A thread waiting (for a request, a lock, a socket, or for the GIL,
which only one thread holds at a time) uses no CPU and is charged nothing, wherever it stands.
When moto stops, the file (MOTO_PROFILE, then "." and moto's process ID: one file per stack) gets
moto's CPU time, then the functions by the share of the charged time they had on their stack
(cumulative), then the lines that were running (self). A thread seen for the first time is
charged all it used since it started, at the place it stands then; a thread that starts and ends
between two looks is not charged at all (the first line says how much was charged).
"""
import collections
import os
import sys
import threading
import time

_INTERVAL = 0.005
_cumulative = collections.Counter()
_self = collections.Counter()
_charged = [0.0]
_last = {}  # thread ident -> its CPU clock at the last look
_lock = threading.Lock()


def _sample():
    me = threading.get_ident()
    while True:
        time.sleep(_INTERVAL)
        frames = sys._current_frames()
        with _lock:
            try:
                _count(me, frames)
            except Exception:  # noqa: BLE001 - a thread that ended mid-look: skip this look, keep sampling
                pass


def _cpu(ident):
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except (OSError, OverflowError):
        return None  # the thread has ended


def _count(me, frames):
    seen_threads = set()
    for ident, frame in frames.items():
        if ident == me:
            continue
        seen_threads.add(ident)
        cpu = _cpu(ident)
        if cpu is None:
            continue
        used = cpu - _last.get(ident, 0.0)  # a thread's CPU clock starts at 0 when it starts
        _last[ident] = cpu
        if used <= 0:
            continue
        _charged[0] += used
        code = frame.f_code
        # f_lineno is None for a frame between lines: "%s", not "%d" (which killed the sampler).
        _self["%s:%s:%s" % (os.path.basename(code.co_filename), frame.f_lineno, code.co_name)] += used
        seen = set()
        while frame is not None:
            code = frame.f_code
            key = "%s:%s" % ("/".join(code.co_filename.split("/")[-2:]), code.co_name)
            if key not in seen:
                seen.add(key)
                _cumulative[key] += used
            frame = frame.f_back
    for ident in list(_last):
        if ident not in seen_threads:
            del _last[ident]


def write():
    """Writes the profile (the launcher calls it when the stack stops moto)."""
    with _lock:
        charged = max(_charged[0], 1e-9)
        t = os.times()
        with open("%s.%d" % (os.environ["MOTO_PROFILE"], os.getpid()), "w") as out:
            out.write("cpu: user %.1f s, system %.1f s; %.1f s of thread CPU charged, looking every %d ms\n"
                      % (t.user, t.system, _charged[0], _INTERVAL * 1000))
            out.write("== cumulative (seconds, share)\n")
            for key, n in _cumulative.most_common(120):
                out.write("%8.2f %5.1f%% %s\n" % (n, 100.0 * n / charged, key))
            out.write("== self\n")
            for key, n in _self.most_common(60):
                out.write("%8.2f %5.1f%% %s\n" % (n, 100.0 * n / charged, key))


def start():
    threading.Thread(target=_sample, daemon=True, name="moto-sampler").start()
