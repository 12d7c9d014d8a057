import { getCurrentWeekSummary, getWeeklySummaries, type WeeklySummary } from '../lib/api';
import { formatDay, plural } from '../lib/format';
import { TODAY_PATH } from '../lib/today';
import type { ChartBox } from '../lib/week-chart';
import {
  bestTimeText,
  categoryLines,
  dayChart,
  doneOf,
  isEmptyWeek,
  reviewsText,
  weekday,
  weekRange,
} from '../lib/weekly-summary';
import BarChart from './BarChart';
import { ErrorNotice, Loading } from './Status';
import { useLoad } from './use-load';

const BOX: ChartBox = { width: 360, height: 150, left: 34, bottom: 22, top: 8, gap: 0.35 };

/** The latest stored week, else the week so far (the API answers both for any learner, onboarded or not). */
async function loadWeek(): Promise<WeeklySummary> {
  const [latest] = await getWeeklySummaries();
  return latest ?? getCurrentWeekSummary();
}

/** The dashboard's "Your week": the insights first, then the numbers behind them and a chart of the seven days. */
export default function WeekSummary() {
  const { state, retry } = useLoad(loadWeek, 'week');
  if (state.status === 'loading') return <Loading label="Loading your week…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  const week = state.data;
  if (isEmptyWeek(week)) {
    return (
      <p className="notice">
        Nothing done this week yet. Your week fills in as you do the tasks of <a href={TODAY_PATH}>today’s plan</a>.
      </p>
    );
  }
  return <Summary summary={week} />;
}

function Summary({ summary }: { summary: WeeklySummary }) {
  const best = bestTimeText(summary.bestTime);
  const categories = categoryLines(summary.tasks.byCategory);
  const { mastered, slipping } = summary.concepts;
  return (
    <div className="week-summary" data-week={summary.week}>
      <p className="week-range">{weekRange(summary)}</p>
      <ul className="week-insights">
        {summary.insights.map((insight) => (
          <li key={insight.text}>{insight.text}</li>
        ))}
      </ul>
      <dl className="week-stats">
        <div>
          <dt>Tasks done</dt>
          <dd>{doneOf(summary.tasks.completed, summary.tasks.planned)}</dd>
        </div>
        <div>
          <dt>Minutes</dt>
          <dd>{summary.minutes} min</dd>
        </div>
        <div>
          <dt>Streak</dt>
          <dd>{plural(summary.streak, 'day')}</dd>
        </div>
        <div>
          <dt>Reviews</dt>
          <dd className="week-stat-text">{reviewsText(summary.reviews)}</dd>
        </div>
        {best ? (
          <div>
            <dt>Best time</dt>
            <dd className="week-stat-text">{best}</dd>
          </div>
        ) : null}
      </dl>
      <DayChart summary={summary} />
      {categories.length > 0 ? (
        <>
          <h3 className="week-subtitle">By kind of task</h3>
          <ul className="week-categories">
            {categories.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      ) : null}
      {mastered.length > 0 || slipping.length > 0 ? (
        <>
          <h3 className="week-subtitle">Concepts</h3>
          {mastered.length > 0 ? <p>Mastered: {mastered.map((c) => c.title).join(', ')}.</p> : null}
          {slipping.length > 0 ? <p>Slipping, worth a review: {slipping.map((c) => c.title).join(', ')}.</p> : null}
        </>
      ) : null}
    </div>
  );
}

/** Minutes of tasks done per day as bars, with the same numbers in a table. */
function DayChart({ summary }: { summary: WeeklySummary }) {
  const chart = dayChart(summary.days, BOX);
  const text = `${summary.minutes} min of tasks done over the week, on ${plural(summary.days.filter((d) => d.completed > 0).length, 'day')}.`;
  return (
    <figure className="day-chart">
      <BarChart
        id="day-chart"
        box={BOX}
        chart={chart}
        title="Minutes of tasks done per day"
        description={`${text} The table below lists every day.`}
        label={weekday}
        tooltip={(bar) => `${weekday(bar.week)} ${formatDay(bar.week)}: ${bar.activeSeconds / 60} min`}
      />
      <figcaption className="muted">{text}</figcaption>
      <details className="day-table">
        <summary>Show the days as a table</summary>
        <table>
          <caption className="visually-hidden">Tasks and minutes per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Tasks done</th>
              <th scope="col">Minutes</th>
            </tr>
          </thead>
          <tbody>
            {summary.days.map((day) => (
              <tr key={day.date}>
                <th scope="row">
                  {weekday(day.date)} {formatDay(day.date)}
                </th>
                <td>{day.planned === 0 ? 'no plan' : doneOf(day.completed, day.planned)}</td>
                <td>{day.minutes} min</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
