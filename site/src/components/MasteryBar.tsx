import type { ConceptMastery } from '../lib/api';
import { capitalize, formatPercent, percent } from '../lib/format';

/**
 * One concept's mastery: its name, level and mastery (P(known)) as text, with a bar beside it.
 * The bar repeats the number, so it is hidden from screen readers.
 */
export default function MasteryBar({
  mastery,
}: {
  mastery: Pick<ConceptMastery, 'title' | 'pKnown' | 'level' | 'attempts' | 'correct'>;
}) {
  return (
    <div className="mastery">
      <p className="mastery-label">
        <span className="mastery-title">{mastery.title}</span>{' '}
        <span className={`badge badge-level badge-level-${mastery.level.replace(' ', '-')}`}>{capitalize(mastery.level)}</span>
      </p>
      <div className="bar-row">
        <div className="bar" aria-hidden="true">
          <div className="bar-fill" style={{ width: `${percent(mastery.pKnown)}%` }} />
        </div>
        <span className="bar-value">
          <span className="visually-hidden">Mastery: </span>
          {formatPercent(mastery.pKnown)}
        </span>
      </div>
      <p className="mastery-detail muted">
        {mastery.attempts > 0
          ? `${mastery.correct} of ${mastery.attempts} ${mastery.attempts === 1 ? 'answer' : 'answers'} correct`
          : mastery.level === 'not started'
            ? 'No answers yet'
            : 'From your placement test'}
      </p>
    </div>
  );
}
