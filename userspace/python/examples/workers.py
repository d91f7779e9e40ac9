#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""workers.py: split a long task across processes that share one region.

    python3 workers.py [--size WIDTHxHEIGHT] [--iterations N] [--runs R]
                       [--out FILE.pgm] [N]

The Python twin of userspace/examples/workers.c: the coordinator creates
a region holding the job (a header, then the picture's pixels), starts
multiprocessing workers that attach to it by name, and sleeps in
Region.wait() until they report rows done. Each worker takes the next
chunk of rows from a work counter in the region, computes it with numpy
and writes it straight into a numpy view of the region (no pickling, no
pipes), then calls notify(). Python has no atomic fetch-and-add on shared
memory, so a multiprocessing.Lock guards the two counters; the pixels
need none, each row has one writer.

It times 1..N workers (default 4) against one process without a region,
R times each (default 3), and prints the median times as workers.c does.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time

import numpy as np

import shmregion

HEADER = 64                      # bytes before the pixels
NEXT, DONE, JOINED = 0, 1, 2     # uint32 counters in the header
CHUNK = 8                        # rows a worker takes at a time


def render(rows, width, height, max_iter):
    """The pixels of ROWS (a range) of the picture, as uint8 rows."""
    step = 3.0 / width
    xs = -2.2 + step * np.arange(width)
    ys = -step * height / 2 + step * np.arange(rows.start, rows.stop)
    c = xs[None, :] + 1j * ys[:, None]
    z = np.zeros_like(c)
    count = np.full(c.shape, max_iter, dtype=np.int64)
    alive = np.ones(c.shape, dtype=bool)
    for i in range(max_iter):
        z[alive] = z[alive] ** 2 + c[alive]
        escaped = alive & (z.real ** 2 + z.imag ** 2 > 4)
        count[escaped] = i + 1
        alive &= ~escaped
        if not alive.any():
            break
    # brighter the longer a point takes to escape (log scale), the set black
    pixels = (255 * np.log(count + 1) / np.log(max_iter + 1)).astype(np.uint8)
    pixels[count == max_iter] = 0
    return pixels


def views(region, width, height):
    counters = np.frombuffer(region, dtype=np.uint32, count=4)
    pixels = np.frombuffer(region, dtype=np.uint8, count=width * height,
                           offset=HEADER).reshape(height, width)
    return counters, pixels


def work(name, lock, width, height, max_iter):
    """A worker: attach by name, take chunks of rows until none are left."""
    with shmregion.Region.attach(name) as region:
        counters, pixels = views(region, width, height)
        with lock:
            counters[JOINED] += 1
        while True:
            with lock:
                first = int(counters[NEXT])
                counters[NEXT] = first + CHUNK
            if first >= height:
                break
            rows = range(first, min(first + CHUNK, height))
            pixels[rows.start:rows.stop] = render(rows, width, height, max_iter)
            with lock:
                counters[DONE] += len(rows)
            region.notify()
        del counters, pixels


def run(n, width, height, max_iter):
    """One timed run with N workers; returns (seconds, the picture)."""
    name = f"workers-py.{os.getpid()}"
    ctx = multiprocessing.get_context("fork")
    lock = ctx.Lock()
    with shmregion.Region.create(name, HEADER + width * height,
                                 exclusive=True, transient=True) as region:
        counters, pixels = views(region, width, height)
        seq = region.seq
        start = time.monotonic()
        procs = [ctx.Process(target=work, args=(name, lock, width, height,
                                                max_iter))
                 for _ in range(n)]
        for p in procs:
            p.start()
        shown = 0
        print(f"  {n:2} worker{'s' if n > 1 else ' '}:", end="", flush=True)
        while True:
            with lock:
                done = int(counters[DONE])
            while shown + 25 <= 100 * done // height:
                shown += 25
                print(f" {shown}%", end="", flush=True)
            if done == height:
                break
            seq = region.wait(seq, timeout=60)   # TimeoutError: no progress
        for p in procs:
            p.join()
        elapsed = time.monotonic() - start
        print()
        if any(p.exitcode for p in procs):
            sys.exit("workers.py: a worker failed")
        picture = pixels.copy()
        del counters, pixels
    return elapsed, picture


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workers", nargs="?", type=int, default=4)
    ap.add_argument("--size", default="320x240")
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="mandelbrot-py.pgm")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    if not 1 <= args.workers <= 64:
        ap.error("workers: 1..64")
    if not 1 <= args.runs <= 15:
        ap.error("--runs: 1..15")

    print(f"A {width}x{height} picture, at most {args.iterations} iterations"
          f" a pixel, by 1..{args.workers} multiprocessing workers,"
          f" {args.runs} runs each:")
    # the baseline: one process, the same chunks, a plain numpy array
    one = np.empty((height, width), dtype=np.uint8)
    ts = []
    for _ in range(args.runs):
        start = time.monotonic()
        for first in range(0, height, CHUNK):
            rows = range(first, min(first + CHUNK, height))
            one[rows.start:rows.stop] = render(rows, width, height,
                                               args.iterations)
        ts.append(time.monotonic() - start)
    t_one = statistics.median_low(ts)

    times, same = [], True
    for n in range(1, args.workers + 1):
        ts = []
        for _ in range(args.runs):
            t, picture = run(n, width, height, args.iterations)
            ts.append(t)
            same = same and np.array_equal(picture, one)
        times.append(statistics.median_low(ts))
    with open(args.out, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (width, height) + picture.tobytes())

    print("\n| workers            | wall time (ms, median) | speedup |")
    print("|--------------------|------------------------|---------|")
    print(f"| one process        | {t_one * 1e3:22.0f} |    1.00 |")
    for n, t in enumerate(times, 1):
        print(f"| {n:2}                 | {t * 1e3:22.0f} | {t_one / t:7.2f} |")
    print(f"\n{args.out}: {width}x{height}; " +
          ("every run made the same picture as one process" if same else
           "the runs made DIFFERENT pictures"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
