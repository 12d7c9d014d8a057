import { table } from '../analytics/analytics.report';
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

const cells = (row: UsageRow) => [row.key, ...COLUMNS.map((c) => (c === 'costUsd' ? row.costUsd.toFixed(6) : String(row[c])))];

/** The report as CSV (a header, a row per key, the total last) or as a markdown table. */
export function usageTable(report: UsageReport, format: 'csv' | 'markdown'): string {
  const body = table([report.groupBy, ...HEADINGS], [...report.rows, report.total].map(cells), format, 1);
  return format === 'csv' ? body : `Model usage ${report.from} to ${report.to}, by ${report.groupBy}\n\n${body}`;
}
