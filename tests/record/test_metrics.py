"""works.metrics: pure functions, no database."""

from works.metrics import YearRow, bars, h_index, i10_index, per_year


def test_h_index():
    assert h_index([]) == 0
    assert h_index([0, 0]) == 0
    assert h_index([10, 8, 5, 4, 3]) == 4
    assert h_index([25, 8, 5, 3, 3]) == 3
    assert h_index([1]) == 1
    assert h_index([100] * 3) == 3


def test_unknown_counts_are_no_work_not_zero():
    assert h_index([None, None, 5, 5]) == 2
    assert i10_index([None, 10, 9, 11]) == 2


def test_per_year_fills_gaps_and_sums_citations():
    rows = per_year(
        [(2018, [[2019, 3], [2020, 1]]), (2018, None), (2020, [[2020, 2]]), (None, None)]
    )

    assert rows == [YearRow(2018, 2, 0), YearRow(2019, 0, 3), YearRow(2020, 1, 3)]
    assert per_year([(None, None)]) == []


def test_bars_fill_the_box():
    rows = [YearRow(2019, 1, 0), YearRow(2020, 4, 0)]

    works = bars(rows, field="works", width=100, height=50)
    assert [bar.height for bar in works] == [12.5, 50]
    assert works[1].y == 0
    assert [bar.height for bar in bars(rows, field="citations", width=100, height=50)] == [0, 0]
