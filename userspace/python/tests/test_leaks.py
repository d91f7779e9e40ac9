# SPDX-License-Identifier: GPL-2.0
"""References and module resources: nothing leaks."""

import gc
import sys

import numpy as np

import shmregion
from shmregion import Region

from helpers import counter


def test_refcounts_stay(name):
    with Region.create(name, 4096) as r:
        before = sys.getrefcount(r)
        name_before = sys.getrefcount(name)
        for _ in range(1000):
            m = memoryview(r)
            m.release()
            a = np.frombuffer(r, dtype=np.uint8)
            del a
            r.notify()
            r.wait(0)
            r.info()
            r.seq
        assert sys.getrefcount(r) == before
        assert sys.getrefcount(name) == name_before


def test_repeated_create_close_frees_everything(name):
    gc.collect()
    regions, nbytes = counter("nr_regions"), counter("nr_bytes")
    for i in range(200):
        with Region.create(name, 1 << 16, transient=True) as r:
            memoryview(r)[0] = i
            np.frombuffer(r, dtype=np.uint64)[1] = i
        del r
    for i in range(100):
        r = Region.create(name, 1 << 16, exclusive=True)
        a = Region.attach(name, readonly=True)
        shmregion.unlink(name)
        a.close()
        r.close()
    assert (counter("nr_regions"), counter("nr_bytes")) == (regions, nbytes)


def test_errors_do_not_leak(name):
    regions = counter("nr_regions")
    for _ in range(500):
        try:
            Region.attach(name)
        except FileNotFoundError:
            pass
    with Region.create(name, 4096) as r:
        for _ in range(500):
            try:
                Region.create(name, 4096, exclusive=True)
            except FileExistsError:
                pass
        assert r.info().handles == 1
    shmregion.unlink(name)
    assert counter("nr_regions") == regions


def test_views_outlive_close(name):
    """close() with live views: they stay valid, the mapping goes with them."""
    with Region.create(name, 4096) as owner:
        r = Region.attach(name)
        a = np.frombuffer(r, dtype=np.uint8)
        m = memoryview(r)
        r.close()
        owner_view = memoryview(owner)
        owner_view[0] = 5
        assert a[0] == 5 and m[0] == 5     # still mapped
        assert owner.info().handles == 2
        del a
        assert owner.info().handles == 2   # m still holds it
        m.release()
        assert owner.info().handles == 1
        owner_view.release()


def test_dealloc_without_close_releases(name):
    with Region.create(name, 4096) as owner:
        for _ in range(50):
            Region.attach(name)        # dropped at once
        gc.collect()
        assert owner.info().handles == 1
