import { formatDurationCompact } from '../lib/format';
import type { ChartBox, WeekChart } from '../lib/week-chart';

/**
 * Bars of seconds on a labelled scale, as an SVG image with a title and a text
 * description (each chart shows the same numbers in a table too).
 */
export default function BarChart({
  id,
  box,
  chart,
  title,
  description,
  label,
  tooltip,
}: {
  /** Prefix of the title's and description's ids. */
  id: string;
  box: ChartBox;
  chart: WeekChart;
  title: string;
  description: string;
  /** The label under a bar, from its key (a week's or a day's date). */
  label: (key: string) => string;
  tooltip: (bar: WeekChart['bars'][number]) => string;
}) {
  return (
    <svg viewBox={`0 0 ${box.width} ${box.height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      {chart.ticks.map((tick) => (
        <g key={tick.value} className="chart-tick">
          <line x1={box.left} x2={box.width} y1={tick.y} y2={tick.y} />
          <text x={box.left - 4} y={tick.y} dy="0.35em" textAnchor="end">
            {formatDurationCompact(tick.value)}
          </text>
        </g>
      ))}
      {chart.bars.map((bar) => (
        <g key={bar.week}>
          <rect className="chart-bar" x={bar.x} y={bar.y} width={bar.width} height={bar.height} rx={2}>
            <title>{tooltip(bar)}</title>
          </rect>
          <text className="chart-label" x={bar.x + bar.width / 2} y={box.height - 6} textAnchor="middle">
            {label(bar.week)}
          </text>
        </g>
      ))}
    </svg>
  );
}
