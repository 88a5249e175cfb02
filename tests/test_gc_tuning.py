"""The server's collector settings (``salingjaga.core.gc_tuning``)."""

from __future__ import annotations

import gc

from salingjaga.core.gc_tuning import tune_gc


def test_tuning_freezes_the_warm_objects_once_and_raises_the_threshold():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        tune_gc(0)  # 0: Python's defaults stay
        assert gc.get_threshold() == (700, 10, 10)
        tune_gc(20000)
        assert gc.get_threshold() == (20000, 20, 50)
        frozen = gc.get_freeze_count()
        assert frozen > 0
        tune_gc(30000)  # a second app in the process does not freeze its garbage again
        assert gc.get_freeze_count() == frozen and gc.get_threshold()[0] == 30000
    finally:
        gc.set_threshold(*before)
