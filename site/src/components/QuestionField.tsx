import { useEffect, useState, type Ref } from 'react';
import type { Answer, Question } from '../lib/api';

interface Props {
  question: Question;
  value: Answer | undefined;
  onChange: (value: Answer | undefined) => void;
  error?: string | undefined;
  /** Receives the question's heading, so a step change can move focus to it. */
  headingRef?: Ref<HTMLHeadingElement>;
}

/**
 * One onboarding question as native form controls: a radio group, a set of
 * checkboxes, or a slider with a number box. The prompt is the group's legend.
 */
export default function QuestionField({ question, value, onChange, error, headingRef }: Props) {
  const base = `q-${question.id}`;
  const describedBy = [question.help ? `${base}-help` : '', error ? `${base}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset
      className={error ? 'question question-invalid' : 'question'}
      aria-describedby={describedBy || undefined}
      aria-invalid={error ? true : undefined}
    >
      <legend>
        <h2 id={`${base}-prompt`} ref={headingRef} tabIndex={-1}>
          {question.prompt}
        </h2>
      </legend>
      {question.help ? (
        <p id={`${base}-help`} className="question-help">
          {question.help}
        </p>
      ) : null}
      {question.type === 'number' ? (
        <NumberControl question={question} value={typeof value === 'number' ? value : undefined} onChange={onChange} />
      ) : (
        <div className="choices">
          {question.options.map((option) => {
            const selected = question.type === 'multi' ? Array.isArray(value) && value.includes(option.id) : value === option.id;
            const toggle = () => {
              if (question.type === 'single') return onChange(option.id);
              const current = Array.isArray(value) ? value : [];
              const next = selected ? current.filter((id) => id !== option.id) : [...current, option.id];
              // Keep the course's order, whatever order the boxes were ticked in.
              const order = question.options.map((o) => o.id);
              onChange(next.sort((a, b) => order.indexOf(a) - order.indexOf(b)));
            };
            return (
              <label key={option.id} className="choice">
                <input
                  type={question.type === 'multi' ? 'checkbox' : 'radio'}
                  name={question.id}
                  value={option.id}
                  checked={selected}
                  onChange={toggle}
                />
                <span className="choice-text">
                  <span className="choice-label">{option.label}</span>
                  {option.description ? <span className="choice-description">{option.description}</span> : null}
                </span>
              </label>
            );
          })}
        </div>
      )}
      {error ? (
        <p id={`${base}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function NumberControl({
  question,
  value,
  onChange,
}: {
  question: Question;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
}) {
  const { id, min, max, step = 1, unit } = question;
  // The box keeps what is typed (even "" or "3") while the answer holds only valid numbers.
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => {
    if (value !== undefined && Number(text) !== value) setText(String(value));
    // Only an outside change (the slider, loaded preferences) rewrites the box.
  }, [value]);

  const accept = (raw: string) => {
    setText(raw);
    const n = Number(raw);
    const valid = raw.trim() !== '' && Number.isInteger(n) && n >= (min ?? -Infinity) && n <= (max ?? Infinity);
    onChange(valid ? n : undefined);
  };
  const range = min !== undefined && max !== undefined ? `${min} to ${max}${unit ? ` ${unit}` : ''}` : null;

  return (
    <div className="number-control">
      {min !== undefined && max !== undefined ? (
        <input
          type="range"
          id={`q-${id}-range`}
          aria-labelledby={`q-${id}-prompt`}
          aria-valuetext={value === undefined ? undefined : `${value}${unit ? ` ${unit}` : ''}`}
          min={min}
          max={max}
          step={step}
          value={value ?? question.default ?? min}
          onChange={(event) => accept(event.target.value)}
        />
      ) : null}
      <label className="number-box">
        <input
          type="number"
          id={`q-${id}-number`}
          inputMode="numeric"
          min={min}
          max={max}
          step={step}
          value={text}
          aria-labelledby={`q-${id}-prompt q-${id}-unit`}
          aria-describedby={range ? `q-${id}-range-hint` : undefined}
          onChange={(event) => accept(event.target.value)}
        />
        <span id={`q-${id}-unit`}>{unit ?? ''}</span>
      </label>
      {range ? (
        <p id={`q-${id}-range-hint`} className="question-help">
          From {range}.
        </p>
      ) : null}
    </div>
  );
}
