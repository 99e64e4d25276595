import gc

import pytest

from loaders.gc_pause import gc_paused, without_gc


def test_paused_inside_and_enabled_again_after_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with gc_paused():
            assert not gc.isenabled()
            raise ValueError("boom")
    assert gc.isenabled()


def test_nested_pause_leaves_the_restart_to_the_outermost() -> None:
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_decorated_function_runs_paused_and_returns_its_value() -> None:
    @without_gc
    def seen(x: int) -> tuple[int, bool]:
        return x * 2, gc.isenabled()

    assert seen(21) == (42, False)
    assert gc.isenabled()
