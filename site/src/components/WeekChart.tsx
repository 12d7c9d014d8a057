import { formatDay, formatDuration } from '../lib/format';
import { weekChart, type ChartBox, type WeekTotal } from '../lib/week-chart';
import BarChart from './BarChart';

/** The chart's own coordinates; the SVG scales to its box, keeping its proportions. */
const BOX: ChartBox = { width: 360, height: 170, left: 34, bottom: 22, top: 8, gap: 0.3 };

/**
 * Active time per week as bars, with the same numbers in a table for anyone who
 * cannot see the chart (or wants the exact values).
 */
export default function WeekChart({ weeks }: { weeks: readonly WeekTotal[] }) {
  const chart = weekChart(weeks, BOX);
  const total = weeks.reduce((sum, w) => sum + w.activeSeconds, 0);
  const current = weeks.at(-1);
  const summary = `${formatDuration(total)} in the last ${weeks.length} weeks${current ? `, ${formatDuration(current.activeSeconds)} this week` : ''}.`;
  return (
    <figure className="week-chart">
      <BarChart
        id="week-chart"
        box={BOX}
        chart={chart}
        title="Active time per week"
        description={`${summary} The table below lists every week.`}
        label={formatDay}
        tooltip={(bar) => `Week of ${formatDay(bar.week)}: ${formatDuration(bar.activeSeconds)}`}
      />
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
