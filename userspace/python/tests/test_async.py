# SPDX-License-Identifier: GPL-2.0
"""asyncio: the fd with loop.add_reader, and the async iterator."""

import asyncio
import multiprocessing
import selectors

import shmregion
from shmregion import Region


def test_selectors_see_an_update(name):
    with Region.create(name, 4096) as r, Region.attach(name) as other:
        sel = selectors.DefaultSelector()
        sel.register(r.fileno(), selectors.EVENT_READ)
        assert sel.select(timeout=0) == []
        other.notify()
        assert len(sel.select(timeout=60)) == 1
        sel.close()


def test_add_reader_wakes_the_loop(name):
    async def main(r, other):
        loop = asyncio.get_running_loop()
        woke = loop.create_future()
        loop.add_reader(r.fileno(), lambda: woke.done() or woke.set_result(r.seq))
        loop.call_soon(other.notify)
        try:
            return await asyncio.wait_for(woke, 60)
        finally:
            loop.remove_reader(r.fileno())
    with Region.create(name, 4096) as r, Region.attach(name) as other:
        assert asyncio.run(main(r, other)) == 1


def test_async_iterator_yields_each_update(name):
    async def main(r, other):
        got = []

        async def notifier():
            for _ in range(3):
                other.notify()
                # let the iterator see each one before the next
                while r.seq != len(got):
                    await asyncio.sleep(0)
        task = asyncio.create_task(notifier())
        async for seq in r:
            got.append(seq)
            if seq == 3:
                break
        await task
        return got
    with Region.create(name, 4096) as r, Region.attach(name) as other:
        got = asyncio.run(asyncio.wait_for(main(r, other), 60))
        assert got[-1] == 3 and got == sorted(set(got))


def test_async_iterator_from_another_process(name):
    def child():
        with Region.attach(name) as c:
            memoryview(c)[0] = 77
            c.notify()

    async def main(r):
        # the iterator first: it starts from the sequence before the child's
        # notify (a child started first may notify before it exists)
        updates = r.updates()
        # forked from the loop's thread, joined without blocking the loop
        p = multiprocessing.get_context("fork").Process(target=child)
        p.start()
        async for seq in updates:
            await asyncio.get_running_loop().run_in_executor(None, p.join)
            return seq, memoryview(r)[0], p.exitcode
    with Region.create(name, 4096) as r:
        assert asyncio.run(asyncio.wait_for(main(r), 60)) == (1, 77, 0)


def test_async_iterator_starts_from_given_seq(name):
    async def main(r):
        async for seq in r.updates(0):
            return seq
    with Region.create(name, 4096) as r:
        r.notify()
        r.notify()
        assert asyncio.run(asyncio.wait_for(main(r), 60)) == 2


def test_async_iterator_ends_at_unlink(name):
    async def main(r):
        asyncio.get_running_loop().call_soon(shmregion.unlink, name)
        return [seq async for seq in r]
    with Region.create(name, 4096) as r:
        assert asyncio.run(asyncio.wait_for(main(r), 60)) == []


def test_other_tasks_run_while_iterating(name):
    async def main(r, other):
        ticks = 0

        async def ticker():
            nonlocal ticks
            for _ in range(5):
                ticks += 1
                await asyncio.sleep(0)
            other.notify()
        t = asyncio.create_task(ticker())
        async for seq in r:
            await t
            return seq, ticks
    with Region.create(name, 4096) as r, Region.attach(name) as other:
        assert asyncio.run(asyncio.wait_for(main(r, other), 60)) == (1, 5)
