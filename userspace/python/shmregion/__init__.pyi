# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
from typing import AsyncIterator

from ._shmregion import (CREATED as CREATED, HUGE as HUGE, LAZY as LAZY,
                         NAME_MAX as NAME_MAX, RDONLY as RDONLY,
                         TRANSIENT as TRANSIENT, UNLINKED as UNLINKED,
                         RegionInfo as RegionInfo,
                         list_regions as list_regions, unlink as unlink)
from ._shmregion import Region as _Region

class Region(_Region):
    def updates(self, seq: int | None = None) -> AsyncIterator[int]: ...
    def __aiter__(self) -> AsyncIterator[int]: ...
