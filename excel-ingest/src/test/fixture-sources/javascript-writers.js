// Writes the fixtures of two JavaScript writers under ../resources/fixtures: ExcelJS 4.4 (a title row merged above
// the header, shared strings, a date column, a column filled down with a formula, written as shared formulas, as
// Excel writes it) and SheetJS 0.18 (cells of type str, a date cell). Run from this folder, with Node.js:
//   npm install --no-save exceljs@4.4.0 xlsx@0.18.5 && node javascript-writers.js
const ExcelJS = require('exceljs');
const XLSX = require('xlsx');

const header = ['Names', 'National ID', 'Phone number', 'Gender', 'Email', 'Registered on'];
const people = [
  ['Alice Uwase', '1199070012345601', '0788123456', 'F', 'alice@example.rw', new Date(Date.UTC(2024, 0, 15))],
  ['Jean Bosco', '1199880012345678', '+250 722 123 456', 'M', 'jb@example.rw', new Date(Date.UTC(2024, 1, 29))],
  ['Espérance Mukamana', '1199870012345611', '0733123456', 'Female', 'esperance@example.rw', new Date(Date.UTC(2024, 11, 31))],
];

(async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Members');
  ws.addRow(['Members of the cooperative, 2024']);
  ws.mergeCells('A1:F1');
  ws.addRow([]);
  ws.addRow([...header, 'Name length']);
  people.forEach((person, i) => {
    const row = ws.addRow(person);
    row.getCell(7).value = i === 0
      ? { formula: 'LEN(A4)', result: person[0].length, shareType: 'shared', ref: `G4:G${3 + people.length}` }
      : { sharedFormula: 'G4', result: person[0].length };
  });
  ws.getColumn(6).numFmt = 'yyyy-mm-dd';
  await wb.xlsx.writeFile('../resources/fixtures/exceljs-shared-formulas.xlsx');

  const sheet = XLSX.utils.aoa_to_sheet([header, ...people], { cellDates: true });
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, 'Sheet1');
  XLSX.writeFile(book, '../resources/fixtures/sheetjs-str-cells.xlsx');
})();
