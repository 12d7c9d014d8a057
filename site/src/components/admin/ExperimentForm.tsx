import { useState, type FormEvent } from 'react';
import { DECISION_KEYS, METRICS, type MetricKey } from '../../../../workers/features/experiments/experiments.catalog';
import type { Experiment, ExperimentInput } from '../../lib/api';

/** One variant as typed: the value stays text until the form is sent. */
interface VariantDraft {
  key: string;
  weight: string;
  value: string;
}

interface Draft {
  id: string;
  name: string;
  hypothesis: string;
  flagKey: string;
  kind: 'ab' | 'bandit';
  banditPeriodHours: string;
  variants: VariantDraft[];
  coveragePercent: string;
  namespaceName: string;
  namespaceStart: string;
  namespaceEnd: string;
  condition: string;
  primaryMetric: MetricKey;
  guardrailMetrics: MetricKey[];
  alpha: string;
  power: string;
  minimumEffectPercent: string;
  sequential: boolean;
}

const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];

/** A new experiment starts as composed plans against the fixed plan (a flag the planner reads). */
const NEW: ExperimentInput = {
  id: '',
  name: '',
  hypothesis: '',
  flagKey: 'plans.dynamic',
  variants: [
    { key: 'control', weight: 50, value: false },
    { key: 'treatment', weight: 50, value: true },
  ],
  primaryMetric: 'plan_tasks_completed',
  guardrailMetrics: ['return_7d'],
};

const text = (n: number | undefined, fallback: number) => String(n ?? fallback);

function toDraft(input: ExperimentInput): Draft {
  return {
    id: input.id,
    name: input.name,
    hypothesis: input.hypothesis ?? '',
    flagKey: input.flagKey,
    kind: input.kind ?? 'ab',
    banditPeriodHours: text(input.banditPeriodHours, 24),
    variants: input.variants.map((v) => ({ key: v.key, weight: String(v.weight), value: JSON.stringify(v.value) })),
    coveragePercent: text(Math.round((input.coverage ?? 1) * 1000) / 10, 100),
    namespaceName: input.namespace?.name ?? '',
    namespaceStart: text(input.namespace?.range[0], 0),
    namespaceEnd: text(input.namespace?.range[1], 1),
    condition: input.condition ? JSON.stringify(input.condition) : '',
    primaryMetric: input.primaryMetric,
    guardrailMetrics: input.guardrailMetrics ?? [],
    alpha: text(input.alpha, 0.05),
    power: text(input.power, 0.8),
    minimumEffectPercent: text(Math.round((input.minimumEffect ?? 0.05) * 1000) / 10, 5),
    sequential: input.sequential ?? true,
  };
}

/** The draft's fields typed as numbers. */
type NumericKey =
  'banditPeriodHours' | 'minimumEffectPercent' | 'alpha' | 'power' | 'coveragePercent' | 'namespaceStart' | 'namespaceEnd';

/** The problems the form can see before sending, by the API's field names. */
type Problems = Record<string, string>;

/** Text to a number; numbers the API would refuse go through so the API names the field. */
const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

function toInput(d: Draft): { input?: ExperimentInput; problems: Problems } {
  const problems: Problems = {};
  const json = (s: string, field: string): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      problems[field] = 'must be JSON (true, 0.5, "offline", {"a": 1}, ...)';
      return undefined;
    }
  };
  const variants = d.variants.map((v, i) => ({
    key: v.key.trim(),
    weight: num(v.weight),
    value: json(v.value, `json/variants/${i}/value`),
  }));
  const total = variants.reduce((s, v) => s + (Number.isFinite(v.weight) ? v.weight : 0), 0);
  if (Math.abs(total - 100) > 1e-6) problems['json/variants'] = `weights must sum to 100 (they sum to ${total})`;
  const condition = d.condition.trim() ? json(d.condition, 'json/condition') : undefined;
  if (Object.keys(problems).length) return { problems };
  return {
    problems,
    input: {
      id: d.id.trim(),
      name: d.name.trim(),
      hypothesis: d.hypothesis.trim(),
      flagKey: d.flagKey.trim(),
      kind: d.kind,
      ...(d.kind === 'bandit' ? { banditPeriodHours: num(d.banditPeriodHours) } : {}),
      variants,
      coverage: num(d.coveragePercent) / 100,
      ...(d.namespaceName.trim()
        ? { namespace: { name: d.namespaceName.trim(), range: [num(d.namespaceStart), num(d.namespaceEnd)] } }
        : {}),
      ...(condition === undefined ? {} : { condition: condition as Record<string, unknown> }),
      primaryMetric: d.primaryMetric,
      guardrailMetrics: d.guardrailMetrics.filter((m) => m !== d.primaryMetric),
      alpha: num(d.alpha),
      power: num(d.power),
      minimumEffect: num(d.minimumEffectPercent) / 100,
      sequential: d.sequential,
    },
  };
}

