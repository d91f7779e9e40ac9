# SPDX-License-Identifier: GPL-2.0
"""Region.wait(): the fast path, timeouts, signals, the GIL, unlink."""

import errno
import os
import signal
import threading
import time

import pytest

import shmregion
from shmregion import Region

from helpers import in_child, in_syscall, when_blocked


def test_wait_returns_at_once_when_behind(name):
    with Region.create(name, 4096) as r:
        r.notify()
        r.notify()
        assert r.wait(0) == 2            # no timeout needed: news already
        assert r.wait(1, timeout=0) == 2


def test_wait_timeout(name):
    with Region.create(name, 4096) as r:
        start = time.monotonic()
        with pytest.raises(TimeoutError) as e:
            r.wait(0, timeout=0.2)
        assert e.value.errno == errno.ETIMEDOUT
        assert time.monotonic() - start >= 0.2
        with pytest.raises(TimeoutError):
            r.wait(0, timeout=0)


def test_wait_wakes_on_notify_from_another_process(name):
    with Region.create(name, 4096) as r:
        tid = threading.get_native_id()

        def notify_when_blocked():
            def child():
                with Region.attach(name) as c:
                    return c.notify()
            return in_child(child)
        t = when_blocked(tid, notify_when_blocked)
        assert r.wait(0, timeout=60) == 1
        t.join()


def test_wait_releases_the_gil(name):
    """Another Python thread runs (and notifies) while wait() sleeps."""
    with Region.create(name, 4096) as r, Region.attach(name) as other:
        t = when_blocked(threading.get_native_id(), other.notify)
        assert r.wait(0, timeout=60) == 1
        t.join()


def test_keyboard_interrupt_ends_wait(name):
    with Region.create(name, 4096) as r:
        main = threading.main_thread().ident
        assert threading.get_ident() == main
        t = when_blocked(threading.get_native_id(),
                         lambda: signal.pthread_kill(main, signal.SIGINT))
        start = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            r.wait(0, timeout=60)
        t.join()
        assert time.monotonic() - start < 30


def test_signal_handler_that_returns_does_not_end_wait(name):
    """PEP 475: EINTR is retried after the handler; notify then wakes it."""
    with Region.create(name, 4096) as r, Region.attach(name) as other:
        ran = threading.Event()
        old = signal.signal(signal.SIGUSR1, lambda *a: ran.set())
        try:
            main = threading.main_thread().ident

            def poke():
                signal.pthread_kill(main, signal.SIGUSR1)
                # the handler runs in the main thread, in wait(), which then
                # sleeps again: notify once it has
                ran.wait()
                when_blocked(tid, other.notify).join()
            tid = threading.get_native_id()
            t = when_blocked(tid, poke)
            assert r.wait(0, timeout=60) == 1
            t.join()
            assert ran.is_set()
        finally:
            signal.signal(signal.SIGUSR1, old)


def test_signal_handler_exception_propagates(name):
    class Stop(Exception):
        pass

    def handler(*a):
        raise Stop()
    with Region.create(name, 4096) as r:
        old = signal.signal(signal.SIGUSR1, handler)
        try:
            main = threading.main_thread().ident
            t = when_blocked(threading.get_native_id(),
                             lambda: signal.pthread_kill(main, signal.SIGUSR1))
            with pytest.raises(Stop):
                r.wait(0, timeout=60)
            t.join()
        finally:
            signal.signal(signal.SIGUSR1, old)


def test_unlink_wakes_waiter_with_eidrm(name):
    with Region.create(name, 4096) as r:
        t = when_blocked(threading.get_native_id(),
                         lambda: in_child(shmregion.unlink, name))
        with pytest.raises(OSError) as e:
            r.wait(0, timeout=60)
        t.join()
        assert e.value.errno == errno.EIDRM
        # and at once after that
        with pytest.raises(OSError) as e:
            r.wait(0)
        assert e.value.errno == errno.EIDRM


def test_close_while_another_thread_waits(name):
    """close() does not pull the mapping from under a wait() in progress."""
    with Region.create(name, 4096) as owner:
        r = Region.attach(name)
        got = []
        waiter = threading.Thread(target=lambda: got.append(r.wait(0, timeout=60)))
        waiter.start()
        while not in_syscall(waiter.native_id):
            os.sched_yield()
        r.close()
        assert r.closed
        assert owner.info().handles == 2        # the wait still holds it
        owner.notify()
        waiter.join()
        assert got == [1]
        assert owner.info().handles == 1        # released after the wait


@pytest.mark.parametrize("timeout", [-1, -0.5, float("nan")])
def test_bad_timeout(name, timeout):
    with Region.create(name, 4096) as r:
        with pytest.raises(ValueError):
            r.wait(0, timeout=timeout)


@pytest.mark.parametrize("seq,exc", [(-1, OverflowError), (1 << 64, OverflowError),
                                     ("0", TypeError), (None, TypeError)])
def test_bad_seq(name, seq, exc):
    with Region.create(name, 4096) as r:
        with pytest.raises(exc):
            r.wait(seq, timeout=0)


def test_bad_timeout_type(name):
    with Region.create(name, 4096) as r:
        with pytest.raises(TypeError):
            r.wait(0, timeout="1")
