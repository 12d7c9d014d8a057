import type { ReactNode, Ref } from 'react';
import type { ConceptMastery } from '../lib/api';
import InlineText from './InlineText';
import MasteryBar from './MasteryBar';

interface ChoiceQuestionProps {
  /** Unique on the page: names the radio group and ids its heading. */
  id: string;
  question: string;
  choices: readonly string[];
  value: number | null;
  onChange: (choice: number) => void;
  /** The choices are read-only while an answer is sent, and once it is graded. */
  locked: boolean;
  /** Once graded: the index of the right choice (null when the API did not say). */
  correctIndex?: number | null | undefined;
  error?: string | null | undefined;
  headingRef?: Ref<HTMLHeadingElement>;
}

/**
 * A multiple-choice question as a native radio group; the question is the legend.
 * After grading, the right choice and a wrong pick are marked in words, not only colour.
 */
export function ChoiceQuestion({
  id,
  question,
  choices,
  value,
  onChange,
  locked,
  correctIndex,
  error,
  headingRef,
}: ChoiceQuestionProps) {
  const graded = correctIndex !== undefined;
  return (
    <fieldset
      className={error ? 'question question-invalid' : 'question'}
      aria-describedby={error ? `${id}-error` : undefined}
      aria-invalid={error ? true : undefined}
    >
      <legend>
        <h3 id={`${id}-prompt`} ref={headingRef} tabIndex={-1}>
          <InlineText text={question} />
        </h3>
      </legend>
      <div className="choices">
        {choices.map((choice, index) => {
          const right = graded && index === correctIndex;
          const wrongPick = graded && index === value && index !== correctIndex;
          return (
            <label key={index} className={right ? 'choice choice-right' : wrongPick ? 'choice choice-wrong' : 'choice'}>
              <input
                type="radio"
                name={id}
                value={index}
                checked={value === index}
                disabled={locked}
                onChange={() => onChange(index)}
              />
              <span className="choice-text">
                <span className="choice-label">
                  <InlineText text={choice} />
                </span>
                {right ? <span className="choice-mark">Right answer</span> : null}
                {wrongPick ? <span className="choice-mark">Your answer</span> : null}
              </span>
            </label>
          );
        })}
      </div>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

interface AnswerFeedbackProps {
  /** Unique on the page: ids the feedback's heading. */
  id: string;
  correct: boolean | null;
  choices: readonly string[];
  answer: number | null;
  explanation: string;
  mastery: ConceptMastery | null;
  headingRef?: Ref<HTMLHeadingElement>;
  children?: ReactNode;
}

/** What a graded answer tells the learner: right or not, the right choice, why, and the concept's mastery now. */
export function AnswerFeedback({
  id,
  correct,
  choices,
  answer,
  explanation,
  mastery,
  headingRef,
  children,
}: AnswerFeedbackProps) {
  const right = answer === null ? undefined : choices[answer];
  return (
    <section className={`feedback ${correct === false ? 'feedback-wrong' : 'feedback-right'}`} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} ref={headingRef} tabIndex={-1}>
        {correct === null ? 'Reviewed' : correct ? 'Correct' : 'Not quite'}
      </h3>
      {correct === false && right !== undefined ? (
        <p>
          The right answer is: <InlineText text={right} />
        </p>
      ) : null}
      {explanation ? (
        <p className="feedback-explanation">
          <InlineText text={explanation} />
        </p>
      ) : null}
      {mastery ? (
        <div className="feedback-mastery">
          <h4>Your mastery of this concept</h4>
          <MasteryBar mastery={mastery} />
        </div>
      ) : null}
      {children}
    </section>
  );
}
