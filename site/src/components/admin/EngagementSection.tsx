import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Engagement } from '../../lib/api';
import ChartFigure, { DataTable, pct } from './ChartFigure';

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
      <DataTable
        labelledBy="answers-heading"
        columns={['Engine', 'Thumbs up', 'Thumbs down', 'Helpful', 'Reasons given']}
        rows={engagement.answers.map((a) => [
          a.engine,
          a.up,
          a.down,
          a.helpfulness === null ? '–' : pct(a.helpfulness),
          a.reasons.map((r) => `${reasonLabel(r.reason)} (${r.up + r.down})`).join(', '),
        ])}
        empty="No answer has been rated yet."
      />
      <h3 id="misses-heading">Searches that found nothing</h3>
      <DataTable
        labelledBy="misses-heading"
        columns={['Query', 'Searches', 'Last searched']}
        rows={engagement.searchMisses.map((m) => [m.query, m.searches, m.lastDay])}
        empty="Every search found something."
      />
      <h3 id="budget-heading">Model budgets spent</h3>
      <DataTable
        labelledBy="budget-heading"
        columns={['Feature', 'Budget', 'Requests answered offline']}
        rows={engagement.budgetHits.map((b) => [
          b.feature,
          b.reason === 'learner_spent' ? "a learner's daily budget" : "the platform's daily budget",
          b.hits,
        ])}
        empty="No budget has been spent."
      />
    </section>
  );
}
