import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ModelHealth, RankerWeights } from '../../lib/api';
import ChartFigure, { DataTable, pct } from './ChartFigure';

const MODEL_TITLES = {
  bkt: 'BKT: right answers',
  fsrs: 'FSRS: recall at review',
  engagement: 'Engagement: plan tasks completed',
  lesson_engagement: 'Engagement: offered lessons completed',
} as const;

const num = (x: number | null, digits = 3) => (x === null ? '–' : x.toFixed(digits));

/** The learner model's health: calibration and AUC of BKT and FSRS, drift, outcomes by segment, recommendations. */
export default function LearningSection({ health, weights }: { health: ModelHealth; weights: RankerWeights }) {
  const { recommendations: recs } = health;
  return (
    <section aria-labelledby="learning-heading">
      <h2 id="learning-heading">Learning model health</h2>
      <p className="muted">
        From {health.from} to {health.to}. AUC: how well a prediction ranks outcomes (0.5 is chance); log-loss: lower is better;
        calibration: predicted against observed.
      </p>
      {health.models.map((m) => (
        <article key={m.model} aria-labelledby={`model-${m.model}`}>
          <h3 id={`model-${m.model}`}>{MODEL_TITLES[m.model]}</h3>
          {m.drift && (
            <p className="notice notice-warning" role="status">
              {m.drift}
            </p>
          )}
          <dl className="admin-stats">
            <div>
              <dt>Predictions</dt>
              <dd>{m.overall.predictions}</dd>
            </div>
            <div>
              <dt>AUC</dt>
              <dd>{num(m.overall.auc)}</dd>
            </div>
            <div>
              <dt>Log-loss</dt>
              <dd>{num(m.overall.logLoss)}</dd>
            </div>
            <div>
              <dt>Predicted / observed</dt>
              <dd>
                {pct(m.overall.meanPredicted)} / {pct(m.overall.observed)}
              </dd>
            </div>
          </dl>
          {m.calibration.length > 0 && (
            <ChartFigure
              caption={`Calibration of ${m.model.toUpperCase()}`}
              summary={`Each point is a twentieth of the predictions: predicted ${m.predicts} against how often it happened.`}
              chart={
                <ResponsiveContainer width="100%" height={240}>
                  <ScatterChart margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis
                      type="number"
                      dataKey="meanPredicted"
                      name="Predicted"
                      domain={[0, 1]}
                      tickFormatter={(x: number) => pct(x)}
                    />
                    <YAxis
                      type="number"
                      dataKey="observed"
                      name="Observed"
                      domain={[0, 1]}
                      tickFormatter={(x: number) => pct(x)}
                      width={48}
                    />
                    <ReferenceLine
                      segment={[
                        { x: 0, y: 0 },
                        { x: 1, y: 1 },
                      ]}
                      stroke="var(--muted)"
                      strokeDasharray="4 4"
                    />
                    <Tooltip />
                    <Scatter data={m.calibration} fill="var(--accent)" isAnimationActive={false} />
                  </ScatterChart>
                </ResponsiveContainer>
              }
              columns={['Bin', 'Predictions', 'Predicted', 'Observed']}
              rows={m.calibration.map((b) => [
                `${b.bin * 5}–${b.bin * 5 + 5}%`,
                b.predictions,
                pct(b.meanPredicted, 1),
                pct(b.observed, 1),
              ])}
            />
          )}
          {m.weekly.length > 1 && (
            <ChartFigure
              caption={`${m.model.toUpperCase()} AUC by week`}
              summary="A falling line is drift."
              chart={
                <ResponsiveContainer width="100%" height={200}>
                  <LineChart data={m.weekly}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="week" />
                    <YAxis domain={[0, 1]} width={40} />
                    <Tooltip />
                    <Line dataKey="auc" stroke="var(--accent)" isAnimationActive={false} />
                  </LineChart>
                </ResponsiveContainer>
              }
              columns={['Week', 'Predictions', 'AUC', 'Log-loss']}
              rows={m.weekly.map((w) => [w.week, w.predictions, num(w.auc), num(w.logLoss)])}
            />
          )}
        </article>
      ))}
      <h3 id="segments-heading">By onboarding segment</h3>
      <p className="muted">Outcomes and BKT’s accuracy per background and experience: a segment served worse shows here.</p>
      <div className="admin-table-wrap">
        <table className="admin-table" aria-labelledby="segments-heading">
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Answers</th>
              <th scope="col">Right</th>
              <th scope="col">Predicted</th>
              <th scope="col">AUC</th>
              <th scope="col">Log-loss</th>
            </tr>
          </thead>
          <tbody>
            {health.segments.map((g) => (
              <tr key={g.segment}>
                <th scope="row">{g.segment.replace(':', ': ')}</th>
                <td>{g.predictions}</td>
                <td>{pct(g.observed)}</td>
                <td>{pct(g.meanPredicted)}</td>
                <td>{num(g.auc)}</td>
                <td>{num(g.logLoss)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Recommendations</h3>
      <p>
        {recs.accepted} accepted, {recs.dismissed} dismissed, {recs.completed} completed: acceptance{' '}
        {recs.acceptance === null ? '–' : pct(recs.acceptance)}, hit rate {recs.hitRate === null ? '–' : pct(recs.hitRate)}{' '}
        (completed of accepted).
      </p>
      <MasteryDistribution health={health} />
      <RankerWeightsTable weights={weights} />
    </section>
  );
}

/** The ranker's hand-set weights beside each course's learned ones, with the last refit's held-out figures. */
function RankerWeightsTable({ weights }: { weights: RankerWeights }) {
  const signals = Object.keys(weights.handSet);
  return (
    <>
      <h3 id="weights-heading">Ranking weights learned from learners&apos; choices</h3>
      {weights.courses.length === 0 ? (
        <p className="muted">
          Not refitted yet: a course needs 200 logged choices (a lesson taken from a list it was offered in) before its weights
          move.
        </p>
      ) : (
        weights.courses.map((course) => {
          const last = course.history[0];
          return (
            <p key={course.courseId} className="muted">
              {course.courseId}: version {last?.version ?? 0} of {last?.fittedAt.slice(0, 10) ?? '–'}, from{' '}
              {last?.fit.choices ?? 0} choices; held-out log-loss {num(last?.fit.heldOut.logLoss.current ?? null)} →{' '}
              {num(last?.fit.heldOut.logLoss.fitted ?? null)}, top-1 {pct(last?.fit.heldOut.top1.current ?? 0)} →{' '}
              {pct(last?.fit.heldOut.top1.fitted ?? 0)}.
            </p>
          );
        })
      )}
      <DataTable
        labelledBy="weights-heading"
        columns={['Signal', 'Hand-set', ...weights.courses.map((c) => `Learned (${c.courseId})`)]}
        rows={signals.map((signal) => [
          signal,
          num(weights.handSet[signal] ?? null, 2),
          ...weights.courses.map((c) => num(c.learned[signal] ?? null, 2)),
        ])}
      />
    </>
  );
}

/** Per concept, how many learners who answered on it are learning, practising or have mastered it. */
function MasteryDistribution({ health }: { health: ModelHealth }) {
  return (
    <ChartFigure
      caption="Mastery by concept"
      summary="Learners who answered on each concept, by the level their model puts them at now."
      chart={
        health.mastery.length === 0 ? (
          <p className="muted">No learner has answered a quiz yet.</p>
        ) : (
          <ResponsiveContainer width="100%" height={Math.max(160, 28 * health.mastery.length + 60)}>
            <BarChart data={health.mastery} layout="vertical">
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="title" width={140} />
              <Tooltip />
              <Legend />
              <Bar dataKey="learning" name="Learning" stackId="m" fill="#f59e0b" isAnimationActive={false} />
              <Bar dataKey="practising" name="Practising" stackId="m" fill="#94a3b8" isAnimationActive={false} />
              <Bar dataKey="mastered" name="Mastered" stackId="m" fill="var(--accent)" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )
      }
      columns={['Concept', 'Learning', 'Practising', 'Mastered']}
      rows={health.mastery.map((m) => [m.title, m.learning, m.practising, m.mastered])}
    />
  );
}
