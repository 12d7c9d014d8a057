import type { UsageReport, UsageRow } from './usage.schemas';

const COLUMNS = ['calls', 'failedCalls', 'promptTokens', 'completionTokens', 'costUsd'] as const;
const HEADINGS = ['calls', 'failed_calls', 'prompt_tokens', 'completion_tokens', 'cost_usd'];

/** The rows summed: the report's total line. */
export function totalOf(rows: UsageRow[]): UsageRow {
  const sum = (column: (typeof COLUMNS)[number]) => rows.reduce((total, row) => total + row[column], 0);
  return {
    key: 'total',
    calls: sum('calls'),
    failedCalls: sum('failedCalls'),
    promptTokens: sum('promptTokens'),
    completionTokens: sum('completionTokens'),
    costUsd: Math.round(sum('costUsd') * 1e6) / 1e6,
  };
}

const csvCell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const cells = (row: UsageRow) => [row.key, ...COLUMNS.map((c) => (c === 'costUsd' ? row.costUsd.toFixed(6) : String(row[c])))];

/** The report as CSV (a header, a row per key, the total last) or as a markdown table. */
export function usageTable(report: UsageReport, format: 'csv' | 'markdown'): string {
  const header = [report.groupBy, ...HEADINGS];
  const rows = [...report.rows, report.total].map(cells);
  if (format === 'csv') return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    `Model usage ${report.from} to ${report.to}, by ${report.groupBy}`,
    '',
    line(header),
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map(line),
    '',
  ].join('\n');
}
