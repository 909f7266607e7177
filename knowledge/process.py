"""Process-wide garbage-collector policy, set once by the entry point (``bot.py`` via
``handlers.app.serve``, and the benchmarks).

Nothing in the knowledge layer calls this: opening or closing a store never
changes process-wide state. It lives here, beside the data it is tuned for, so
the bot and the benchmarks share one definition.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def long_lived_objects() -> Iterator[None]:
    """Build the data the process keeps for its whole life (the store, the index) in this block.

    Loading 100,000 facts makes millions of objects that stay alive as long as
    the process. With the cyclic collector running it rescans them again and
    again (loading takes twice as long), and every later full collection would
    scan them all again on the event loop (~0.4 s at 100,000 facts). So: collect
    what is garbage now, build with the collector off, then freeze what the
    block built out of its way. Freezing keeps nothing alive: reference counting
    still frees an object that is dropped. If the block fails, nothing is frozen.
    """
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
