import { getPracticeProfile } from '../lib/api';
import { planChoices, profileLines } from '../lib/practice-profile';
import { ErrorNotice, Loading } from './Status';
import { useLoad } from './use-load';

/** How the learner practises, read from their plans, in plain words with the counts behind each number. */
export default function PracticeProfileSection() {
  const { state, retry } = useLoad(getPracticeProfile, 'practice-profile');
  return (
    <section className="profile-section practice-profile" aria-labelledby="practice-profile-title">
      <h2 id="practice-profile-title">How you practise</h2>
      {state.status === 'loading' ? <Loading label="Loading how you practise…" /> : null}
      {state.status === 'error' ? <ErrorNotice error={state.error} onRetry={retry} /> : null}
      {state.status === 'ready' ? (
        <>
          <p className="muted">From your daily plans and when you study. Plans adapt as these change.</p>
          <dl className="profile-lines">
            {profileLines(state.data).map((line) => (
              <div key={line.id} data-profile={line.id}>
                <dt>{line.label}</dt>
                <dd>{line.text}</dd>
              </div>
            ))}
          </dl>
          <details className="plan-choices">
            <summary>How today’s plan is set</summary>
            <ul>
              {planChoices(state.data).map((line) => (
                <li key={line.id}>
                  <strong>{line.label}.</strong> {line.text}
                </li>
              ))}
            </ul>
          </details>
        </>
      ) : null}
    </section>
  );
}
