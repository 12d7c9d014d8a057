import AnswerFeedback from './AnswerFeedback';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import LessonLinks from './LessonLinks';
import {
  ApiError,
  createConversation,
  getConversation,
  listConversations,
  streamAnswer,
  streamConversationMessage,
  type AnswerCitation,
  type AnswerResult,
  type AskScope,
  type ConversationMessage,
  type ConversationSummary,
} from '../lib/api';

/** The conversation on screen: its earlier turns (the latest answer is shown live below them). */
interface Thread {
  id: string;
  scope: AskScope;
  turns: { question: string; answer: ConversationMessage }[];
}

/** Questions paired with their answers, as a conversation stores them. */
function turnsOf(messages: ConversationMessage[]): Thread['turns'] {
  return messages.flatMap((m, i) => {
    const answer = messages[i + 1];
    return m.role === 'learner' && answer?.role === 'answer' ? [{ question: m.text, answer }] : [];
  });
}

type State =
  | { status: 'idle' }
  | { status: 'streaming'; text: string; citations: AnswerCitation[]; engine: AnswerResult['engine'] | null }
  | { status: 'done'; answer: AnswerResult }
  | { status: 'stopped'; text: string }
  | { status: 'error'; message: string };

const SCOPES: { id: AskScope; label: string; lessonOnly?: boolean }[] = [
  { id: 'lesson', label: 'This lesson', lessonOnly: true },
  { id: 'course', label: 'Whole course' },
  { id: 'all', label: 'Course and documents' },
];

/** The answer's text with each [n] marker a link to its citation below. */
function AnswerText({ text, idPrefix }: { text: string; idPrefix: string }) {
  return (
    <p className="answer-text">
      {text.split(/(\[\d{1,3}\])/).map((part, i) => {
        const marker = /^\[(\d{1,3})\]$/.exec(part);
        return marker ? (
          <sup key={i}>
            <a href={`#${idPrefix}-cite-${marker[1]}`} aria-label={`Source ${marker[1]}`}>
              [{marker[1]}]
            </a>
          </sup>
        ) : (
          <span key={i}>{part}</span>
        );
      })}
    </p>
  );
}

function Citations({ citations, idPrefix }: { citations: AnswerCitation[]; idPrefix: string }) {
  if (citations.length === 0) return null;
  return (
    <ol className="answer-citations" aria-label="Sources">
      {citations.map((c) => (
        <li key={c.n} id={`${idPrefix}-cite-${c.n}`} value={c.n}>
          <a href={c.href}>{[c.title, ...c.headingPath].join(' › ')}</a>
          {c.kind === 'source' && c.page ? <span className="muted"> (page {c.page})</span> : null}
          <blockquote>{c.quote}</blockquote>
        </li>
      ))}
    </ol>
  );
}

/**
 * Ask the course: a question answered from the lessons (and, if chosen, the uploaded
 * documents), streamed as it is verified, every sentence linked to the passage it rests
 * on. On a lesson it starts scoped to that lesson. Ctrl+Enter asks, Escape stops.
 */
