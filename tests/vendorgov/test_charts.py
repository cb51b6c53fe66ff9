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
