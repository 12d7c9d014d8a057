/**
 * Writes the PDF and DOCX in `seeds/sources/` from the text below (the glossary is
 * a plain text file, edited by hand). Run it after changing the text:
 * `npx tsx scripts/source-seeds.ts`. The written files are committed, so `npm start`
 * and the tests load exactly these bytes.
 */
import { writeFileSync } from 'node:fs';
import { docxDocument, pdfDocument, type DocxParagraph } from './documents';

/** The reference documents `npm start` (and the end-to-end tests) add as knowledge sources. */
export const SEED_SOURCES = [
  'seeds/sources/sqlite-quick-reference.pdf',
  'seeds/sources/query-style-guide.docx',
  'seeds/sources/sql-glossary.txt',
];

/** SQLite quick reference: one page per topic, lines short enough to stay on the page. */
export const QUICK_REFERENCE_PAGES: string[][] = [
  [
    'SQLite Quick Reference - Page 1: Storage classes and type affinity',
    '',
    'SQLite stores every value in one of five storage classes:',
    'NULL, INTEGER, REAL, TEXT and BLOB.',
    'A column declared with a type has a type affinity, not a strict type.',
    'A column whose declared type contains INT has INTEGER affinity.',
    'A column whose declared type contains CHAR, CLOB or TEXT has TEXT affinity.',
    'A column whose declared type contains BLOB, or has no type, has BLOB affinity.',
    'A column whose declared type contains REAL, FLOA or DOUB has REAL affinity.',
    'Any other declared type, such as DECIMAL or BOOLEAN, has NUMERIC affinity.',
    'SQLite has no separate BOOLEAN type: TRUE is stored as the integer 1 and FALSE as 0.',
    'SQLite has no DATE type: store dates as ISO-8601 TEXT such as 2024-03-15.',
    'A STRICT table (CREATE TABLE t (...) STRICT) refuses values of the wrong type.',
    'typeof(x) returns the storage class of a value, for example typeof(3.0) is real.',
    'An INTEGER PRIMARY KEY column is an alias for the rowid of the table.',
    'AUTOINCREMENT only stops rowids of deleted rows from being reused;',
    'without it a new row already gets a rowid one larger than the largest in use.',
  ],
  [
    'SQLite Quick Reference - Page 2: Date and time functions',
    '',
    "date('now') returns the current date in UTC as YYYY-MM-DD.",
    "datetime('now', 'localtime') returns the current date and time in local time.",
    "date('2024-01-31', '+1 month') adds a month; modifiers apply from left to right.",
    "date('now', 'start of month') returns the first day of the current month.",
    "strftime('%Y', order_date) extracts the year as text; %m is the month, %d the day.",
    "strftime('%w', d) gives the day of the week, 0 for Sunday through 6 for Saturday.",
    "julianday('2024-03-15') - julianday('2024-03-01') is the number of days between two dates: 14.",
    "unixepoch('now') returns seconds since 1970-01-01 (SQLite 3.38 and later).",
    'Dates stored as ISO-8601 text sort correctly as text, so ORDER BY order_date works.',
    'Compare a date column with a range, not a function of the column:',
    "WHERE order_date >= '2024-01-01' AND order_date < '2024-02-01' can use an index on order_date.",
  ],
  [
    'SQLite Quick Reference - Page 3: PRAGMA statements and the sqlite3 shell',
    '',
    'PRAGMA foreign_keys = ON; turns on foreign key enforcement for the connection.',
    'Foreign key constraints are off by default in SQLite and must be enabled per connection.',
    'PRAGMA table_info(books); lists the columns of a table with their types and defaults.',
    'PRAGMA index_list(books); lists the indexes of a table.',
    'PRAGMA journal_mode = WAL; lets readers keep reading while one writer writes.',
    'PRAGMA integrity_check; checks the whole database file for corruption.',
    'In the sqlite3 shell, .tables lists the tables and .schema books shows how books was created.',
    '.mode column and .headers on print query results as aligned columns with a header row.',
    '.import --csv books.csv books loads a CSV file into the table books.',
    '.read script.sql runs the SQL statements in a file.',
    'EXPLAIN QUERY PLAN SELECT ... shows whether a query scans a table or searches an index.',
  ],
];

/** The query style guide, as Word paragraphs (headings carry Word's heading styles). */
export const STYLE_GUIDE: DocxParagraph[] = [
  { text: 'SQL Query Style Guide', style: 'Heading1' },
  {
    text: 'This guide describes how queries in this course are written. Consistent style makes a query easier to read, review and change.',
  },
  { text: 'Keywords and names', style: 'Heading2' },
  { text: 'Write SQL keywords in upper case (SELECT, FROM, WHERE) and table and column names in lower case.' },
  { text: 'Name tables and columns in snake_case, for example order_items and unit_price.' },
  {
    text: 'Name tables in the plural (books, authors) and key columns as id, with foreign keys named after the table they refer to, such as author_id.',
  },
  { text: 'Layout', style: 'Heading2' },
  { text: 'Start each main clause on its own line: SELECT, FROM, JOIN, WHERE, GROUP BY, HAVING, ORDER BY and LIMIT.' },
  {
    text: 'Put one selected column per line when a query selects more than three columns, with the comma at the end of the line.',
  },
  { text: 'Indent the conditions of a long WHERE clause under it, one condition per line, each AND at the start of its line.' },
  { text: 'Aliases', style: 'Heading2' },
  { text: 'Always write AS before a column alias, for example SUM(quantity) AS total_quantity.' },
  {
    text: 'Give tables short but meaningful aliases, such as b for books and a for authors, and use them for every column in a join.',
  },
  { text: 'Avoid single-letter aliases that do not match the table, such as t1 and t2, because readers must look them up.' },
  { text: 'Habits to avoid', style: 'Heading2' },
  {
    text: 'Avoid SELECT * in saved queries and application code: list the columns you need, so a new column does not change the result.',
  },
  {
    text: 'Avoid ORDER BY 1 or GROUP BY 2 (ordinal positions): name the columns, so reordering the select list does not change the meaning.',
  },
  { text: 'Prefer a common table expression (WITH) over a deeply nested subquery when a step has a name worth giving.' },
  { text: 'Prefer explicit JOIN ... ON over listing tables separated by commas with join conditions in WHERE.' },
  { text: 'Comments', style: 'Heading2' },
  { text: 'Use -- for a comment on one line and explain why a query does something, not what each clause does.' },
];

if (process.argv[1]?.endsWith('source-seeds.ts')) {
  writeFileSync('seeds/sources/sqlite-quick-reference.pdf', pdfDocument(QUICK_REFERENCE_PAGES));
  writeFileSync('seeds/sources/query-style-guide.docx', await docxDocument(STYLE_GUIDE));
  console.log('wrote seeds/sources/sqlite-quick-reference.pdf and seeds/sources/query-style-guide.docx');
}
