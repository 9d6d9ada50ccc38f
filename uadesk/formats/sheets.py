"""Spreadsheets the desk writes (CSV, XLSX): every cell opens as the text it holds, never as a formula."""

import csv
import io

# A spreadsheet reads a cell starting with one of these as a formula (TAB and CR are dropped before it
# reads on): a name typed by an organiser, a token holder or a UA document could then send the sheet's
# other cells to any address, or run a command (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# XlsxWriter would otherwise write a string starting with = as a formula and one that looks like a
# link as a hyperlink; every string stays a string.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def csv_cell(value):
    """The cell as a CSV must carry it: text that would start a formula gets a ' in front, which
    spreadsheets show as text and do not display; numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows) -> str:
    """Rows (the header first) as CSV text, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def workbook(target):
    """An XlsxWriter workbook (use it in a with block) whose strings are only ever strings."""
    import xlsxwriter  # loaded only when a workbook is made

    return xlsxwriter.Workbook(target, {"in_memory": True, **WORKBOOK_OPTIONS})
