import type { ReactNode } from 'react';

/**
 * A chart with its caption and the same numbers as a table: the chart is an image for
 * sighted readers (hidden from screen readers), the table is there for everyone (and
 * opens with one click).
 */
export default function ChartFigure({
  caption,
  summary,
  chart,
  columns,
  rows,
}: {
  caption: string;
  /** One sentence saying what the chart shows, read before the table. */
  summary: string;
  chart: ReactNode;
  columns: string[];
  rows: (string | number)[][];
}) {
  return (
    <figure className="admin-figure">
      <figcaption>
        <strong>{caption}</strong> <span className="muted">{summary}</span>
      </figcaption>
      <div className="admin-chart" aria-hidden="true">
        {chart}
      </div>
      <details>
        <summary>Table view</summary>
        <DataTable caption={caption} columns={columns} rows={rows} />
      </details>
    </figure>
  );
}

/**
 * A table of rows whose first cell names the row. `caption` is read by screen readers
 * (hidden), or `labelledBy` names the heading that labels it; `empty` is the one row
 * shown when there are none.
 */
export function DataTable({
  caption,
  labelledBy,
  columns,
  rows,
  empty,
}: {
  caption?: string;
  labelledBy?: string;
  columns: string[];
  rows: (string | number)[][];
  empty?: string;
}) {
  return (
    <div className="admin-table-wrap">
      <table className="admin-table" aria-labelledby={labelledBy}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((cell, j) =>
                j === 0 ? (
                  <th key={j} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={j}>{cell}</td>
                ),
              )}
            </tr>
          ))}
          {rows.length === 0 && empty && (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export const pct = (x: number, digits = 0) => `${(x * 100).toFixed(digits)}%`;
