import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Engagement } from '../../lib/api';
import ChartFigure, { pct } from './ChartFigure';

/** Daily-plan completion by category and answer helpfulness. */
export default function EngagementSection({ engagement }: { engagement: Engagement }) {
  return (
    <section aria-labelledby="engagement-heading">
      <h2 id="engagement-heading">Practice and answers</h2>
      <ChartFigure
        caption="Daily-plan tasks by category"
        summary={`Tasks done and skipped from ${engagement.from} to ${engagement.to}.`}
        chart={
          engagement.plans.length === 0 ? (
            <p className="muted">No plan task has been done or skipped yet.</p>
          ) : (
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={engagement.plans}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="category" />
                <YAxis allowDecimals={false} width={40} />
                <Tooltip />
                <Legend />
                <Bar dataKey="done" name="Done" stackId="a" fill="var(--accent)" isAnimationActive={false} />
                <Bar dataKey="skipped" name="Skipped" stackId="a" fill="#f59e0b" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          )
        }
        columns={['Category', 'Done', 'Skipped', 'Completion']}
        rows={engagement.plans.map((p) => [p.category, p.done, p.skipped, pct(p.completion)])}
      />
      <h3 id="answers-heading">Answer helpfulness</h3>
      <div className="admin-table-wrap">
        <table className="admin-table" aria-labelledby="answers-heading">
          <thead>
            <tr>
              <th scope="col">Engine</th>
              <th scope="col">Thumbs up</th>
              <th scope="col">Thumbs down</th>
              <th scope="col">Helpful</th>
              <th scope="col">Reasons given</th>
            </tr>
          </thead>
          <tbody>
            {engagement.answers.map((a) => (
              <tr key={a.engine}>
                <th scope="row">{a.engine}</th>
                <td>{a.up}</td>
                <td>{a.down}</td>
                <td>{a.helpfulness === null ? '–' : pct(a.helpfulness)}</td>
                <td>{a.reasons.map((r) => `${r.reason.replaceAll('_', ' ')} (${r.up + r.down})`).join(', ')}</td>
              </tr>
            ))}
            {engagement.answers.length === 0 && (
              <tr>
                <td colSpan={5}>No answer has been rated yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
