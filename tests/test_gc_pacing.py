"""`fewer_collections`: fewer collector passes inside the block, everything as it was after
it, and a reference cycle still collectable."""

from __future__ import annotations

import gc

import pytest

from log_analyzer.gc_pacing import YOUNG_THRESHOLD, fewer_collections


def test_passes_are_rarer_inside_and_as_before_after() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        inside = gc.get_threshold()
        frozen = gc.get_freeze_count()
    assert inside == (max(before[0], YOUNG_THRESHOLD), before[1], before[2])
    assert frozen > 0  # what existed before the block (this module, the imports) is set aside
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_when_the_block_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_nested_blocks_restore_the_outer_thresholds() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        outer = gc.get_threshold()
        with fewer_collections():
            pass
        assert gc.get_threshold() == outer
    assert gc.get_threshold() == before


def test_a_cycle_made_inside_is_still_collected() -> None:
    class Node:
        other: object = None

    with fewer_collections():
        first, second = Node(), Node()
        first.other, second.other = second, first
        del first, second
        assert gc.collect() >= 2  # a pass asked for still frees the cycle
