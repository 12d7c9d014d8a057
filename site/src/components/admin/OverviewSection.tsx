import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Overview } from '../../lib/api';
import ChartFigure, { pct } from './ChartFigure';

const STEPS: Record<Overview['funnel'][number]['step'], string> = {
  onboarded: 'Onboarded',
  first_lesson: 'Opened a lesson',
  first_completion: 'Completed a lesson',
  returned: 'Came back another day',
};

/** Active learners, the funnel and weekly-cohort retention. */
export default function OverviewSection({ overview }: { overview: Overview }) {
  const { activeLearners, daily, funnel, retention } = overview;
  const longest = Math.max(1, ...retention.map((c) => c.weeks.length));
  return (
    <section aria-labelledby="overview-heading">
      <h2 id="overview-heading">Overview</h2>
      <dl className="admin-stats">
        <div>
          <dt>Active today</dt>
          <dd>{activeLearners.day}</dd>
        </div>
        <div>
          <dt>Active this week</dt>
          <dd>{activeLearners.week}</dd>
        </div>
        <div>
          <dt>Active in 30 days</dt>
          <dd>{activeLearners.month}</dd>
        </div>
      </dl>
      <ChartFigure
        caption="Daily active learners"
        summary={`The last ${daily.length} day(s) with activity, UTC.`}
        chart={
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={daily} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} />
              <YAxis allowDecimals={false} width={40} />
              <Tooltip />
              <Line
                type="monotone"
                dataKey="learners"
                stroke="var(--accent)"
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        }
        columns={['Day', 'Active learners']}
        rows={daily.map((d) => [d.day, d.learners])}
      />
      <ChartFigure
        caption="Funnel"
        summary="Learners at each step, as a share of the first."
        chart={
          <ResponsiveContainer width="100%" height={200}>
            <BarChart
              data={funnel.map((s) => ({ ...s, label: STEPS[s.step] }))}
              layout="vertical"
              margin={{ left: 16, right: 16 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="label" width={150} />
              <Tooltip />
              <Bar dataKey="learners" fill="var(--accent)" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        }
        columns={['Step', 'Learners', 'Share']}
        rows={funnel.map((s) => [STEPS[s.step], s.learners, pct(s.share)])}
      />
      <figure className="admin-figure">
        <figcaption>
          <strong>Retention by weekly cohort</strong>{' '}
          <span className="muted">
            Share of each week’s new learners active in each week since (week 0 is when they started).
          </span>
        </figcaption>
        <div className="admin-table-wrap">
          <table className="admin-table admin-heatmap">
            <thead>
              <tr>
                <th scope="col">Cohort (week of)</th>
                <th scope="col">Learners</th>
                {Array.from({ length: longest }, (_, k) => (
                  <th key={k} scope="col">
                    Week {k}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {retention.map((c) => (
                <tr key={c.cohort}>
                  <th scope="row">{c.cohort}</th>
                  <td>{c.learners}</td>
                  {Array.from({ length: longest }, (_, k) => {
                    const share = c.weeks[k];
                    return (
                      <td
                        key={k}
                        style={
                          share === undefined
                            ? {}
                            : { background: `rgba(29, 78, 216, ${0.08 + share * 0.7})`, color: share > 0.5 ? '#fff' : undefined }
                        }
                      >
                        {share === undefined ? '' : pct(share)}
                      </td>
                    );
                  })}
                </tr>
              ))}
              {retention.length === 0 && (
                <tr>
                  <td colSpan={2 + longest}>No learners yet.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </figure>
    </section>
  );
}
