import { useEffect, useState, type FormEvent } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import {
  adminKey,
  ApiError,
  getAnalyticsOverview,
  getCatalog,
  getEngagement,
  getItemAnalysis,
  getLessonFigures,
  getModelHealth,
  getRankerWeights,
  getUsage,
  setAdminKey,
  type Engagement,
  type ItemAnalysis,
  type LessonFigures,
  type ModelHealth,
  type RankerWeights,
  type Overview,
  type UsageReportShape,
} from '../lib/api';
import ChartFigure from './admin/ChartFigure';
import CourseSelect from './CourseSelect';
import ContentSection from './admin/ContentSection';
import EngagementSection from './admin/EngagementSection';
import ExperimentsSection from './admin/ExperimentsSection';
import LearningSection from './admin/LearningSection';
import OverviewSection from './admin/OverviewSection';

const TABS = ['overview', 'content', 'learning', 'engagement', 'experiments', 'cost'] as const;
type Tab = (typeof TABS)[number];
const TAB_NAMES: Record<Tab, string> = {
  overview: 'Overview',
  content: 'Content',
  learning: 'Learning',
  engagement: 'Practice',
  experiments: 'Experiments',
  cost: 'Cost',
};

/** The tab in the address (#content), so a view can be linked and reloaded. */
const tabOf = (hash: string): Tab => ((TABS as readonly string[]).includes(hash.slice(1)) ? (hash.slice(1) as Tab) : 'overview');

/** The admin dashboard: an admin key for this tab, then overview, content, experiments and cost. */
export default function AdminDashboard() {
  const [key, setKey] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('overview');
  /** The course the overview, content, learning and practice figures are of; null: every course. */
  const [course, setCourse] = useState<string | null>(null);
  const [courses, setCourses] = useState<{ slug: string; title: string }[]>([]);
  useEffect(() => {
    getCatalog().then(
      (cards) => setCourses(cards.map(({ slug, title }) => ({ slug, title }))),
      // Without the catalog the figures are every course's, as before.
      () => setCourses([]),
    );
  }, []);
  useEffect(() => {
    setKey(adminKey());
    setTab(tabOf(window.location.hash));
    const onHash = () => setTab(tabOf(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  if (!key) return <KeyForm onKey={setKey} />;
  return (
    <>
      <div className="tabs admin-tabs" role="tablist" aria-label="Dashboard sections">
        {TABS.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            className="tab"
            id={`tab-${t}`}
            aria-selected={tab === t}
            aria-controls="admin-panel"
            onClick={() => {
              window.location.hash = t;
              setTab(t);
            }}
          >
            {TAB_NAMES[t]}
          </button>
        ))}
        <button
          type="button"
          className="tab"
          onClick={() => {
            setAdminKey(null);
            setKey(null);
          }}
        >
          Forget key
        </button>
      </div>
      {courses.length > 1 && tab !== 'experiments' && tab !== 'cost' ? (
        <p className="admin-course">
          <CourseSelect courses={courses} value={course} onChange={setCourse} />
        </p>
      ) : null}
      <div id="admin-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'overview' && (
          <Loaded
            key={`overview:${course ?? ''}`}
            load={() => getAnalyticsOverview(30, course)}
            render={(o: Overview) => <OverviewSection overview={o} />}
            onUnauthorized={() => setKey(null)}
          />
        )}
        {tab === 'content' && (
          <Loaded
            key={`content:${course ?? ''}`}
            load={() => Promise.all([getLessonFigures(course), getItemAnalysis(course)])}
            render={([lessons, items]: [LessonFigures[], ItemAnalysis[]]) => <ContentSection lessons={lessons} items={items} />}
            onUnauthorized={() => setKey(null)}
          />
        )}
        {tab === 'learning' && (
          <Loaded
            key={`learning:${course ?? ''}`}
            load={() => Promise.all([getModelHealth(28, course), getRankerWeights()])}
            render={([h, w]: [ModelHealth, RankerWeights]) => <LearningSection health={h} weights={w} />}
            onUnauthorized={() => setKey(null)}
          />
        )}
        {tab === 'engagement' && (
          <Loaded
            key={`engagement:${course ?? ''}`}
            load={() => getEngagement(30, course)}
            render={(e: Engagement) => <EngagementSection engagement={e} />}
            onUnauthorized={() => setKey(null)}
          />
        )}
        {tab === 'experiments' && <ExperimentsSection />}
        {tab === 'cost' && (
          <Loaded
            load={() => getUsage('day')}
            render={(u: UsageReportShape) => <CostSection usage={u} />}
            onUnauthorized={() => setKey(null)}
          />
        )}
      </div>
    </>
  );
}

function KeyForm({ onKey }: { onKey: (key: string) => void }) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = value.trim();
    if (!trimmed) return;
    setAdminKey(trimmed);
    onKey(trimmed);
  };
  return (
    <form onSubmit={submit} className="admin-key">
      <p>This dashboard reads the platform’s analytics and runs experiments: it needs an author key with the admin scope.</p>
      <label htmlFor="admin-key">Admin key</label>
      <input id="admin-key" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
      <p className="muted">
        Kept for this tab only. `npm start` prints the local one; `npm run keys -- create --scopes admin` makes another.
      </p>
      <div className="form-actions">
        <button type="submit">Open the dashboard</button>
      </div>
    </form>
  );
}

function Loaded<T>({
  load,
  render,
  onUnauthorized,
}: {
  load: () => Promise<T>;
  render: (value: T) => React.ReactNode;
  onUnauthorized: () => void;
}) {
  const [state, setState] = useState<{ value: T } | { error: string } | null>(null);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setState({ value }),
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          setAdminKey(null);
          onUnauthorized();
          return;
        }
        setState({ error: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      live = false;
    };
  }, []);
  if (state === null) return <p className="status">Loading…</p>;
  if ('error' in state)
    return (
      <p className="notice notice-error" role="alert">
        {state.error}
      </p>
    );
  return <>{render(state.value)}</>;
}

function CostSection({ usage }: { usage: UsageReportShape }) {
  return (
    <section aria-labelledby="cost-heading">
      <h2 id="cost-heading">Model usage and cost</h2>
      <p className="muted">
        {usage.total.calls} call(s), {usage.total.failedCalls} failed, ${usage.total.costUsd.toFixed(4)} estimated from{' '}
        {usage.from} to {usage.to}.
      </p>
      <ChartFigure
        caption="Estimated cost per day"
        summary="US dollars, from the configured token prices."
        chart={
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={usage.rows}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="key" tickFormatter={(d: string) => d.slice(5)} />
              <YAxis width={50} />
              <Tooltip />
              <Bar dataKey="costUsd" name="Cost (USD)" fill="var(--accent)" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        }
        columns={['Day', 'Calls', 'Failed', 'Prompt tokens', 'Completion tokens', 'Cost (USD)']}
        rows={usage.rows.map((r) => [r.key, r.calls, r.failedCalls, r.promptTokens, r.completionTokens, r.costUsd.toFixed(4)])}
      />
    </section>
  );
}
