"""The WSGI entry point settles the loaded heap so full collections stop walking it."""

from __future__ import annotations

import gc


def test_settling_the_heap_freezes_what_is_loaded_and_collects_young_objects_less_often() -> None:
    # Given the WSGI module (importing it settles the heap once) and a heap thawed again
    from invoice_assistant.wsgi import settle_heap

    threshold = gc.get_threshold()
    gc.unfreeze()
    try:
        # When the heap is settled
        settle_heap()

        # Then the loaded project sits in the permanent generation, out of every scan,
        # and the young generation's threshold is raised from the default 700, moderately
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (2_000, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
