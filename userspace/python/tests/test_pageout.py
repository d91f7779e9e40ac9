# SPDX-License-Identifier: GPL-2.0
"""A Region made while another thread runs (the normal case in Python)
maps like any other: its pages are in the shmem reverse map, so
MADV_PAGEOUT writes a mapped region to swap and the data comes back."""

import ctypes
import fcntl
import os
import struct
import tempfile
import threading

import pytest

from shmregion import Region

MADV_PAGEOUT = 21
LOOP_CTL_GET_FREE = 0x4C82
LOOP_SET_FD = 0x4C00
LOOP_CLR_FD = 0x4C01
REGION = 16 << 20
SWAP = 64 << 20
PAGE = os.sysconf("SC_PAGESIZE")

libc = ctypes.CDLL(None, use_errno=True)


def vmstat(key):
    with open("/proc/vmstat") as f:
        for line in f:
            k, v = line.split()
            if k == key:
                return int(v)
    raise KeyError(key)


@pytest.fixture
def swap():
    """Swap on a loop device over a tmpfs file, for the test's length."""
    if os.geteuid() != 0:
        pytest.skip("swapon needs root")
    try:
        ctl = os.open("/dev/loop-control", os.O_RDWR)
    except OSError as e:
        pytest.skip(f"no loop devices: {e}")
    nr = fcntl.ioctl(ctl, LOOP_CTL_GET_FREE)
    os.close(ctl)
    fd, path = tempfile.mkstemp(dir="/tmp")
    os.ftruncate(fd, SWAP)
    dev = f"/dev/loop{nr}"
    dfd = os.open(dev, os.O_RDWR)
    fcntl.ioctl(dfd, LOOP_SET_FD, fd)
    os.close(fd)
    # mkswap: a version-1 header, the signature at the page's end
    header = bytearray(PAGE)
    struct.pack_into("II", header, 1024, 1, SWAP // PAGE - 1)
    header[PAGE - 10:] = b"SWAPSPACE2"
    os.pwrite(dfd, bytes(header), 0)
    os.fsync(dfd)
    if libc.swapon(dev.encode(), 0):
        err = ctypes.get_errno()
        fcntl.ioctl(dfd, LOOP_CLR_FD)
        os.close(dfd)
        os.unlink(path)
        pytest.skip(f"no swap here: swapon: {os.strerror(err)}")
    yield
    libc.swapoff(dev.encode())
    fcntl.ioctl(dfd, LOOP_CLR_FD)
    os.close(dfd)
    os.unlink(path)


def test_pageout_with_a_thread_running(name, swap):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with Region.create(name, REGION) as r:
            pattern = bytes(range(256)) * (REGION // 256)
            view = memoryview(r)
            view[:] = pattern
            cbuf = (ctypes.c_char * REGION).from_buffer(view)
            before = vmstat("pswpout")
            ret = libc.madvise(ctypes.c_void_p(ctypes.addressof(cbuf)),
                               ctypes.c_size_t(REGION), MADV_PAGEOUT)
            assert ret == 0, os.strerror(ctypes.get_errno())
            out = vmstat("pswpout") - before
            del cbuf
            assert out >= REGION // PAGE * 9 // 10, f"pswpout +{out} pages"
            assert view == pattern
            view.release()
    finally:
        stop.set()
        thread.join()
