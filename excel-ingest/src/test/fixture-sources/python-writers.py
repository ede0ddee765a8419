# Writes the fixtures of two Python writers under ../resources/fixtures, with Debian 12's python3-openpyxl (3.0.9)
# and python3-xlsxwriter (3.0.2). Run from this folder: python3 python-writers.py
#
# openpyxl-title-and-types.xlsx: a title merged over the header's width and a date above the header, a blank line,
#   the header under synonyms with an extra column; inline strings; a row whose five fields are blank (a remark only);
#   a hidden row of number cells; a formula that openpyxl writes without a cached value; an error cell and a boolean.
# xlsxwriter-constant-memory.xlsx: an instructions sheet first, the data on the second; inline strings (the
#   constant-memory mode); a formula with its cached text, a number, a date in a yyyy-mm-dd format.
# xlsxwriter-rich-strings-table.xlsx: shared strings, a rich string (two runs), a table over the list, frozen panes,
#   a 16-digit NID and a phone number as number cells.
# openpyxl-iso-dates.xlsx: openpyxl with iso_dates=True, which writes date cells as ISO 8601 text (t="d"): a date, a
#   date and time, a time of day.
# xlsxwriter-escapes.xlsx, xlsxwriter-escapes-inline.xlsx: texts written with _xHHHH_ escapes (below).
# openpyxl-chart-sheet-first.xlsx: a chart sheet before the only worksheet (below).
import datetime

import openpyxl
import xlsxwriter
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

OUT = "../resources/fixtures/"
PEOPLE = [
    ["Alice Uwase", "1199070012345601", "0788123456", "F", "alice@example.rw"],
    ["Jean Bosco", "1199880012345678", "+250 722 123 456", "M", "jb@example.rw"],
    ["Espérance Mukamana", "1199870012345611", "0733123456", "Female", "esperance@example.rw"],
]

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Members"
ws["A1"] = "Members of the cooperative, 2024"
ws["A1"].font = Font(bold=True)
ws.merge_cells("A1:F1")
ws["A2"] = datetime.date(2024, 1, 15)
ws.append([])
ws.append(["Full Name", "National ID", "Phone No.", "Sex", "E-mail:", "Remarks"])
for person in PEOPLE:
    ws.append(person + ["first visit"])
ws.append([None, None, None, None, None, "left blank"])
ws.append(["Claude Niyonsaba", 1199780012345622, 788123499, "M", "claude@example.rw"])
ws.row_dimensions[9].hidden = True
ws.append(["Grace Ingabire", '="1199870012345699"', "0788000000", "F", "grace@example.rw"])
ws.append(["Eric Mugisha", "#N/A", "0788111222", True, "eric@example.rw"])
wb.save(OUT + "openpyxl-title-and-types.xlsx")

wb = openpyxl.Workbook(iso_dates=True)
ws = wb.active
ws.append(["Names", "NID", "Phone", "Gender", "Email", "Born"])
ws.append(PEOPLE[0] + [datetime.date(1990, 3, 17)])
ws.append(["Iso Person", "1199880012345679", "0788123457", datetime.datetime(2024, 3, 17, 13, 45), "iso@example.rw",
           datetime.time(13, 45)])
wb.save(OUT + "openpyxl-iso-dates.xlsx")

wb = xlsxwriter.Workbook(OUT + "xlsxwriter-constant-memory.xlsx", {"constant_memory": True})
wb.add_worksheet("Instructions").write(0, 0, "Fill in the list on the next sheet, one person a row.")
ws = wb.add_worksheet("Data")
ws.write_row(0, 0, ["Names", "NID", "Phone", "Gender", "Email"])
for r, person in enumerate(PEOPLE, start=1):
    ws.write_row(r, 0, person)
ws.write_formula(4, 0, '=PROPER("eric mugisha")', None, "Eric Mugisha")
ws.write_string(4, 1, "1199980012345699")
ws.write_number(4, 2, 788123456)
ws.write_datetime(4, 3, datetime.datetime(2024, 2, 29), wb.add_format({"num_format": "yyyy-mm-dd"}))
ws.write_string(4, 4, "eric@example.rw")
wb.close()

wb = xlsxwriter.Workbook(OUT + "xlsxwriter-rich-strings-table.xlsx")
ws = wb.add_worksheet("People")
bold = wb.add_format({"bold": True})
header = ["Names", "National ID", "Phone number", "Gender", "Email"]
rows = [list(p) for p in PEOPLE]
rows[1][1] = 1199880012345678
rows[1][2] = 788123456
ws.add_table(0, 0, len(rows), len(header) - 1,
             {"data": rows, "columns": [{"header": h} for h in header], "style": "Table Style Medium 2"})
ws.write_rich_string(3, 0, bold, "Espérance", " Mukamana")
ws.freeze_panes(1, 0)
wb.close()

# xlsxwriter-escapes.xlsx and xlsxwriter-escapes-inline.xlsx: texts with characters XML cannot hold or would change
# (a carriage return, a vertical tab), which XlsxWriter writes as _xHHHH_ escapes, and a typed "_x0041_", which it
# writes as _x005F_x0041_; shared strings, then inline strings (constant-memory mode).
for name, options in (("xlsxwriter-escapes.xlsx", {}), ("xlsxwriter-escapes-inline.xlsx", {"constant_memory": True})):
    wb = xlsxwriter.Workbook(OUT + name, options)
    ws = wb.add_worksheet("People")
    ws.write_row(0, 0, ["Names", "NID", "Phone\r\nNumber", "Gender", "Email"])
    ws.write_row(1, 0, ["Jean Bosco\r", "1199880012345678", "0788123456", "M\r", "jb@example.rw\r"])
    ws.write_row(2, 0, ["Ann\r\nMarie", "1199870012345611", "0733123456", "F", "a_x0041_b@example.rw"])
    ws.write_row(3, 0, ["Paul\x0bKagame", "1199880012345679", "0788123457", "M", "pk\x0b@example.rw"])
    wb.close()

# openpyxl-chart-sheet-first.xlsx: a chart sheet placed first, then the only worksheet, which lacks the Email column:
#   a chart sheet is no worksheet, so the worksheet decides the error.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Data"
ws.append(["Names", "NID", "Phone", "Gender"])
ws.append(["Jean Bosco", "1199880012345678", "0788123456", "M"])
chart = BarChart()
chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=2))
wb.create_chartsheet("Chart", 0).add_chart(chart)
wb.save(OUT + "openpyxl-chart-sheet-first.xlsx")
