import { useEffect, useRef, useState, type FormEvent } from 'react';
import { answerPlacement, ApiError, getPlacement, lessonHref, startPlacement, type Placement } from '../lib/api';
import { safeNext } from '../lib/onboarding';
import { ChoiceQuestion } from './ChoiceQuestion';
import { ErrorNotice, Loading } from './Status';
import { useLoad } from './use-load';

const LEVEL_TEXT: Record<string, string> = {
  mastered: 'Mastered',
  practising: 'Practising',
  learning: 'Learning',
  'not started': 'Not yet',
};

/** The course the page's `?course=` names (a slug), else null: the default course. */
function pageCourse(): string | null {
  const course = typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get('course');
  return course && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(course) ? course : null;
}

/**
 * The placement test: for a learner who already knows some of the course, a short adaptive
 * quiz that marks what they know as mastered, so recommendations start at their level.
 */
export default function PlacementTest() {
  const { state, retry } = useLoad(() => getPlacement(pageCourse()), 'placement test');
  if (state.status === 'loading') return <Loading label="Loading your placement test…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  return <PlacementFlow initial={state.data} />;
}

function PlacementFlow({ initial }: { initial: Placement | null }) {
  const [placement, setPlacement] = useState<Placement | null>(initial);
  const [choice, setChoice] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const next = safeNext(typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get('next'));

  // Each new question takes the focus, so a screen reader reads it.
  useEffect(() => {
    if (placement?.item) heading.current?.focus();
  }, [placement?.item?.id]);

  const run = async (work: () => Promise<Placement>) => {
    setBusy(true);
    setFailure(null);
    try {
      setPlacement(await work());
      setChoice(null);
    } catch (error) {
      // Another tab answered first: show where the test stands now.
      if (error instanceof ApiError && error.status === 409) {
        const now = await getPlacement(pageCourse()).catch(() => null);
        if (now) setPlacement(now);
      }
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  if (!placement || (placement.status === 'finished' && !placement.result)) {
    return (
      <section aria-labelledby="placement-heading" className="placement">
        <h1 id="placement-heading">Already know some of this?</h1>
        <p>
          Answer a few questions from across the course, up to 15, each chosen for how you did on the ones before. What you show
          you know is marked mastered, so lessons that build on it open up and your recommendations start at your level. Nothing
          you already have is lowered.
        </p>
        {failure ? <ErrorNotice error={failure} /> : null}
        <div className="form-actions">
          <button type="button" disabled={busy} onClick={() => void run(() => startPlacement(false, pageCourse()))}>
            Start the placement test
          </button>
          <a className="button-secondary" href={next}>
            Skip it, start from the beginning
          </a>
        </div>
      </section>
    );
  }

  if (placement.status === 'finished' && placement.result) {
    const { result } = placement;
    const mastered = result.concepts.filter((c) => c.level === 'mastered');
    return (
      <section aria-labelledby="placement-heading" className="placement">
        <h1 id="placement-heading">Your placement</h1>
        <p className="placement-summary">
          You answered {result.right} of {result.answered} questions right.{' '}
          {mastered.length > 0
            ? `${mastered.length} concept${mastered.length === 1 ? ' is' : 's are'} now marked mastered.`
            : 'Nothing is marked mastered yet: the course starts from its first lesson.'}
        </p>
        <h2>Lessons opened up</h2>
        {result.lessonsUnlocked.length === 0 ? (
          <p>None this time: their earlier lessons are still ahead of you.</p>
        ) : (
          <ul className="placement-lessons">
            {result.lessonsUnlocked.map((l) => (
              <li key={l.slug}>
                <a href={lessonHref(l.slug, pageCourse())}>{l.title}</a>
              </li>
            ))}
          </ul>
        )}
        <h2>What the test showed</h2>
        <div className="admin-table-wrap">
          <table className="placement-concepts">
            <thead>
              <tr>
                <th scope="col">Concept</th>
                <th scope="col">Level now</th>
                <th scope="col">Asked about</th>
              </tr>
            </thead>
            <tbody>
              {result.concepts.map((c) => (
                <tr key={c.conceptId}>
                  <th scope="row">{c.title}</th>
                  <td>
                    {LEVEL_TEXT[c.level] ?? c.level} <span className="muted">({Math.round(c.pKnown * 100)}%)</span>
                  </td>
                  <td>{c.tested ? 'Yes' : 'No, inferred'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {failure ? <ErrorNotice error={failure} /> : null}
        <div className="form-actions">
          <a className="button" href={next === '/' ? '/dashboard/' : next}>
            See your recommendations
          </a>
          <button
            type="button"
            className="button-secondary"
            disabled={busy}
            onClick={() => void run(() => startPlacement(true, pageCourse()))}
          >
            Retake the test
          </button>
        </div>
      </section>
    );
  }

  const item = placement.item;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (choice === null || !item || busy) return;
    void run(() => answerPlacement(placement.id, item.id, choice));
  };
  return (
    <section aria-labelledby="placement-heading" className="placement">
      <h1 id="placement-heading">Placement test</h1>
      <p className="placement-progress">
        <span>
          Question {placement.answered + 1} of at most {placement.maxItems}
        </span>
        <progress max={placement.maxItems} value={placement.answered} aria-label="Questions answered" />
      </p>
      {placement.last ? (
        <p className="muted" aria-live="polite">
          Your last answer was {placement.last.correct ? 'right' : 'not right'}.
        </p>
      ) : null}
      {item ? null : (
        <div>
          <p>The course changed since this test began, so its next question is gone.</p>
          <button type="button" disabled={busy} onClick={() => void run(() => startPlacement(true, pageCourse()))}>
            Start the test again
          </button>
        </div>
      )}
      {item ? (
        <form onSubmit={submit}>
          <p className="muted">About: {item.conceptTitle}</p>
          <ChoiceQuestion
            id={`placement-${item.id}`}
            question={item.question}
            choices={item.choices}
            value={choice}
            onChange={setChoice}
            locked={busy}
            headingRef={heading}
          />
          {failure ? <ErrorNotice error={failure} /> : null}
          <div className="form-actions">
            <button type="submit" disabled={choice === null || busy}>
              {busy ? 'Sending…' : 'Answer'}
            </button>
            <button
              type="button"
              className="button-secondary"
              disabled={busy}
              onClick={() => void run(() => startPlacement(true, pageCourse()))}
            >
              Start over
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
