"""CSV downloads: formulas neutralised, everything else left as it was."""

import csv
import io
from decimal import Decimal

from vendorgov.pages import csv_response


def cells(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_blank_cells_stay_blank_and_numbers_stay_numbers():
    rows = [["", None, 0, -3, Decimal("-3.5"), "-3.5", "+2", "1e-3", "12.", "99.95"]]
    assert cells(csv_response("x.csv", ["h"] * 10, rows))[1] == [
        "", "", "0", "-3", "-3.5", "-3.5", "+2", "1e-3", "12.", "99.95"]


def test_text_a_spreadsheet_would_run_is_neutralised():
    rows = [["=SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\tx", "\rx", "-",
             "- a bullet", "plain", "a=b"]]
    assert cells(csv_response("x.csv", ["h"] * 10, rows))[1] == [
        "'=SUM(A1:A9)", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(1)", "'\tx", "'\rx", "'-",
        "'- a bullet", "plain", "a=b"]
