import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Engagement } from '../../lib/api';
import ChartFigure, { pct } from './ChartFigure';

const reasonLabel = (code: string) => code.replaceAll('_', ' ');

/** Daily-plan completion by category, recommendations by reason, answer helpfulness, searches that found nothing and model budgets spent. */
export default function EngagementSection({ engagement }: { engagement: Engagement }) {
  return (
    <section aria-labelledby="engagement-heading">
      <h2 id="engagement-heading">Practice, recommendations, search and answers</h2>
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
      <ChartFigure
        caption="Recommendations by reason"
        summary={`Items offered in freshly ranked lists from ${engagement.from} to ${engagement.to}, by the first reason each was given, and how many learners accepted.`}
        chart={
          engagement.recommendations.length === 0 ? (
            <p className="muted">No list has been ranked yet.</p>
          ) : (
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={engagement.recommendations.map((r) => ({ ...r, reason: reasonLabel(r.reason) }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="reason" />
                <YAxis allowDecimals={false} width={40} />
                <Tooltip />
                <Legend />
                <Bar dataKey="impressions" name="Offered" fill="#94a3b8" isAnimationActive={false} />
                <Bar dataKey="accepted" name="Accepted" fill="var(--accent)" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          )
        }
        columns={['Reason', 'Offered', 'Accepted', 'Dismissed', 'Acceptance']}
        rows={engagement.recommendations.map((r) => [
          reasonLabel(r.reason),
          r.impressions,
          r.accepted,
          r.dismissed,
          r.acceptance === null ? '–' : pct(r.acceptance),
        ])}
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
      <h3 id="misses-heading">Searches that found nothing</h3>
      <div className="admin-table-wrap">
        <table className="admin-table" aria-labelledby="misses-heading">
          <thead>
            <tr>
              <th scope="col">Query</th>
              <th scope="col">Searches</th>
              <th scope="col">Last searched</th>
            </tr>
          </thead>
          <tbody>
            {engagement.searchMisses.map((m) => (
              <tr key={m.query}>
                <th scope="row">{m.query}</th>
                <td>{m.searches}</td>
                <td>{m.lastDay}</td>
              </tr>
            ))}
            {engagement.searchMisses.length === 0 && (
              <tr>
                <td colSpan={3}>Every search found something.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <h3 id="budget-heading">Model budgets spent</h3>
      <div className="admin-table-wrap">
        <table className="admin-table" aria-labelledby="budget-heading">
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Budget</th>
              <th scope="col">Requests answered offline</th>
            </tr>
          </thead>
          <tbody>
            {engagement.budgetHits.map((b) => (
              <tr key={`${b.feature}-${b.reason}`}>
                <th scope="row">{b.feature}</th>
                <td>{b.reason === 'learner_spent' ? "a learner's daily budget" : "the platform's daily budget"}</td>
                <td>{b.hits}</td>
              </tr>
            ))}
            {engagement.budgetHits.length === 0 && (
              <tr>
                <td colSpan={3}>No budget has been spent.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
