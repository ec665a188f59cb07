from saferschools.lib.csvfile import csv_cell


def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text():
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("-2+3") == "'-2+3"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("Oakwood School") == "Oakwood School"
    assert csv_cell(None) == ""
    assert csv_cell(12) == "12"
