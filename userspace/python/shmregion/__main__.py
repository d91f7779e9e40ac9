# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""python -m shmregion: the regions as a table, as `shmregion list` prints."""

import pwd
import sys

from . import list_regions


def _owner(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv not in ([], ["list"]):
        print("usage: python -m shmregion [list]", file=sys.stderr)
        return 2
    try:
        regions = list_regions()
    except OSError as e:
        print(f"shmregion: list: {e.strerror}", file=sys.stderr)
        return 1
    rows = [(r.name, str(r.size), _owner(r.uid), f"{r.mode:04o}",
             str(r.handles), str(r.seq)) for r in regions]
    head = ("NAME", "SIZE", "OWNER", "MODE", "ATTACHED", "SEQUENCE")
    width = [max([len(head[i])] + [len(row[i]) for row in rows])
             for i in range(5)]
    for row in [head] + rows:
        print(f"{row[0]:<{width[0]}}  {row[1]:>{width[1]}}  "
              f"{row[2]:<{width[2]}}  {row[3]:<4}  {row[4]:>{width[4]}}  "
              f"{row[5]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
