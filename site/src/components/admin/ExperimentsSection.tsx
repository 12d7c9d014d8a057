import { useEffect, useState } from 'react';
import { Bar, CartesianGrid, ComposedChart, ReferenceLine, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import {
  ApiError,
  createExperiment,
  getExperimentResults,
  listExperiments,
  setExperimentRunning,
  updateExperiment,
  type Experiment,
  type ExperimentInput,
  type ExperimentResults,
} from '../../lib/api';
import ChartFigure, { pct } from './ChartFigure';
import ExperimentForm, { fieldProblems } from './ExperimentForm';

function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.problem?.errors?.map((e) => `${e.field}: ${e.message}`) ?? [];
    return [error.problem?.detail ?? error.message, ...fields].join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}

/** Experiments: the list, a form to create one, start and stop, and each one's results with intervals. */
export default function ExperimentsSection() {
  const [experiments, setExperiments] = useState<Experiment[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [results, setResults] = useState<ExperimentResults | null>(null);
  /** The experiment being edited, 'new' for the create form, or null. */
  const [editing, setEditing] = useState<Experiment | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = () =>
    listExperiments().then(
      (list) => {
        setExperiments(list);
        setSelected((s) => s ?? list.find((e) => e.status !== 'draft')?.id ?? list[0]?.id ?? null);
      },
      (e: unknown) => setError(problemText(e)),
    );
  useEffect(() => {
    void reload();
  }, []);
  useEffect(() => {
    if (!selected) return;
    setResults(null);
    getExperimentResults(selected).then(setResults, (e: unknown) => setError(problemText(e)));
  }, [selected, experiments]);

  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
      await reload();
    } catch (e) {
      setError(problemText(e));
    }
  };

  /** Saves the form; the API's field errors go back to the form, anything else shows above. */
  const save = async (input: ExperimentInput): Promise<Record<string, string> | void> => {
    setError(null);
    try {
      const saved = await (editing === 'new' ? createExperiment(input) : updateExperiment(input));
      setEditing(null);
      setSelected(saved.id);
      await reload();
    } catch (e) {
      if (e instanceof ApiError && e.problem?.errors?.length) return fieldProblems(e.problem.errors);
      setError(problemText(e));
    }
    return undefined;
  };

  return (
    <section aria-labelledby="experiments-heading">
      <h2 id="experiments-heading">Experiments</h2>
      {error && (
        <p className="notice notice-error" role="alert" style={{ whiteSpace: 'pre-line' }}>
          {error}
        </p>
      )}
      {experiments === null ? (
        <p className="status">Loading experiments…</p>
      ) : (
        <div className="admin-table-wrap">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Experiment</th>
                <th scope="col">Flag</th>
                <th scope="col">Status</th>
                <th scope="col">Split</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {experiments.map((e) => (
                <tr key={e.id} aria-current={e.id === selected ? 'true' : undefined}>
                  <th scope="row">
                    {e.name}
                    <div className="muted">
                      {e.id} · {e.kind === 'bandit' ? 'bandit' : 'A/B'}
                    </div>
                  </th>
                  <td>
                    <code>{e.flagKey}</code>
                  </td>
                  <td>{e.status}</td>
                  <td>{e.weights.map((w) => pct(w)).join(' / ')}</td>
                  <td className="admin-actions">
                    <button type="button" className="button-secondary" onClick={() => setSelected(e.id)}>
                      Results
                    </button>
                    {e.status !== 'stopped' && (
                      <>
                        <button
                          type="button"
                          className="button-secondary"
                          aria-label={`Edit ${e.name}`}
                          onClick={() => setEditing(e)}
                        >
                          Edit
                        </button>
                        <button type="button" onClick={() => void act(() => setExperimentRunning(e.id, e.status !== 'running'))}>
                          {e.status === 'running' ? 'Stop' : 'Start'}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
              {experiments.length === 0 && (
                <tr>
                  <td colSpan={5}>No experiments yet: create one below.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {editing === null ? (
        <div className="form-actions">
          <button type="button" onClick={() => setEditing('new')}>
            New experiment
          </button>
        </div>
      ) : (
        <ExperimentForm
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing === 'new' ? null : editing}
          onSubmit={save}
          onCancel={() => setEditing(null)}
        />
      )}
      {results && <ResultsView results={results} />}
    </section>
  );
}

function ResultsView({ results }: { results: ExperimentResults }) {
  const { sampleRatio, power, exposures } = results;
  return (
    <article className="admin-results" aria-labelledby="results-heading">
      <h3 id="results-heading">Results: {results.experiment.name}</h3>
      <p className={sampleRatio.mismatch ? 'notice notice-error' : 'notice'}>{results.verdict}</p>
      <dl className="admin-stats">
        {exposures.map((e) => (
          <div key={e.variant}>
            <dt>{e.variant}</dt>
            <dd>
              {e.learners} <span className="muted">learners (planned {pct(e.weight)})</span>
            </dd>
          </div>
        ))}
        <div>
          <dt>Sample ratio</dt>
          <dd>
            {sampleRatio.mismatch ? 'Mismatch' : 'OK'} <span className="muted">p = {sampleRatio.pValue.toPrecision(3)}</span>
          </dd>
        </div>
        <div>
          <dt>Power</dt>
          <dd>
            {power.learnersPerVariantNow} / {power.learnersPerVariantNeeded ?? '?'}{' '}
            <span className="muted">
              learners per variant{power.daysToGo === null ? '' : `, about ${power.daysToGo} day(s) to go`}
              {power.lookAt ? `; read on ${power.lookAt}` : ''}
            </span>
          </dd>
        </div>
      </dl>
      {results.metrics.map((m) => {
        const treated = m.variants.filter((v) => v.lift);
        return (
          <ChartFigure
            key={m.metric}
            caption={`${m.metric.replaceAll('_', ' ')} (${m.role})`}
            summary={`Lift against the control with its ${pct(1 - results.alpha)} interval; ${m.test}${m.varianceReduction > 0 ? `, CUPED removed ${pct(m.varianceReduction)} of the variance` : ''}.`}
            chart={
              treated.length === 0 ? (
                <p className="muted">Not enough learners in the variants yet to compare them.</p>
              ) : (
                <ResponsiveContainer width="100%" height={Math.max(120, treated.length * 60)}>
                  <ComposedChart
                    data={treated.map((v) => ({
                      variant: v.variant,
                      lift: v.lift?.estimate ?? 0,
                      interval: [v.lift?.lower ?? 0, v.lift?.upper ?? 0],
                    }))}
                    layout="vertical"
                    margin={{ left: 16, right: 24 }}
                  >
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis type="number" tickFormatter={(x: number) => pct(x)} />
                    <YAxis type="category" dataKey="variant" width={100} />
                    <Tooltip
                      formatter={(x) => (Array.isArray(x) ? x.map((y) => pct(Number(y), 1)).join(' to ') : pct(Number(x), 1))}
                    />
                    <ReferenceLine x={0} stroke="var(--text)" />
                    <Bar
                      dataKey="interval"
                      name="Interval"
                      fill="rgba(29, 78, 216, 0.25)"
                      barSize={18}
                      isAnimationActive={false}
                    />
                    <Scatter dataKey="lift" name="Lift" fill="var(--accent)" isAnimationActive={false} />
                  </ComposedChart>
                </ResponsiveContainer>
              )
            }
            columns={['Variant', 'Learners', 'Mean', 'Lift', 'Lift interval', 'p', 'Chance to beat control']}
            rows={m.variants.map((v) => [
              v.variant,
              v.learners,
              v.mean.toFixed(3),
              v.lift ? pct(v.lift.estimate, 1) : 'control',
              v.lift ? `${pct(v.lift.lower, 1)} to ${pct(v.lift.upper, 1)}` : '',
              v.pValue === null ? '' : v.pValue.toPrecision(3),
              v.chanceToBeatControl === null ? '' : pct(v.chanceToBeatControl, 1),
            ])}
          />
        );
      })}
    </article>
  );
}
