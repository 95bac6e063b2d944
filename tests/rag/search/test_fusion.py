import pytest

from rag.search.fusion import THEME_GAP, reciprocal_rank_fusion, theme_fits


def test_items_in_both_lists_rise_to_the_top() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "d", "a"]])
    assert [key for key, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 63)


def test_single_list_keeps_its_order_and_scores_fall() -> None:
    fused = reciprocal_rank_fusion([[3, 1, 2]])
    assert [k for k, _ in fused] == [3, 1, 2]
    assert fused[0][1] > fused[1][1] > fused[2][1]


def test_ties_break_by_best_rank_then_first_seen() -> None:
    fused = reciprocal_rank_fusion([["x", "y"], ["y", "x"]])
    assert [k for k, _ in fused] == ["x", "y"]  # equal scores, equal best rank: first seen wins
    assert fused[0][1] == fused[1][1]


def test_weights_and_empty_inputs() -> None:
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []
    fused = reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0, 2.0])
    assert [k for k, _ in fused] == ["b", "a"]
    with pytest.raises(ValueError, match="2 weights for 1"):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 1.0])


def test_a_theme_fits_when_its_nearest_comment_is_about_as_near_as_any() -> None:
    nearest = {1: 0.80, 2: 0.70, 3: 0.40}
    assert theme_fits(nearest, {3: 0.62, 4: 0.50}, max_gap=0.2)  # 0.18 behind
    assert theme_fits(nearest, {1: 0.80}, max_gap=0.0)  # the nearest comment is tagged
    assert not theme_fits(nearest, {3: 0.55, 4: 0.50}, max_gap=0.2)  # 0.25 behind
    assert not theme_fits({1: 0.9}, {2: 0.1})  # the default gap is THEME_GAP
    assert theme_fits({1: 0.9}, {2: 0.9 - THEME_GAP / 2})
    # The best of each leg counts, whatever order the mappings come in.
    assert theme_fits({3: 0.1, 1: 0.8}, {5: 0.05, 4: 0.7}, max_gap=0.15)


def test_a_theme_stands_when_there_is_nothing_to_compare() -> None:
    assert theme_fits({}, {1: 0.1}, max_gap=0.0)
    assert theme_fits({1: 0.9}, {}, max_gap=0.0)
