"""A sampling profile of moto_server's threads, for finding what makes the local stack slow.

    MOTO_PROFILE=/tmp/moto.prof go test ./internal/e2e/ -run TestSomething

The launcher starts it when MOTO_PROFILE is set. Every 5 ms it looks at each thread's stack; a
thread that is running Python (not waiting for a request, a lock or a socket) counts one sample for
each function on its stack. When moto stops, the file (MOTO_PROFILE, then "." and moto's process
ID: one file per stack) gets moto's CPU time, then the functions by the share of samples they
appear in (cumulative), then the lines that were running (self). Samples of a thread blocked in a
C call made from Python (a socket write, a lock) still count: read "self" with that in mind.
"""
import collections
import os
import sys
import threading
import time

_INTERVAL = 0.005
_WAITING = {"select", "poll", "wait", "accept", "recv_into", "readinto", "readline", "sleep",
            "_wait_for_tstate_lock", "acquire", "serve_forever", "handle_request", "_exit_with_parent"}
_cumulative = collections.Counter()
_self = collections.Counter()
_busy = [0]
_lock = threading.Lock()


def _sample():
    me = threading.get_ident()
    while True:
        time.sleep(_INTERVAL)
        frames = sys._current_frames()
        with _lock:
            try:
                _count(me, frames)
            except Exception:  # noqa: BLE001 - a frame that vanished mid-walk: skip this sample, keep sampling
                pass


def _count(me, frames):
    for ident, frame in frames.items():
        if ident == me or frame.f_code.co_name in _WAITING:
            continue
        _busy[0] += 1
        code = frame.f_code
        # f_lineno is None for a frame between lines: "%s", not "%d" (which killed the sampler).
        _self["%s:%s:%s" % (os.path.basename(code.co_filename), frame.f_lineno, code.co_name)] += 1
        seen = set()
        while frame is not None:
            code = frame.f_code
            key = "%s:%s" % ("/".join(code.co_filename.split("/")[-2:]), code.co_name)
            if key not in seen:
                seen.add(key)
                _cumulative[key] += 1
            frame = frame.f_back


def write():
    """Writes the profile (the launcher calls it when the stack stops moto)."""
    with _lock:
        busy = max(_busy[0], 1)
        t = os.times()
        with open("%s.%d" % (os.environ["MOTO_PROFILE"], os.getpid()), "w") as out:
            out.write("cpu: user %.1f s, system %.1f s; %d busy samples every %d ms\n"
                      % (t.user, t.system, _busy[0], _INTERVAL * 1000))
            out.write("== cumulative\n")
            for key, n in _cumulative.most_common(100):
                out.write("%7d %5.1f%% %s\n" % (n, 100.0 * n / busy, key))
            out.write("== self\n")
            for key, n in _self.most_common(50):
                out.write("%7d %5.1f%% %s\n" % (n, 100.0 * n / busy, key))


def start():
    threading.Thread(target=_sample, daemon=True, name="moto-sampler").start()
