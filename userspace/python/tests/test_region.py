# SPDX-License-Identifier: GPL-2.0
"""Regions from Python: create, attach, views, notify, info, listing."""

import ctypes
import errno
import mmap
import os
import subprocess
import sys

import numpy as np
import pytest

import shmregion
from shmregion import Region

from helpers import in_child


def test_create_attributes(name):
    with Region.create(name, 100) as r:
        assert r.name == name
        assert r.size == mmap.PAGESIZE         # rounded up to a page
        assert len(r) == r.size
        assert r.created and not r.readonly and not r.closed
        assert r.seq == 0
        assert name in repr(r)
    assert r.closed and "closed" in repr(r)


def test_create_without_exclusive_attaches(name):
    with Region.create(name, 4096) as a, Region.create(name, 4096) as b:
        assert a.created and not b.created
        memoryview(a)[0] = 7
        assert memoryview(b)[0] == 7


def test_info_and_flags(name):
    with Region.create(name, 8192, 0o640, lazy=True, transient=True) as r:
        i = r.info()
        assert (i.name, i.size, i.seq, i.mode) == (name, 8192, 0, 0o640)
        assert (i.uid, i.gid) == (os.geteuid(), os.getegid())
        assert i.flags & shmregion.LAZY and i.flags & shmregion.TRANSIENT
        assert i.flags & shmregion.CREATED
        assert i.handles == 1 and i.mappings >= 1
    # transient: gone with its last handle
    with pytest.raises(FileNotFoundError):
        Region.attach(name)


def test_memoryview_both_ways(name):
    with Region.create(name, 4096) as w, Region.attach(name) as r:
        mw, mr = memoryview(w), memoryview(r)
        mw[:5] = b"hello"
        assert bytes(mr[:5]) == b"hello"
        mr[5:11] = b" world"
        assert bytes(mw[:11]) == b"hello world"
        assert not mw.readonly and mw.nbytes == 4096
        mw.release()
        mr.release()


def test_numpy_views_are_zero_copy(name):
    with Region.create(name, 1 << 16) as w, Region.attach(name) as r:
        a = np.frombuffer(w, dtype=np.float64)
        b = np.frombuffer(r, dtype=np.float64)
        assert a.size == (1 << 16) // 8 and a.flags.writeable
        a[:] = np.arange(a.size)
        assert b[12345 % b.size] == 12345 % b.size
        b[0] = -1.5
        assert a[0] == -1.5
        # one buffer: the arrays point at the same mapping
        assert np.shares_memory(a, np.frombuffer(w, dtype=np.float64))
        del a, b


def test_numpy_between_processes(name):
    """A child writes through its numpy view; the parent reads its own."""
    with Region.create(name, 4096) as r:
        def child():
            with Region.attach(name) as c:
                v = np.frombuffer(c, dtype=np.int32)
                v[:100] = np.arange(100) * 3
                seq = c.notify()
                del v
                return seq
        seq = in_child(child)
        assert r.wait(0, timeout=0) == seq == 1
        v = np.frombuffer(r, dtype=np.int32)
        assert (v[:100] == np.arange(100) * 3).all()
        # and the other way: the parent writes, the child checks
        v[:10] = -7
        r.notify()
        del v

        def reader():
            with Region.attach(name, readonly=True) as c:
                return int(np.frombuffer(c, dtype=np.int32)[:10].sum())
        assert in_child(reader) == -70


def test_readonly_views_refuse_writes(name):
    with Region.create(name, 4096) as w, Region.attach(name, readonly=True) as r:
        memoryview(w)[0] = 42
        assert r.readonly
        m = memoryview(r)
        assert m.readonly and m[0] == 42
        with pytest.raises(TypeError):
            m[0] = 1
        a = np.frombuffer(r, dtype=np.uint8)
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0] = 1
        with pytest.raises(ValueError):
            a.flags.writeable = True
        # a consumer asking for a writable buffer is refused
        with pytest.raises(TypeError):
            (ctypes.c_char * 4096).from_buffer(r)
        assert memoryview(w)[0] == 42
        m.release()
        del a


