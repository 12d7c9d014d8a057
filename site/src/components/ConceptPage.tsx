import { conceptHref, getConcept, getMastery, getPredictions, type ConceptDetail } from '../lib/api';
import MasteryBar from './MasteryBar';
import { ErrorNotice, Loading } from './Status';
import { useLoad } from './use-load';

/** The concept `?id=` names, in the course `?course=` names (else across the catalog). */
async function loadConcept() {
  const params = new URLSearchParams(window.location.search);
  const id = params.get('id') ?? '';
  const course = params.get('course');
  const concept = id ? await getConcept(id, course) : null;
  if (!concept) return { id, course, concept: null, mastery: null, prediction: null };
  // The learner's side is a bonus: the page still reads without it.
  const [mastery, predictions] = await Promise.all([getMastery(course).catch(() => []), getPredictions(course).catch(() => [])]);
  return {
    id,
    course,
    concept,
    mastery: mastery.find((m) => m.concept === concept.id) ?? null,
    prediction: predictions.find((p) => p.concept === concept.id) ?? null,
  };
}

/** Why a neighbour is listed, seen from the concept the page is about. */
const BEFORE: Record<string, string> = {
  lesson_prerequisite: 'taught in a lesson that comes first',
  lesson_order: 'comes before it in the same lesson',
};
const AFTER: Record<string, string> = {
  lesson_prerequisite: 'taught in a lesson that builds on this one',
  lesson_order: 'comes after it in the same lesson',
};
const RELATED: Record<string, string> = { co_occurrence: 'shares lessons or sources' };

/** A concept: what teaches it, where it sits among the others, and how well the learner knows it. */
export default function ConceptPage() {
  const { state, retry } = useLoad(loadConcept, 'concept');
  if (state.status === 'loading') return <Loading label="Loading the concept…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  const { id, course, concept, mastery, prediction } = state.data;
  if (!concept) {
    return (
      <section className="concept-page">
        <h1>No such concept</h1>
        <p>
          There is no concept {id ? <code>{id}</code> : null} in {course ? <code>{course}</code> : 'this course'}.{' '}
          <a href="/path/">Browse the learning path</a> to find one.
        </p>
      </section>
    );
  }
  const { neighbours } = concept;
  return (
    <article className="concept-page" aria-labelledby="concept-title">
      <h1 id="concept-title">{concept.label}</h1>
      <section aria-labelledby="concept-you">
        <h2 id="concept-you">How well you know it</h2>
        {mastery ? (
          <MasteryBar mastery={mastery} />
        ) : (
          <p>You have not answered questions on it yet. The lessons below end with some.</p>
        )}
        {prediction ? (
          <p className="muted">
            Chance of answering a question on it right: {Math.round(prediction.now * 100)}% now,{' '}
            {Math.round(prediction.in7Days * 100)}% in a week and {Math.round(prediction.in30Days * 100)}% in a month without
            review.
          </p>
        ) : null}
      </section>
      <section aria-labelledby="concept-lessons">
        <h2 id="concept-lessons">Where it is taught</h2>
        {concept.lessons.length === 0 && concept.sources.length === 0 ? <p>No lesson or source teaches it yet.</p> : null}
        <ul>
          {concept.lessons.map((l) => (
            <li key={l.id}>
              <a href={l.href}>{l.title}</a>
              {l.origin === 'author' ? null : <span className="muted"> (mentioned)</span>}
            </li>
          ))}
          {concept.sources.map((s) => (
            <li key={s.id}>
              <a href={s.href}>{s.title}</a> <span className="muted">(source)</span>
            </li>
          ))}
        </ul>
      </section>
      {concept.linked.length > 0 ? (
        <section aria-labelledby="concept-linked">
          <h2 id="concept-linked">The same concept in other courses</h2>
          <p className="muted">Their authors linked them: an answer in one course counts in the others too.</p>
          <ul>
            {concept.linked.map((l) => (
              <li key={`${l.course} ${l.id}`}>
                <a href={conceptHref(l.id, l.course)}>{l.label}</a> <span className="muted">in {l.courseTitle}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <Neighbours
        id="concept-before"
        title="Know these first"
        course={course}
        list={neighbours.prerequisites}
        why={BEFORE}
        empty="Nothing: it is a starting point."
      />
      <Neighbours
        id="concept-after"
        title="It leads to"
        course={course}
        list={neighbours.dependents}
        why={AFTER}
        empty="No later concept builds on it."
      />
      <Neighbours
        id="concept-related"
        title="Related"
        course={course}
        list={neighbours.related}
        why={RELATED}
        empty="No related concepts."
      />
    </article>
  );
}

function Neighbours({
  id,
  title,
  course,
  list,
  why,
  empty,
}: {
  id: string;
  title: string;
  course: string | null;
  list: ConceptDetail['neighbours']['related'];
  why: Record<string, string>;
  empty: string;
}) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {list.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="concept-neighbours">
          {list.map((n) => (
            <li key={n.id}>
              <a href={conceptHref(n.id, course)}>{n.label}</a> <span className="muted">({why[n.via] ?? n.via})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
