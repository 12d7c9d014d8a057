import type { ChatMessage, TextGenerator } from '../../platform/text-generator';
import type { WeeklySummary } from './summary.schemas';

type Insights = WeeklySummary['insights'];

/** The longest sentence a model may give back. */
const MAX_SENTENCE = 300;

/** The numbers a text states, in order (percent signs and units aside). */
export function numbersIn(text: string): number[] {
  return (text.match(/\d+(?:\.\d+)?/g) ?? []).map(Number);
}

export function phrasingMessages(insights: Insights): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        'You rephrase the sentences of a learner’s weekly practice summary so they read warmly and plainly, in the second person. ' +
        'Keep every number exactly as written, add no number, claim nothing the sentence does not say. ' +
        'Answer with a JSON array of strings only: one sentence for each sentence given, in the same order.',
    },
    { role: 'user', content: JSON.stringify(insights.map((i) => i.text)) },
  ];
}

const sameNumbers = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && [...a].sort((x, y) => x - y).every((n, i) => n === [...b].sort((x, y) => x - y)[i]);

/**
 * The model's sentences where each states exactly the numbers of the one it rephrases
 * (and is short, plain text); any other keeps the offline sentence. Null when the
 * answer is not a JSON array of as many strings.
 */
export function checkedPhrasing(insights: Insights, answer: string): { insights: Insights; phrased: number } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== insights.length || !parsed.every((s) => typeof s === 'string')) return null;
  let phrased = 0;
  const checked = insights.map((insight, i) => {
    const text = String(parsed[i]).trim();
    const ok =
      text.length > 0 &&
      text.length <= MAX_SENTENCE &&
      !/[<>`*#]/.test(text) &&
      sameNumbers(numbersIn(text), numbersIn(insight.text));
    if (!ok) return insight;
    phrased++;
    return { ...insight, text };
  });
  return { insights: checked, phrased };
}

/** The insights as the configured model phrases them, numbers checked; null when it kept none (a failed call throws). */
export async function phraseInsights(generator: TextGenerator, insights: Insights): Promise<Insights | null> {
  const generation = await generator.generate(phrasingMessages(insights), { feature: 'summaries' });
  const checked = checkedPhrasing(insights, generation.text);
  return checked && checked.phrased > 0 ? checked.insights : null;
}
