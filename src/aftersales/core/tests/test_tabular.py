"""Reading operator spreadsheets: file types, encodings, headers in Chinese or English."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from aftersales.core.tabular import (
    Column,
    ImportRefused,
    RowInvalid,
    bool_value,
    date_value,
    int_value,
    read_table,
)

EXCEL_DATE = dt.datetime(2026, 9, 3)  # noqa: DTZ001 - Excel cells carry no time zone
COLUMNS = (
    Column("code", "型号", "model", required=True),
    Column("name", "名称", "name"),
    Column("produced_on", "生产日期", "produced_on"),
)


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_with_chinese_headers_and_bom_is_read_with_spreadsheet_row_numbers():
    content = "\ufeff型号,名称,备注\nRC-30,智能电饭煲,x\n\nKT-17,电热水壶,y\n".encode()
    table = read_table(content=content, filename="models.csv", columns=COLUMNS)
    assert table.rows == [(2, {"code": "RC-30", "name": "智能电饭煲"}), (4, {"code": "KT-17", "name": "电热水壶"})]
    assert table.ignored_columns == ["备注"]


def test_gbk_csv_from_chinese_excel_is_decoded():
    content = "型号,名称\nRC-30,智能电饭煲\n".encode("gbk")
    table = read_table(content=content, filename="models.csv", columns=COLUMNS)
    assert table.rows[0][1]["name"] == "智能电饭煲"


def test_english_headers_in_any_case_and_spacing_are_accepted():
    table = read_table(content=b"Model , NAME\nRC-30,Rice cooker\n", filename="m.csv", columns=COLUMNS)
    assert table.rows[0][1] == {"code": "RC-30", "name": "Rice cooker"}


def test_tab_separated_export_is_read():
    table = read_table(content="型号\t名称\nRC-30\t智能电饭煲\n".encode(), filename="m.txt", columns=COLUMNS)
    assert table.rows[0][1] == {"code": "RC-30", "name": "智能电饭煲"}


def test_xlsx_cells_keep_dates_and_whole_numbers():
    content = xlsx([["型号", "名称", "生产日期"], ["RC-30", "智能电饭煲", EXCEL_DATE], [12.0, None, None]])
    table = read_table(content=content, filename="models.xlsx", columns=COLUMNS)
    assert table.rows[0] == (2, {"code": "RC-30", "name": "智能电饭煲", "produced_on": EXCEL_DATE})
    assert table.rows[1] == (3, {"code": 12, "name": None, "produced_on": None})


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"%PDF-1.4 not a sheet", "models.pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "models.xls"),
        (b"PK\x03\x04 broken zip", "models.xlsx"),
        (b"", "models.csv"),
        (b"\x00\x01\x02binary", "models.csv"),
    ],
)
def test_unusable_files_are_refused(content, filename):
    with pytest.raises(ImportRefused):
        read_table(content=content, filename=filename, columns=COLUMNS)


def test_missing_required_column_is_refused_naming_it():
    with pytest.raises(ImportRefused) as caught:
        read_table(content="名称\n智能电饭煲\n".encode(), filename="m.csv", columns=COLUMNS)
    assert "型号" in caught.value.message
    assert caught.value.detail["missing"] == ["code"]


def test_two_headers_for_the_same_column_are_refused():
    with pytest.raises(ImportRefused):
        read_table(content="型号,model\nA,B\n".encode(), filename="m.csv", columns=COLUMNS)


@pytest.mark.parametrize("raw", ["2026-09-03", "2026/9/3", "20260903", "2026年9月3日", dt.date(2026, 9, 3)])
def test_dates_in_the_usual_chinese_spellings(raw):
    assert date_value(raw, column="d") == dt.date(2026, 9, 3)


def test_bad_values_raise_row_errors():
    with pytest.raises(RowInvalid):
        date_value("下周", column="d")
    with pytest.raises(RowInvalid):
        int_value("12.5", column="n")
    with pytest.raises(RowInvalid):
        bool_value("也许", column="b")
    assert int_value("24", column="n") == 24
    assert bool_value("是", column="b") is True
    assert bool_value("否", column="b") is False