/** The API's field errors as the form's problems: one inside a JSON value (`json/variants/1/value/discovery`) goes to that value's input. */
export function fieldProblems(errors: { field: string; message: string }[] | undefined): Problems {
  const problems: Problems = {};
  for (const { field, message } of errors ?? []) {
    const inside = /^(json\/variants\/\d+\/value|json\/condition)\/(.+)$/.exec(field);
    const key = inside?.[1] ?? field;
    const text = inside ? `${inside[2]}: ${message}` : message;
    problems[key] = problems[key] ? `${problems[key]}; ${text}` : text;
  }
  return problems;
}

interface Props {
  /** The experiment edited, or none to create one. */
  editing: Experiment | null;
  /** Sends the input; resolves to the API's field errors when it refused it, else nothing. */
  onSubmit: (input: ExperimentInput) => Promise<Problems | void>;
  onCancel?: () => void;
}

/**
 * Create or edit an experiment: every field of the API's input with its help, the traffic
 * split's total as you type, and the API's refusals shown at the field they name. A running
 * experiment keeps its flag and variants (learners keep their bucket), so those are locked.
 */
export default function ExperimentForm({ editing, onSubmit, onCancel }: Props) {
  const [draft, setDraft] = useState<Draft>(() => toDraft((editing?.definition as ExperimentInput | undefined) ?? NEW));
  const [problems, setProblems] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  const locked = editing?.status === 'running';
  const prefix = editing ? `edit-${editing.id}` : 'new-experiment';
  /** An edited field's problem goes away until the form is sent again. */
  const forget = (matches: (field: string) => boolean) =>
    setProblems((p) => Object.fromEntries(Object.entries(p).filter(([field]) => !matches(field))));
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    const field = `json/${key === 'coveragePercent' ? 'coverage' : key}`;
    forget((f) => f === field || (key === 'variants' && f.startsWith('json/variants')));
  };
  const setVariant = (i: number, patch: Partial<VariantDraft>) => {
    setDraft((d) => ({ ...d, variants: d.variants.map((v, j) => (j === i ? { ...v, ...patch } : v)) }));
    forget((f) => f === 'json/variants' || Object.keys(patch).some((k) => f === `json/variants/${i}/${k}`));
  };
  const total = draft.variants.reduce((s, v) => s + (Number(v.weight) || 0), 0);

  const problem = (field: string) =>
    problems[field] ? (
      <p className="field-error" id={`${prefix}-${field.replaceAll('/', '-')}-error`}>
        {problems[field]}
      </p>
    ) : null;
  /** The props that tie an input to its field's error. */
  const described = (field: string) =>
    problems[field] ? { 'aria-invalid': true as const, 'aria-describedby': `${prefix}-${field.replaceAll('/', '-')}-error` } : {};
  const id = (name: string) => `${prefix}-${name}`;
  /** A number input of the draft, showing the problem of the API's `field` when it has one. */
  const numberField = (key: NumericKey, label: string, min: number, max?: number, field?: string) => (
    <div className="field">
      <label htmlFor={id(key)}>{label}</label>
      <input
        id={id(key)}
        type="number"
        min={min}
        max={max}
        step="any"
        value={draft[key]}
        onChange={(e) => set(key, e.target.value)}
        {...(field ? described(field) : {})}
      />
      {field ? problem(field) : null}
    </div>
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { input, problems: local } = toInput(draft);
    setProblems(local);
    if (!input) return;
    setBusy(true);
    try {
      setProblems((await onSubmit(input)) ?? {});
    } finally {
      setBusy(false);
    }
  };
  const others = Object.entries(problems).filter(
    ([field]) =>
      !/^json\/(id|name|flagKey|variants(\/\d+\/(key|weight|value))?|condition|coverage|primaryMetric|guardrailMetrics)$/.test(
        field,
      ),
  );

  return (
    <form className="admin-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={id('heading')}>
      <h3 id={id('heading')}>{editing ? `Edit ${editing.name}` : 'Create an experiment'}</h3>
      {others.length > 0 && (
        <ul className="field-error" role="alert">
          {others.map(([field, message]) => (
            <li key={field}>
              {field.replace(/^json\//, '')}: {message}
            </li>
          ))}
        </ul>
      )}
      <div className="admin-form-grid">
        <div className="field">
          <label htmlFor={id('id')}>Experiment key</label>
          <input
            id={id('id')}
            value={draft.id}
            readOnly={!!editing}
            required
            placeholder="plans-vs-fixed"
            onChange={(e) => set('id', e.target.value)}
            {...described('json/id')}
          />
          <span className="muted">Lower-case words joined by hyphens; it cannot change later.</span>
          {problem('json/id')}
        </div>
        <div className="field">
          <label htmlFor={id('name')}>Name</label>
          <input
            id={id('name')}
            value={draft.name}
            required
            onChange={(e) => set('name', e.target.value)}
            {...described('json/name')}
          />
          {problem('json/name')}
        </div>
        <div className="field admin-form-wide">
          <label htmlFor={id('hypothesis')}>Hypothesis</label>
          <textarea id={id('hypothesis')} rows={2} value={draft.hypothesis} onChange={(e) => set('hypothesis', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={id('flag')}>Flag it sets</label>
          <input
            id={id('flag')}
            list={id('flags')}
            value={draft.flagKey}
            disabled={locked}
            onChange={(e) => set('flagKey', e.target.value)}
            {...described('json/flagKey')}
          />
          <datalist id={id('flags')}>
            {DECISION_KEYS.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
          {problem('json/flagKey')}
        </div>
        <div className="field">
          <label htmlFor={id('kind')}>Kind</label>
          <select id={id('kind')} value={draft.kind} onChange={(e) => set('kind', e.target.value as Draft['kind'])}>
            <option value="ab">A/B test (fixed split)</option>
            <option value="bandit">Bandit (Thompson sampling moves the split)</option>
          </select>
        </div>
        {draft.kind === 'bandit' && numberField('banditPeriodHours', 'Reweight every (hours)', 1, 168)}
      </div>

      <fieldset className="admin-variants" disabled={busy} {...described('json/variants')}>
        <legend>Variants (the first is the control)</legend>
        {locked && <p className="muted">Running: the variants and flag stay as they are; the split may change.</p>}
        {draft.variants.map((v, i) => (
          <div className="admin-variant" key={i}>
            <div className="field">
              <label htmlFor={id(`v${i}-key`)}>Variant {i + 1} key</label>
              <input
                id={id(`v${i}-key`)}
                value={v.key}
                disabled={locked}
                onChange={(e) => setVariant(i, { key: e.target.value })}
                {...described(`json/variants/${i}/key`)}
              />
              {problem(`json/variants/${i}/key`)}
            </div>
            <div className="field">
              <label htmlFor={id(`v${i}-weight`)}>Variant {i + 1} traffic %</label>
              <input
                id={id(`v${i}-weight`)}
                type="number"
                min={0}
                max={100}
                step="any"
                value={v.weight}
                onChange={(e) => setVariant(i, { weight: e.target.value })}
                {...described(`json/variants/${i}/weight`)}
              />
              {problem(`json/variants/${i}/weight`)}
            </div>
            <div className="field">
              <label htmlFor={id(`v${i}-value`)}>Variant {i + 1} flag value (JSON)</label>
              <input
                id={id(`v${i}-value`)}
                value={v.value}
                disabled={locked}
                spellCheck={false}
                onChange={(e) => setVariant(i, { value: e.target.value })}
                {...described(`json/variants/${i}/value`)}
              />
              {problem(`json/variants/${i}/value`)}
            </div>
            {!locked && draft.variants.length > 2 && (
              <button
                type="button"
                className="button-secondary"
                aria-label={`Remove variant ${i + 1}`}
                onClick={() =>
                  set(
                    'variants',
                    draft.variants.filter((_, j) => j !== i),
                  )
                }
              >
                Remove
              </button>
            )}
          </div>
        ))}
        <p className={Math.abs(total - 100) > 1e-6 ? 'field-error' : 'muted'} aria-live="polite">
          The split sums to {Math.round(total * 1000) / 1000}%{Math.abs(total - 100) > 1e-6 ? ' (it must be 100)' : ''}.
        </p>
        {problem('json/variants')}
        {!locked && draft.variants.length < 6 && (
          <button
            type="button"
            className="button-secondary"
            onClick={() =>
              set('variants', [...draft.variants, { key: `variant-${draft.variants.length + 1}`, weight: '0', value: 'true' }])
            }
          >
            Add a variant
          </button>
        )}
      </fieldset>

      <div className="admin-form-grid">
        <div className="field">
          <label htmlFor={id('primary')}>Primary metric</label>
          <select
            id={id('primary')}
            value={draft.primaryMetric}
            onChange={(e) => set('primaryMetric', e.target.value as MetricKey)}
            {...described('json/primaryMetric')}
          >
            {METRIC_KEYS.map((m) => (
              <option key={m} value={m}>
                {m.replaceAll('_', ' ')}: {METRICS[m].description}
              </option>
            ))}
          </select>
          {problem('json/primaryMetric')}
        </div>
        <fieldset className="field admin-form-wide" {...described('json/guardrailMetrics')}>
          <legend>Guardrail metrics (must not get worse)</legend>
          <div className="admin-checks">
            {METRIC_KEYS.filter((m) => m !== draft.primaryMetric).map((m) => (
              <label key={m} title={METRICS[m].description}>
                <input
                  type="checkbox"
                  checked={draft.guardrailMetrics.includes(m)}
                  onChange={(e) =>
                    set(
                      'guardrailMetrics',
                      e.target.checked ? [...draft.guardrailMetrics, m] : draft.guardrailMetrics.filter((g) => g !== m),
                    )
                  }
                />{' '}
                {m.replaceAll('_', ' ')}
              </label>
            ))}
          </div>
          {problem('json/guardrailMetrics')}
        </fieldset>
        {numberField('minimumEffectPercent', 'Smallest change worth detecting (%)', 0.1)}
        {numberField('alpha', 'Significance level (alpha)', 0.001, 0.2)}
        {numberField('power', 'Power', 0.5, 0.99)}
        <div className="field">
          <label>
            <input type="checkbox" checked={draft.sequential} onChange={(e) => set('sequential', e.target.checked)} /> Sequential
            test (safe to look every day)
          </label>
          <span className="muted">Off: a fixed horizon; read the results once, on the day the power calculator gives.</span>
        </div>
      </div>

      <details className="admin-targeting" open={!!(draft.condition || draft.namespaceName || draft.coveragePercent !== '100')}>
        <summary>Targeting and exclusivity</summary>
        <div className="admin-form-grid">
          {numberField('coveragePercent', 'Eligible learners included (%)', 0.1, 100, 'json/coverage')}
          <div className="field admin-form-wide">
            <label htmlFor={id('condition')}>Condition on the learner (JSON, optional)</label>
            <input
              id={id('condition')}
              value={draft.condition}
              spellCheck={false}
              placeholder='{"experience": {"$in": ["new", "some"]}}'
              onChange={(e) => set('condition', e.target.value)}
              {...described('json/condition')}
            />
            <span className="muted">Attributes: id, background, experience, goal, consentModel.</span>
            {problem('json/condition')}
          </div>
          <div className="field">
            <label htmlFor={id('ns')}>Namespace (optional)</label>
            <input id={id('ns')} value={draft.namespaceName} onChange={(e) => set('namespaceName', e.target.value)} />
            <span className="muted">Experiments of one namespace with overlapping ranges cannot run together.</span>
          </div>
          {numberField('namespaceStart', 'Range start (0-1)', 0, 1)}
          {numberField('namespaceEnd', 'Range end (0-1)', 0, 1)}
        </div>
      </details>

      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {editing ? 'Save changes' : 'Create draft'}
        </button>
        {onCancel && (
          <button type="button" className="button-secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
