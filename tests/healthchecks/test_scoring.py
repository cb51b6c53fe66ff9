"""The scoring rules, on plain values: figures, "don't know", anonymity, gaps, comparison."""

from healthchecks.scoring import Response, response_rate, score

DIMS = ["trust", "innovation", "outcomes"]
GROUPS = ["it", "business", "vendor"]


def answers(group, dimension, scores, *, start=0, comment=""):
    return [Response(f"{group}{i + start}", group, dimension, s, comment)
            for i, s in enumerate(scores)]


def test_a_figure_is_the_mean_of_respondents_with_spread_and_n():
    result = score(answers("it", "trust", [2, 4, 3]), dimensions=DIMS, groups=GROUPS)
    it = result.by_dimension["trust"].groups["it"]
    assert (it.mean, it.n, it.low, it.high) == (3.0, 3, 2, 4)
    assert it.stdev == 0.82


def test_dont_know_is_left_out_of_the_figure_and_of_n():
    rows = answers("it", "trust", [4, 4, 4, None])
    it = score(rows, dimensions=DIMS, groups=GROUPS).by_dimension["trust"].groups["it"]
    assert (it.mean, it.n) == (4.0, 3)


def test_a_respondents_several_answers_on_a_dimension_count_once():
    rows = [Response("a", "it", "trust", 5), Response("a", "it", "trust", 1),
            *answers("it", "trust", [3, 3], start=1)]
    it = score(rows, dimensions=DIMS, groups=GROUPS).by_dimension["trust"].groups["it"]
    assert (it.mean, it.n) == (3.0, 3)


def test_a_group_with_fewer_than_three_answers_shows_no_figure_and_no_comments():
    rows = (answers("vendor", "trust", [5, 5], comment="we are great")
            + answers("it", "trust", [2, 2, 3], comment="late again"))
    trust = score(rows, dimensions=DIMS, groups=GROUPS).by_dimension["trust"]
    assert trust.groups["vendor"].suppressed and trust.groups["vendor"].mean is None
    assert "vendor" not in trust.comments
    assert trust.comments["it"] == ["late again"] * 3
    assert trust.vendor.mean is None


def test_comments_are_listed_in_text_order_never_by_respondent():
    rows = [Response("z", "it", "trust", 3, "b"), Response("a", "it", "trust", 3, "c"),
            Response("m", "it", "trust", 3, "a")]
    trust = score(rows, dimensions=DIMS, groups=GROUPS).by_dimension["trust"]
    assert trust.comments["it"] == ["a", "b", "c"]


def test_perception_gaps_are_ranked_largest_first():
    rows = []
    for dim, ours, theirs in (("trust", 3, 4), ("innovation", 2, 5), ("outcomes", 4, 4)):
        rows += answers("it", dim, [ours] * 2) + answers("business", dim, [ours], start=5)
        rows += answers("vendor", dim, [theirs] * 3)
    gaps = score(rows, dimensions=DIMS, groups=GROUPS).gaps
    assert [g.dimension for g in gaps] == ["innovation", "trust", "outcomes"]
    assert (gaps[0].ours, gaps[0].vendor, gaps[0].gap) == (2.0, 5.0, -3.0)


def test_no_gap_where_one_side_has_fewer_than_three():
    rows = answers("it", "trust", [3, 3, 3]) + answers("vendor", "trust", [5, 5])
    assert score(rows, dimensions=DIMS, groups=GROUPS).gaps == []


def test_results_compare_with_the_previous_cycle():
    rows = answers("it", "trust", [4, 4, 4])
    trust = score(rows, dimensions=DIMS, groups=GROUPS,
                  previous={"trust": 3.5}).by_dimension["trust"]
    assert trust.change == 0.5
    assert score(rows, dimensions=DIMS, groups=GROUPS).by_dimension["trust"].change is None


def test_no_answers_give_no_figures_and_no_overall():
    result = score([], dimensions=DIMS, groups=GROUPS)
    assert result.overall is None and result.gaps == []
    assert all(not d.overall.shown for d in result.dimensions)


def test_response_rate_is_a_whole_percentage_and_none_without_invitations():
    assert response_rate(3, 2) == 67
    assert response_rate(0, 0) is None
