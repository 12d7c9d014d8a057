import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from 'recharts';
import type { ItemAnalysis, LessonFigures } from '../../lib/api';
import ChartFigure, { pct } from './ChartFigure';

const FLAG_TEXT: Record<ItemAnalysis['flags'][number], string> = {
  too_easy: 'Too easy',
  too_hard: 'Too hard',
  low_discrimination: 'Low discrimination',
  negative_discrimination: 'Negative discrimination',
  distractor_beats_key: 'Distractor beats key',
  unused_distractor: 'Unused distractor',
};

/** Lesson completion and drop-off; quiz item analysis. */
export default function ContentSection({ lessons, items }: { lessons: LessonFigures[]; items: ItemAnalysis[] }) {
  const flagged = items.filter((i) => i.flags.length > 0);
  return (
    <section aria-labelledby="content-heading">
      <h2 id="content-heading">Content</h2>
      <ChartFigure
        caption="Lesson completion and drop-off"
        summary="Learners who opened each lesson, and how many of them completed it."
        chart={
          lessons.length === 0 ? (
            <p className="muted">No learner has opened a lesson yet.</p>
          ) : (
            <ResponsiveContainer width="100%" height={Math.max(160, lessons.length * 28)}>
              <BarChart
                data={lessons.map((l) => ({ ...l, left: l.started - l.completed }))}
                layout="vertical"
                margin={{ left: 16, right: 16 }}
              >
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="title" width={170} tick={{ fontSize: 12 }} />
                <Tooltip />
                <Legend />
                <Bar dataKey="completed" name="Completed" stackId="a" fill="var(--accent)" isAnimationActive={false} />
                <Bar dataKey="left" name="Opened, not completed" stackId="a" fill="#f59e0b" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          )
        }
        columns={['Lesson', 'Opened', 'Completed', 'Completion', 'Drop-off', 'Minutes per learner']}
        rows={lessons.map((l) => [
          l.title,
          l.started,
          l.completed,
          pct(l.completionRate),
          pct(l.dropOff),
          l.minutesPerStarter.toFixed(1),
        ])}
      />
      <h3 id="items-heading">Quiz items</h3>
      <p className="muted">
        Difficulty is the share answered right; discrimination is how much right answers follow the learner’s ability
        (point-biserial, below 0.15 is weak, below 0 suggests a wrong key). Items are flagged once 20 learners answered them.
      </p>
      <ChartFigure
        caption="Difficulty against discrimination"
        summary={`${items.length} item(s) answered, ${flagged.length} flagged.`}
        chart={
          items.every((i) => i.discrimination === null) ? (
            <p className="muted">
              Discrimination needs answers from learners of different ability: first answers all start from the same estimate.
            </p>
          ) : (
            <ResponsiveContainer width="100%" height={240}>
              <ScatterChart margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis
                  type="number"
                  dataKey="difficulty"
                  name="Share right"
                  domain={[0, 1]}
                  tickFormatter={(x: number) => pct(x)}
                />
                <YAxis type="number" dataKey="discrimination" name="Discrimination" domain={[-1, 1]} width={40} />
                <ZAxis type="number" dataKey="answers" range={[30, 200]} name="Answers" />
                <Tooltip />
                <Scatter data={items.filter((i) => i.discrimination !== null)} fill="var(--accent)" isAnimationActive={false} />
              </ScatterChart>
            </ResponsiveContainer>
          )
        }
        columns={['Item', 'Answers', 'Share right', 'Discrimination', 'Flags']}
        rows={items.map((i) => [
          i.itemId,
          i.answers,
          pct(i.difficulty),
          i.discrimination?.toFixed(2) ?? '–',
          i.flags.map((f) => FLAG_TEXT[f]).join(', '),
        ])}
      />
      <div className="admin-table-wrap">
        <table className="admin-table" aria-labelledby="items-heading">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Answers</th>
              <th scope="col">Right</th>
              <th scope="col">Discrimination</th>
              <th scope="col">Choices (share picked; the key in bold)</th>
              <th scope="col">Flags</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.itemId} className={i.flags.length > 0 ? 'admin-flagged' : undefined}>
                <th scope="row">
                  {i.itemId}
                  <div className="muted admin-question">{i.question}</div>
                </th>
                <td>{i.answers}</td>
                <td>{pct(i.difficulty)}</td>
                <td>{i.discrimination?.toFixed(2) ?? '–'}</td>
                <td>
                  <ul className="admin-choices">
                    {i.choices.map((c) => (
                      <li key={c.answer}>
                        {c.key ? <strong>{`${c.text}: ${pct(c.share)}`}</strong> : `${c.text}: ${pct(c.share)}`}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  {i.flags.map((f) => FLAG_TEXT[f]).join(', ')}
                  {i.notes.map((n) => (
                    <div key={n} className="muted">
                      {n}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
