# SPDX-License-Identifier: GPL-2.0
"""What several test files share: child processes and the module's counters."""

import multiprocessing
import os
import threading

_ctx = multiprocessing.get_context("fork")


def in_child(fn, *args):
    """Run FN(*ARGS) in a forked child; return what it returned (or raise
    what it raised, as a RuntimeError naming it)."""
    parent, child = _ctx.Pipe()

    def main():
        try:
            child.send(("ok", fn(*args)))
        except BaseException as e:   # noqa: B902: everything goes back
            child.send(("raised", f"{type(e).__name__}: {e}"))
        child.close()

    p = _ctx.Process(target=main)
    p.start()
    child.close()
    try:
        how, value = parent.recv()
    except EOFError:
        how, value = "raised", "the child died"
    p.join()
    if how != "ok":
        raise RuntimeError(value)
    assert p.exitcode == 0, p.exitcode
    return value


def counter(name):
    """The module's /sys/class/misc/shmregion/NAME (nr_regions, nr_bytes)."""
    with open(f"/sys/class/misc/shmregion/{name}") as f:
        return int(f.read())


def in_syscall(tid, nr=16):
    """True when thread TID is blocked in system call NR (16: ioctl)."""
    with open(f"/proc/self/task/{tid}/syscall") as f:
        return f.read().split()[0] == str(nr)


def when_blocked(tid, action):
    """A started thread that does ACTION() once thread TID sleeps in an
    ioctl (shmr_wait()): it watches /proc, it does not guess with sleeps."""
    def run():
        while not in_syscall(tid):
            os.sched_yield()
        action()
    t = threading.Thread(target=run)
    t.start()
    return t
