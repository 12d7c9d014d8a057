import { useState, type FormEvent } from 'react';
import {
  deleteMyAccount,
  downloadMyData,
  getConsent,
  saveConsent,
  signOutEverywhere,
  type Consent,
  type ConsentInput,
} from '../lib/api';
import { ErrorNotice, Loading } from './Status';
import { useLoad } from './use-load';

type Action<T = null> =
  { status: 'idle' } | { status: 'working' } | { status: 'done'; value: T } | { status: 'error'; error: unknown };

/** One button's call to the API: its state, and the function that runs it. */
function useAction(run: () => Promise<void>): [Action, () => Promise<void>] {
  const [state, setState] = useState<Action>({ status: 'idle' });
  const start = async () => {
    setState({ status: 'working' });
    try {
      await run();
      setState({ status: 'done', value: null });
    } catch (error) {
      setState({ status: 'error', error });
    }
  };
  return [state, start];
}

/** The profile's Privacy section: consent, a copy of everything held, signing out other devices, erasing the account. */
export default function PrivacySettings() {
  return (
    <section className="profile-section privacy" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      <p>Your data is yours: choose how it is used, take a copy of all of it, or erase it.</p>
      <ConsentForm />
      <DownloadData />
      <SignOutEverywhere />
      <DeleteAccount />
    </section>
  );
}

function ConsentForm() {
  const { state, retry } = useLoad(getConsent, 'consent');
  if (state.status === 'loading') return <Loading label="Loading your privacy choices…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  return <ConsentChoices initial={state.data} />;
}

function ConsentChoices({ initial }: { initial: Consent }) {
  const [choices, setChoices] = useState<ConsentInput>({ model: initial.model, analytics: initial.analytics });
  const [save, setSave] = useState<Action<Consent>>({ status: 'idle' });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSave({ status: 'working' });
    try {
      const stored = await saveConsent(choices);
      setChoices({ model: stored.model, analytics: stored.analytics });
      setSave({ status: 'done', value: stored });
    } catch (error) {
      setSave({ status: 'error', error });
    }
  };
  const toggle = (key: keyof ConsentInput) => (checked: boolean) => {
    setChoices((current) => ({ ...current, [key]: checked }));
    setSave({ status: 'idle' });
  };
  return (
    <form className="consent-form" onSubmit={(event) => void submit(event)}>
      <h3>How your data is used</h3>
      <Toggle
        id="consent-model"
        checked={choices.model}
        onChange={toggle('model')}
        label="Personalize lessons with a language model"
        hint="Your profile answers and the lesson are sent to the model this site uses. Off: lessons are adapted on our own servers by the offline engine."
      />
      <Toggle
        id="consent-analytics"
        checked={choices.analytics}
        onChange={toggle('analytics')}
        label="Use my activity in course statistics and experiments"
        hint="Your answers, completions and time help improve recommendations and quizzes for everyone. Off: they stay in your own record only."
      />
      <div className="form-actions">
        <button type="submit" disabled={save.status === 'working'}>
          {save.status === 'working' ? 'Saving…' : 'Save privacy choices'}
        </button>
      </div>
      <div role="status" aria-live="polite" className="form-status">
        {save.status === 'done' ? <p className="notice notice-success">Saved. Your choices apply from now on.</p> : null}
      </div>
      {save.status === 'error' ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}

function Toggle(props: { id: string; checked: boolean; onChange: (checked: boolean) => void; label: string; hint: string }) {
  return (
    <div className="toggle">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        aria-describedby={`${props.id}-hint`}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={props.id}>{props.label}</label>
      <p id={`${props.id}-hint`} className="hint">
        {props.hint}
      </p>
    </div>
  );
}

async function saveMyData(): Promise<void> {
  const url = URL.createObjectURL(await downloadMyData());
  const link = document.createElement('a');
  link.href = url;
  link.download = `learnedge-data-${new Date().toISOString().slice(0, 10)}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the browser has taken the file.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function DownloadData() {
  const [state, download] = useAction(saveMyData);
  return (
    <div className="privacy-action">
      <h3>Download my data</h3>
      <p>One JSON file with everything we hold about you: profile, history, progress, answers, mastery, reviews and more.</p>
      <button type="button" className="button-secondary" disabled={state.status === 'working'} onClick={() => void download()}>
        {state.status === 'working' ? 'Preparing…' : 'Download my data'}
      </button>
      <div role="status" aria-live="polite" className="form-status">
        {state.status === 'done' ? <p className="notice notice-success">Your data was downloaded.</p> : null}
      </div>
      {state.status === 'error' ? <ErrorNotice error={state.error} onRetry={() => void download()} /> : null}
    </div>
  );
}

function SignOutEverywhere() {
  const [state, signOut] = useAction(signOutEverywhere);
  return (
    <div className="privacy-action">
      <h3>Other devices</h3>
      <p>Your learner is kept in this browser. If you opened it elsewhere, sign those out: only this browser keeps access.</p>
      <button type="button" className="button-secondary" disabled={state.status === 'working'} onClick={() => void signOut()}>
        {state.status === 'working' ? 'Signing out…' : 'Sign out everywhere else'}
      </button>
      <div role="status" aria-live="polite" className="form-status">
        {state.status === 'done' ? <p className="notice notice-success">Every other device is signed out.</p> : null}
      </div>
      {state.status === 'error' ? <ErrorNotice error={state.error} /> : null}
    </div>
  );
}

function DeleteAccount() {
  const [confirming, setConfirming] = useState(false);
  const [state, erase] = useAction(deleteMyAccount);
  if (state.status === 'done') {
    return (
      <div className="privacy-action" role="status" aria-live="polite">
        <h3>Account deleted</h3>
        <p className="notice notice-success">
          Everything we held about you is erased. <a href="/">Back to the course</a> starts afresh as a new learner.
        </p>
      </div>
    );
  }
  return (
    <div className="privacy-action danger-zone">
      <h3>Delete my account</h3>
      <p>
        Erases your profile, progress, answers and everything else for good. This cannot be undone; download your data first if
        you want a copy.
      </p>
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-labelledby="confirm-delete-title" aria-describedby="confirm-delete-text">
          <p id="confirm-delete-title">
            <strong>Delete your account and all your data?</strong>
          </p>
          <p id="confirm-delete-text">Your progress cannot be recovered afterwards.</p>
          <div className="form-actions">
            <button type="button" className="button-danger" disabled={state.status === 'working'} onClick={() => void erase()}>
              {state.status === 'working' ? 'Deleting…' : 'Yes, delete everything'}
            </button>
            <button
              type="button"
              className="button-secondary"
              disabled={state.status === 'working'}
              onClick={() => setConfirming(false)}
            >
              Keep my account
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
          Delete my account…
        </button>
      )}
      {state.status === 'error' ? <ErrorNotice error={state.error} /> : null}
    </div>
  );
}