export default function AskPanel({
  lessonSlug,
  initialScope,
  conversations = false,
}: {
  lessonSlug?: string;
  initialScope?: AskScope;
  /** Keep questions in conversations (the /ask/ page): follow-ups read with the question before, past ones listed. */
  conversations?: boolean;
}) {
  const id = useId().replace(/:/g, '');
  const [question, setQuestion] = useState('');
  const [scope, setScope] = useState<AskScope>(initialScope ?? (lessonSlug ? 'lesson' : 'course'));
  const [state, setState] = useState<State>({ status: 'idle' });
  const [thread, setThread] = useState<Thread | null>(null);
  /** The question whose answer is on screen, to move into the thread when the next is asked. */
  const asked = useRef<string | null>(null);
  const [past, setPast] = useState<ConversationSummary[]>([]);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);
  const refreshPast = () => {
    if (conversations) listConversations().then(setPast, () => undefined);
  };
  useEffect(refreshPast, [conversations]);

  const openConversation = async (conversationId: string | null) => {
    controller.current?.abort();
    asked.current = null;
    setState({ status: 'idle' });
    if (conversationId === null) {
      setThread(null);
      return;
    }
    try {
      const found = await getConversation(conversationId);
      setThread({ id: found.id, scope: found.scope, turns: turnsOf(found.messages) });
      setScope(found.scope);
    } catch {
      setState({ status: 'error', message: 'That conversation could not be opened. Try again.' });
    }
  };

  /** The answer stream for this question: within the conversation (started on the first question), or alone. */
  const answerStream = async (text: string, signal: AbortSignal) => {
    if (!conversations) return streamAnswer({ question: text, scope, ...(lessonSlug ? { lessonSlug } : {}) }, signal);
    let current = thread;
    if (!current) {
      const started = await createConversation({ title: text.slice(0, 120), scope, ...(lessonSlug ? { lessonSlug } : {}) });
      current = { id: started.id, scope: started.scope, turns: [] };
    } else if (asked.current !== null && state.status === 'done') {
      const answer = state.answer;
      const turn = {
        question: asked.current,
        answer: {
          role: 'answer' as const,
          text: answer.answer,
          query: null,
          citations: answer.citations,
          engine: answer.engine,
          createdAt: '',
        },
      };
      current = { ...current, turns: [...current.turns, turn] };
    }
    setThread(current);
    return streamConversationMessage(current.id, text, signal);
  };

  const stop = () => {
    controller.current?.abort();
    controller.current = null;
    setState((s) => (s.status === 'streaming' ? { status: 'stopped', text: s.text } : s));
  };

  const ask = async (event?: FormEvent) => {
    event?.preventDefault();
    const trimmed = question.trim();
    if (trimmed === '' || state.status === 'streaming') return;
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    try {
      const events = await answerStream(trimmed, abort.signal);
      asked.current = trimmed;
      setState({ status: 'streaming', text: '', citations: [], engine: null });
      for await (const e of events) {
        if (abort.signal.aborted) return;
        if (e.event === 'meta') setState((s) => (s.status === 'streaming' ? { ...s, engine: e.data.engine } : s));
        else if (e.event === 'citations') setState((s) => (s.status === 'streaming' ? { ...s, citations: e.data.citations } : s));
        else if (e.event === 'delta') setState((s) => (s.status === 'streaming' ? { ...s, text: s.text + e.data.text } : s));
        else if (e.event === 'done') {
          setState({ status: 'done', answer: e.data });
          // In a conversation the box empties for the follow-up; a lone question stays, to rephrase.
          if (conversations) setQuestion('');
        } else if (e.event === 'error') setState({ status: 'error', message: e.data.detail });
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      const message =
        error instanceof ApiError
          ? error.problem?.errors?.[0]?.message
            ? `Your question ${error.problem.errors[0].message}.`
            : error.message
          : 'The answer could not be loaded. Check your connection and try again.';
      setState({ status: 'error', message });
    } finally {
      if (controller.current === abort) controller.current = null;
      refreshPast();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void ask();
    if (event.key === 'Escape' && state.status === 'streaming') stop();
  };

  const streaming = state.status === 'streaming';
  const inThread = conversations && thread !== null;
  const formView = (
    <form onSubmit={(e) => void ask(e)}>
      <label htmlFor={`${id}-question`}>Your question</label>
      <textarea
        id={`${id}-question`}
        value={question}
        maxLength={1000}
        rows={3}
        placeholder={lessonSlug ? 'What is unclear in this lesson?' : 'For example: how do I keep only some rows?'}
        onChange={(e) => setQuestion(e.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={`${id}-hint`}
      />
      <p id={`${id}-hint`} className="muted small">
        {inThread ? 'A follow-up is read with your question before it. ' : ''}
        Answers come only from the course, each sentence linked to its source. Ctrl+Enter asks, Escape stops.
      </p>
      <fieldset className="ask-scope" disabled={inThread}>
        <legend>Look in</legend>
        {SCOPES.filter((s) => !s.lessonOnly || lessonSlug).map((s) => (
          <label key={s.id}>
            <input type="radio" name={`${id}-scope`} value={s.id} checked={scope === s.id} onChange={() => setScope(s.id)} />{' '}
            {s.label}
          </label>
        ))}
      </fieldset>
      <div className="ask-actions">
        <button type="submit" disabled={streaming || question.trim() === ''}>
          Ask
        </button>
        {streaming ? (
          <button type="button" className="button-secondary" onClick={stop}>
            Stop
          </button>
        ) : null}
      </div>
    </form>
  );
  const answerView = (
    <div className="ask-answer" aria-live="polite" aria-busy={streaming}>
      {streaming ? (
        <>
          {state.text ? <AnswerText text={state.text} idPrefix={id} /> : <p className="status">Looking through the course…</p>}
          <Citations citations={state.citations} idPrefix={id} />
        </>
      ) : null}
      {state.status === 'stopped' ? (
        <>
          {state.text ? <AnswerText text={state.text} idPrefix={id} /> : null}
          <p className="muted">Stopped. Ask again when you are ready.</p>
        </>
      ) : null}
      {state.status === 'error' ? (
        <p className="error" role="alert">
          {state.message}
        </p>
      ) : null}
      {state.status === 'done' ? <Answered answer={state.answer} idPrefix={id} /> : null}
    </div>
  );
  return (
    <section className="ask-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Ask the course</h2>
      {conversations ? (
        <nav className="ask-conversations" aria-label="Your conversations">
          <button type="button" className="button-secondary" onClick={() => void openConversation(null)} disabled={!inThread}>
            New conversation
          </button>
          {past.length > 0 ? (
            <ul>
              {past.map((p) => (
                <li key={p.id}>
                  <button
                    type="button"
                    className="link-button"
                    aria-current={thread?.id === p.id ? 'true' : undefined}
                    onClick={() => void openConversation(p.id)}
                  >
                    {p.title}
                  </button>{' '}
                  <span className="muted small">({Math.floor(p.messages / 2)} asked)</span>
                </li>
              ))}
            </ul>
          ) : null}
        </nav>
      ) : null}
      {inThread
        ? thread.turns.map((turn, i) => (
            <div className="ask-turn" key={i}>
              <p className="ask-turn-question">
                <span className="visually-hidden">You asked: </span>
                {turn.question}
              </p>
              <AnswerText text={turn.answer.text} idPrefix={`${id}-t${i}`} />
              <Citations citations={turn.answer.citations} idPrefix={`${id}-t${i}`} />
            </div>
          ))
        : null}
      {inThread && asked.current && state.status !== 'idle' ? (
        <p className="ask-turn-question">
          <span className="visually-hidden">You asked: </span>
          {asked.current}
        </p>
      ) : null}
      {conversations ? null : formView}
      {answerView}
      {conversations ? formView : null}
    </section>
  );
}

function Answered({ answer, idPrefix }: { answer: AnswerResult; idPrefix: string }) {
  return (
    <>
      {answer.covered ? (
        <AnswerText text={answer.answer} idPrefix={idPrefix} />
      ) : (
        <p className="answer-text">The course does not cover this. Try other words, or one of the lessons below.</p>
      )}
      <Citations citations={answer.citations} idPrefix={idPrefix} />
      <p className="muted small answer-engine">
        {answer.engine === 'model' ? 'Written by a language model from the course' : 'Quoted from the course without a model'}
        {answer.cached ? ' · answered before' : ''}
        {answer.engineNote ? ` · ${answer.engineNote}` : ''}
      </p>
      <LessonLinks title="Related lessons" className="answer-suggestions" lessons={answer.suggestions} />
      <AnswerFeedback key={answer.answerId} answerId={answer.answerId} idPrefix={idPrefix} />
    </>
  );
}
