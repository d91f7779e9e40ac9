# SPDX-License-Identifier: GPL-2.0
"""Every error the binding raises, provoked: the OSError subclass and errno."""

import ctypes
import errno
import os

import pytest

import shmregion
from shmregion import Region

from helpers import in_child


def _errno(excinfo, value, subclass=OSError):
    assert type(excinfo.value) is subclass, type(excinfo.value)
    assert excinfo.value.errno == value


def test_attach_missing_is_file_not_found(name):
    with pytest.raises(FileNotFoundError) as e:
        Region.attach(name)
    _errno(e, errno.ENOENT, FileNotFoundError)
    assert e.value.filename == name


def test_unlink_missing_is_file_not_found(name):
    with pytest.raises(FileNotFoundError) as e:
        shmregion.unlink(name)
    _errno(e, errno.ENOENT, FileNotFoundError)


def test_create_exclusive_existing_is_file_exists(name):
    with Region.create(name, 4096):
        with pytest.raises(FileExistsError) as e:
            Region.create(name, 4096, exclusive=True)
        _errno(e, errno.EEXIST, FileExistsError)


def test_create_existing_too_small_is_einval(name):
    with Region.create(name, 4096):
        with pytest.raises(OSError) as e:
            Region.create(name, 3 * 4096)
        _errno(e, errno.EINVAL)


@pytest.mark.parametrize("bad", ["", "a/b", "x" * 64, "tab\there"])
def test_bad_names_are_einval(bad):
    for call in (lambda: Region.create(bad, 4096), lambda: Region.attach(bad),
                 lambda: shmregion.unlink(bad)):
        with pytest.raises(OSError) as e:
            call()
        _errno(e, errno.EINVAL)


def test_name_with_nul_is_value_error():
    for call in (lambda: Region.create("a\0b", 4096), lambda: Region.attach("a\0b"),
                 lambda: shmregion.unlink("a\0b")):
        with pytest.raises(ValueError):
            call()


@pytest.mark.parametrize("bad", [b"bytes", 5, None])
def test_name_not_str_is_type_error(bad):
    for call in (lambda: Region.create(bad, 4096), lambda: Region.attach(bad),
                 lambda: shmregion.unlink(bad)):
        with pytest.raises(TypeError):
            call()


def test_size_zero_is_einval(name):
    with pytest.raises(OSError) as e:
        Region.create(name, 0)
    _errno(e, errno.EINVAL)


def test_size_over_the_limit_is_e2big(name):
    with open("/sys/module/shmregion/parameters/max_region_bytes") as f:
        limit = int(f.read())
    with pytest.raises(OSError) as e:
        Region.create(name, limit + 4096)
    _errno(e, errno.E2BIG)


@pytest.mark.parametrize("size,exc", [(-1, OverflowError), (1 << 64, OverflowError),
                                      (4096.0, TypeError), ("4096", TypeError)])
def test_bad_size_type(name, size, exc):
    with pytest.raises(exc):
        Region.create(name, size)


@pytest.mark.parametrize("mode", [0o777, 0o1600, 0o700])
def test_mode_outside_0666_is_einval(name, mode):
    with pytest.raises(OSError) as e:
        Region.create(name, 4096, mode)
    _errno(e, errno.EINVAL)


def test_negative_mode_is_overflow(name):
    with pytest.raises(OverflowError):
        Region.create(name, 4096, -1)


def _as_nobody(fn):
    def run():
        os.setgid(65534)
        os.setuid(65534)
        return fn()
    return run


def test_attach_without_permission_is_permission_error(name):
    with Region.create(name, 4096, 0o600):
        def attach():
            try:
                Region.attach(name)
            except PermissionError as e:
                return type(e).__name__, e.errno
        assert in_child(_as_nobody(attach)) == ("PermissionError", errno.EACCES)


def test_readonly_attach_of_0644_works_but_write_does_not(name):
    with Region.create(name, 4096, 0o644):
        def attach():
            with Region.attach(name, readonly=True) as r:
                ro = r.readonly
            try:
                Region.attach(name)
            except PermissionError as e:
                return ro, e.errno
        assert in_child(_as_nobody(attach)) == (True, errno.EACCES)


def test_unlink_by_another_user_is_permission_error(name):
    with Region.create(name, 4096, 0o666):
        def unlink():
            try:
                shmregion.unlink(name)
            except PermissionError as e:
                return e.errno
        assert in_child(_as_nobody(unlink)) == errno.EPERM


def test_notify_readonly_is_permission_error(name):
    with Region.create(name, 4096), Region.attach(name, readonly=True) as r:
        with pytest.raises(PermissionError) as e:
            r.notify()
        _errno(e, errno.EACCES, PermissionError)


def test_no_module_is_enodev(name):
    """With /dev hidden (a private mount namespace), the library says ENODEV."""
    def hidden():
        libc = ctypes.CDLL(None, use_errno=True)
        CLONE_NEWNS, MS_REC, MS_PRIVATE = 0x20000, 0x4000, 0x40000
        assert libc.unshare(CLONE_NEWNS) == 0, ctypes.get_errno()
        assert libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) == 0
        assert libc.mount(b"none", b"/dev", b"tmpfs", 0, None) == 0
        out = []
        for call in (lambda: Region.attach(name), lambda: Region.create(name, 4096),
                     shmregion.list_regions, lambda: shmregion.unlink(name)):
            try:
                call()
            except OSError as e:
                out.append((type(e).__name__, e.errno))
        return out
    assert in_child(hidden) == [("OSError", errno.ENODEV)] * 4


def test_closed_region_is_value_error(name):
    r = Region.create(name, 4096)
    r.close()
    r.close()                     # twice is fine
    for call in (r.notify, lambda: r.wait(0), r.info, r.fileno,
                 lambda: r.seq, lambda: r.size, lambda: memoryview(r),
                 lambda: len(r), lambda: r.__enter__()):
        with pytest.raises(ValueError):
            call()
    assert r.name == name and r.closed


def test_region_cannot_be_instantiated():
    with pytest.raises(TypeError):
        Region()
    with pytest.raises(TypeError):
        Region("x", 4096)
