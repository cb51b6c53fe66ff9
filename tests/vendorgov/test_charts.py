import re

import pytest

from vendorgov import charts


def test_sparkline_breaks_the_line_at_missing_data_instead_of_dropping_to_zero():
    svg = charts.sparkline([1, 2, None, 4, 5], label="trend")
    assert svg.count("<path") == 2
    assert "<title>trend</title>" in svg


def test_sparkline_with_no_data_says_so():
    assert "No data" in charts.sparkline([None, None])


def test_line_chart_describes_every_point_for_screen_readers():
    svg = charts.line_chart(["Q1", "Q2"], [charts.Series("Acme", [80, None])], unit="%",
                            title="Overall score")
    assert "<desc>Acme: Q1 80%, Q2 no data.</desc>" in svg
    assert "<title>Overall score</title>" in svg


def test_chart_text_is_escaped():
    svg = charts.line_chart(["<b>"], [charts.Series("<script>", [1])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def labels(low, high):
    return [text for _, text in charts.ticks(low, high)]


@pytest.mark.parametrize(("low", "high", "expected"), [
    (99.5, 100, ["99.5", "99.6", "99.7", "99.8", "99.9", "100.0"]),
    (99.95, 100, ["99.95", "99.96", "99.97", "99.98", "99.99", "100.00"]),
    (99.41, 99.59, ["99.45", "99.50", "99.55"]),
    (0, 100, ["0", "20", "40", "60", "80", "100"]),
    (0, 1, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
    (0.1, 0.35, ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"]),
    (2.2, 13.5, ["4", "6", "8", "10", "12"]),
    (-0.3, 0.3, ["-0.2", "0.0", "0.2"]),
    (0, 292000, ["0", "50000", "100000", "150000", "200000", "250000"]),
])
def test_axis_ticks_are_round_values_with_decimals_chosen_from_the_range(low, high, expected):
    assert labels(low, high) == expected


@pytest.mark.parametrize(("low", "high"), [(99.5, 100), (99.95, 100), (99.99, 100), (0, 1e-9),
                                           (3, 3.0000001), (-5, 5), (0, 7), (12, 12.5),
                                           (1000, 1001), (0.001, 0.0012)])
def test_axis_tick_labels_are_distinct_inside_the_range_and_evenly_spaced(low, high):
    found = charts.ticks(low, high)
    texts = [text for _, text in found]
    assert 2 <= len(found) <= 6
    assert len(set(texts)) == len(texts), texts
    assert all(low - 1e-12 <= value <= high + 1e-12 for value, _ in found)
    assert all(abs(float(text) - value) < 1e-9 * max(1, abs(value)) for value, text in found)
    gaps = {round(b - a, 12) for (a, _), (b, _) in zip(found, found[1:], strict=False)}
    assert len(gaps) == 1


def test_line_chart_labels_a_narrow_percentage_axis_without_repeating_itself():
    svg = charts.line_chart(["Jan", "Feb", "Mar"], [charts.Series("Uptime", [99.97, 99.99,
                                                                             99.96])],
                            low=99.95, high=100, unit="%")
    axis = re.findall(r'text-anchor="end" fill="#495057">([^<]*)</text>', svg)
    assert axis == ["99.95%", "99.96%", "99.97%", "99.98%", "99.99%", "100.00%"]
    # "100.00%" needs more room on the left than the usual 44 px.
    plot_starts = float(re.search(r'<line x1="([\d.]+)"', svg).group(1))
    assert plot_starts >= 6 + 6 * len("100.00%") > 44


def test_small_multiples_draw_their_shared_axes_once_and_each_chart_like_a_line_chart():
    """A page of vendors' trends: the axes, bands, labels and legend are one symbol drawn by
    every chart, which adds only its own title, description and line."""
    labels, bands = ["Q1", "Q2", "Q3", ""], [(70, 100, "green"), (0, 40, "red")]
    rows = [(f"Overall score of {name}", charts.Series("Overall score", values))
            for name, values in (("A & B", [10.0, None, 90.0]), ("C", [50.0, 60.0, 70.0]))]
    axes, drawn = charts.small_multiples(labels, rows, symbol_id="axes", low=0, high=100,
                                         bands=bands, width=360, height=170)
    assert axes.count("<symbol") == 1 and 'aria-hidden="true"' in axes
    symbol = axes[axes.index(">", axes.index("<symbol")) + 1:axes.index("</symbol>")]
    for (title, series), svg in zip(rows, drawn, strict=True):
        whole = charts.line_chart(labels, [series], low=0, high=100, bands=bands, width=360,
                                  height=170, title=title)
        own = svg.replace('<use href="#axes" width="360" height="170"/>', "")
        # The same picture: what the line chart draws is the chart's own or the symbol's.
        assert sorted(_elements(whole)) == sorted(_elements(own) + _elements(symbol))
        assert "<title>Overall score of A &amp; B</title>" in drawn[0]
        assert len(svg) < len(whole) / 2


def _elements(svg: str) -> list[str]:
    return re.findall(r"<(?:rect|line|text|path|circle|title|desc)\b.*?(?:/>|</\w+>)", svg)
