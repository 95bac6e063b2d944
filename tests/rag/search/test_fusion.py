import pytest

from rag.search.fusion import reciprocal_rank_fusion


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
