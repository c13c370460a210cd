"""Every table the platform hands out, as CSV or Excel workbook, with nothing a spreadsheet would run.

A cell whose text begins with =, +, -, @, a tab or a carriage return is a formula to Excel and LibreOffice
(`=HYPERLINK(...)` sends the reader's data away). In CSV such text gets a leading apostrophe; a workbook keeps
the text as it is, stored as text and marked "quote prefix" so that editing the cell does not turn it into a
formula either. Numbers stay numbers, negative ones too.
"""

import csv
import io
import re
from datetime import date, datetime
from numbers import Number

import xlsxwriter
from flask import Response

#: What makes a spreadsheet read the rest of the cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Text that is a plain number, such as "-3" or "-2.5": read as a number, never as a formula.
PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula(text: str) -> bool:
    """Tell whether a spreadsheet would take *text* for a formula."""
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)


def _is_number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def csv_cell(value) -> object:
    """Return *value* as a CSV cell: numbers as they are, days and times in ISO order, formula-like text behind an
    apostrophe."""
    if value is None:
        return ""
    if _is_number(value):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if is_formula(text) else text


def to_csv(rows: list[list]) -> bytes:
    """Return *rows* as CSV in UTF-8 with a byte order mark, which Excel needs to read accents."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(sheets: dict[str, list[list]]) -> bytes:
    """Return a workbook of one sheet per name in *sheets*, each first row in bold: numbers as numbers, days and
    times as Excel dates, all else as text."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as workbook:
        formats = {
            (bold, quoted): workbook.add_format({"bold": bold, "quote_prefix": quoted})
            for bold in (False, True)
            for quoted in (False, True)
        }
        days = {
            date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
            datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }
        for name, rows in sheets.items():
            worksheet = workbook.add_worksheet(name[:31])
            for number, row in enumerate(rows):
                for column, value in enumerate(row):
                    if _is_number(value):
                        worksheet.write_number(number, column, value, formats[number == 0, False])
                    elif isinstance(value, date):
                        worksheet.write_datetime(number, column, value, days[type(value)])
                    elif value is not None and value != "":
                        text = str(value)
                        worksheet.write_string(number, column, text, formats[number == 0, is_formula(text)])
            worksheet.freeze_panes(1, 0)
    return buffer.getvalue()


def to_file(rows: list[list], filename: str, sheet: str = "", more: dict[str, list[list]] | None = None) -> bytes:
    """Return *rows* as the content of *filename*: a workbook if it ends in .xlsx (with the sheets of *more* after
    theirs), else CSV."""
    if filename.endswith(".xlsx"):
        return to_xlsx({sheet or filename.rsplit(".", 1)[0]: rows, **(more or {})})
    return to_csv(rows)


def attachment(data: bytes, filename: str) -> Response:
    """Return the content of a file made by `to_file` as a download saved under *filename*."""
    return Response(
        data,
        mimetype=XLSX if filename.endswith(".xlsx") else "text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def download(rows: list[list], filename: str, sheet: str = "", more: dict[str, list[list]] | None = None) -> Response:
    """Return *rows* as a file to save (see `to_file`)."""
    return attachment(to_file(rows, filename, sheet, more), filename)
