import { formatDay, formatDuration, formatDurationCompact } from '../lib/format';
import { weekChart, type ChartBox, type WeekTotal } from '../lib/week-chart';

/** The chart's own coordinates; the SVG scales to its box, keeping its proportions. */
const BOX: ChartBox = { width: 360, height: 170, left: 34, bottom: 22, top: 8, gap: 0.3 };

/**
 * Active time per week as bars, with the same numbers in a table for anyone who
 * cannot see the chart (or wants the exact values).
 */
export default function WeekChart({ weeks }: { weeks: readonly WeekTotal[] }) {
  const { bars, ticks } = weekChart(weeks, BOX);
  const total = weeks.reduce((sum, w) => sum + w.activeSeconds, 0);
  const current = weeks.at(-1);
  const summary = `${formatDuration(total)} in the last ${weeks.length} weeks${current ? `, ${formatDuration(current.activeSeconds)} this week` : ''}.`;
  return (
    <figure className="week-chart">
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-labelledby="week-chart-title week-chart-desc">
        <title id="week-chart-title">Active time per week</title>
        <desc id="week-chart-desc">{summary} The table below lists every week.</desc>
        {ticks.map((tick) => (
          <g key={tick.value} className="chart-tick">
            <line x1={BOX.left} x2={BOX.width} y1={tick.y} y2={tick.y} />
            <text x={BOX.left - 4} y={tick.y} dy="0.35em" textAnchor="end">
              {formatDurationCompact(tick.value)}
            </text>
          </g>
        ))}
        {bars.map((bar) => (
          <g key={bar.week}>
            <rect className="chart-bar" x={bar.x} y={bar.y} width={bar.width} height={bar.height} rx={2}>
              <title>{`Week of ${formatDay(bar.week)}: ${formatDuration(bar.activeSeconds)}`}</title>
            </rect>
            <text className="chart-label" x={bar.x + bar.width / 2} y={BOX.height - 6} textAnchor="middle">
              {formatDay(bar.week)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="muted">{summary}</figcaption>
      <details className="chart-table">
        <summary>Show as a table</summary>
        <table>
          <caption className="visually-hidden">Active time per week</caption>
          <thead>
            <tr>
              <th scope="col">Week of</th>
              <th scope="col">Active time</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.week}>
                <th scope="row">{formatDay(w.week)}</th>
                <td>{formatDuration(w.activeSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
