# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""Named shared-memory regions with a wait-on-update signal.

A Python binding of libshmregion, for the shmregion kernel module
(/dev/shmregion)::

    import shmregion, numpy as np

    with shmregion.Region.create("frames", 1 << 20) as r:    # producer
        a = np.frombuffer(r, dtype=np.uint8)                  # a view, no copy
        a[:5] = 1
        r.notify()

    with shmregion.Region.attach("frames", readonly=True) as r:   # consumer
        seq = r.wait(0)              # returns at once: there was an update
        print(bytes(memoryview(r)[:5]))

Errors are OSError subclasses with errno set: FileNotFoundError,
PermissionError, FileExistsError, TimeoutError, ...
"""

import asyncio
import errno
import os

from ._shmregion import (CREATED, HUGE, LAZY, NAME_MAX, RDONLY, TRANSIENT,
                         UNLINKED, RegionInfo, list_regions, unlink)
from ._shmregion import Region as _Region

__all__ = ["Region", "RegionInfo", "list_regions", "unlink", "LAZY",
           "TRANSIENT", "HUGE", "RDONLY", "UNLINKED", "CREATED", "NAME_MAX"]


class Region(_Region):
    __doc__ = _Region.__doc__
    __slots__ = ()

    def updates(self, seq=None):
        """An async iterator of the region's new sequence numbers.

        ``async for seq in r.updates():`` yields each time the sequence
        differs from the last one yielded (from SEQ, default: the current
        one, so the first yield is the next update). Several notify()
        calls between two yields are one yield, as for wait(). It ends
        when the region is unlinked. It waits with loop.add_reader() on
        fileno(), which it puts in non-blocking mode, so the event loop
        runs other tasks meanwhile.
        """
        return _Updates(self, self.seq if seq is None else seq)

    def __aiter__(self):
        """``async for seq in r``: the same as ``r.updates()``."""
        return self.updates()


class _Updates:
    """The async iterator that Region.updates() returns."""

    def __init__(self, region, seq):
        self._region = region
        self._seq = seq

    def __aiter__(self):
        return self

    async def __anext__(self):
        r = self._region
        fd = r.fileno()
        os.set_blocking(fd, False)
        loop = asyncio.get_running_loop()
        while True:
            try:
                self._seq = r.wait(self._seq, timeout=0)
                return self._seq
            except TimeoutError:
                pass
            except OSError as e:
                if e.errno == errno.EIDRM:
                    raise StopAsyncIteration from None
                raise
            ready = loop.create_future()
            loop.add_reader(fd, _wake, ready)
            try:
                await ready
            finally:
                loop.remove_reader(fd)
            # Consume what woke us, so that the fd is not readable again
            # for the same update; the sequence itself comes from wait().
            try:
                os.read(fd, 8)
            except BlockingIOError:
                pass
            except OSError as e:
                if e.errno != errno.EIDRM:
                    raise


def _wake(future):
    if not future.done():
        future.set_result(None)