def test_notify_and_seq(name):
    with Region.create(name, 4096) as w, Region.attach(name, readonly=True) as r:
        assert [w.notify() for _ in range(3)] == [1, 2, 3]
        assert r.seq == w.seq == 3 == r.info().seq


def test_fileno_is_the_handle(name):
    with Region.create(name, 4096) as r:
        fd = r.fileno()
        os.set_blocking(fd, False)
        with pytest.raises(BlockingIOError):
            os.read(fd, 8)
        r.notify()
        assert int.from_bytes(os.read(fd, 8), sys.byteorder) == 1


def test_list_regions(name):
    with Region.create(name + "-b", 4096), Region.create(name + "-a", 8192):
        mine = [i for i in shmregion.list_regions() if i.name.startswith(name)]
        assert [(i.name, i.size) for i in mine] == \
            [(name + "-a", 8192), (name + "-b", 4096)]
        assert all(isinstance(i, shmregion.RegionInfo) for i in mine)
    for n in (name + "-a", name + "-b"):
        shmregion.unlink(n)


def test_unlink_keeps_the_memory(name):
    with Region.create(name, 4096) as r:
        memoryview(r)[0] = 9
        shmregion.unlink(name)
        assert memoryview(r)[0] == 9
        assert r.info().flags & shmregion.UNLINKED
        with pytest.raises(FileNotFoundError):
            Region.attach(name)


def test_region_unlink_removes_its_own_name_only(name):
    with Region.create(name, 4096) as r:
        memoryview(r)[0] = 9
        r.unlink()
        assert memoryview(r)[0] == 9
        assert r.info().flags & shmregion.UNLINKED
        with pytest.raises(FileNotFoundError):
            Region.attach(name)
        with pytest.raises(FileNotFoundError):
            r.unlink()
        # a new region of that name is not the old one's to remove
        with Region.create(name, 4096) as successor:
            with pytest.raises(FileNotFoundError):
                r.unlink()
            successor.unlink()
    with pytest.raises(ValueError):
        r.unlink()


def test_python_m_shmregion_is_the_cli_list(name):
    with Region.create(name, 4096, 0o644) as r:
        r.notify()
        env = dict(os.environ)
        py = subprocess.run([sys.executable, "-m", "shmregion"], env=env,
                            capture_output=True, text=True, check=True)
        cli = subprocess.run(["shmregion", "list"], capture_output=True,
                             text=True, check=True)
        assert py.stdout == cli.stdout
        assert any(line.startswith(name + " ") for line in py.stdout.splitlines())
        bad = subprocess.run([sys.executable, "-m", "shmregion", "bogus"],
                             capture_output=True, text=True)
        assert bad.returncode == 2 and "usage" in bad.stderr


def test_subclass_keeps_its_type(name):
    class Mine(Region):
        pass
    with Mine.create(name, 4096) as r:
        assert type(r) is Mine


def test_resize_and_remap(name):
    with Region.create(name, 4096) as r, Region.attach(name) as peer:
        memoryview(r)[0] = 5
        view = memoryview(r)
        with pytest.raises(BufferError):
            r.resize(8192)
        view.release()
        r.resize(3 * 4096)
        assert len(r) == 3 * 4096 and r.seq == 1
        assert memoryview(r)[0] == 5 and memoryview(r)[-1] == 0
        assert len(peer) == 4096
        peer.remap()
        assert len(peer) == 3 * 4096 and memoryview(peer)[0] == 5
        # a shrink cuts the peer's mapping too; it remaps to the new size
        r.resize(4096)
        assert len(r) == 4096 and memoryview(r)[0] == 5
        peer.remap()
        assert len(peer) == 4096 and memoryview(peer)[0] == 5
    with Region.attach(name, readonly=True) as ro:
        with pytest.raises(PermissionError):
            ro.resize(8192)
    shmregion.unlink(name)


def test_huge_flag(name):
    import errno as _errno
    try:
        r = Region.create(name, 4 << 20, huge=True)
    except OSError as e:
        assert e.errno == _errno.EOPNOTSUPP
        assert not os.path.isdir("/sys/kernel/mm/transparent_hugepage")
        return
    with r:
        assert r.info().flags & shmregion.HUGE
    shmregion.unlink(name)
