import type { ItemAnalysis } from './analytics.domain';
import type { LessonFigures, ModelHealth, Overview } from './analytics.store';

type Format = 'markdown' | 'csv';
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fixed = (x: number | null, digits = 3) => (x === null ? '' : x.toFixed(digits));

/**
 * A table as markdown or CSV: the one writer of every report (usage, experiments, items,
 * weekly). Markdown escapes pipes and right-aligns the columns from `numericFrom`; CSV
 * quotes cells as RFC 4180 needs.
 */
export function table(header: string[], rows: string[][], format: Format, numericFrom = Number.POSITIVE_INFINITY): string {
  if (format === 'csv') {
    const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
  }
  const line = (r: string[]) => `| ${r.map((c) => c.replaceAll('|', '\\|').replaceAll('\n', ' ')).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (i >= numericFrom ? '---:' : '---')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}

/** Quiz item analysis, flagged items first. */
export function itemsTable(items: readonly ItemAnalysis[], format: Format): string {
  const sorted = [...items].sort((a, b) => b.flags.length - a.flags.length || a.itemId.localeCompare(b.itemId));
  return table(
    ['item', 'lesson', 'answers', 'share right', 'discrimination', 'choices (share picked, * the key)', 'flags'],
    sorted.map((i) => [
      i.itemId,
      i.lessonSlug,
      String(i.answers),
      pct(i.difficulty),
      fixed(i.discrimination, 2),
      i.choices.map((c) => `${c.key ? '*' : ''}${c.answer}: ${pct(c.share)}`).join('; '),
      i.flags.join(' '),
    ]),
    format,
  );
}

/** The week's figures for the team: active learners, funnel, retention, lessons and model health. */
export function weeklyReport(
  input: { overview: Overview; lessons: readonly LessonFigures[]; health: ModelHealth },
  format: Format,
): string {
  const { overview, lessons, health } = input;
  const sections: [string, string][] = [
    [
      'Active learners',
      table(
        ['today', 'last 7 days', 'last 30 days'],
        [[overview.activeLearners.day, overview.activeLearners.week, overview.activeLearners.month].map(String)],
        format,
      ),
    ],
    [
      'Funnel',
      table(
        ['step', 'learners', 'share'],
        overview.funnel.map((s) => [s.step, String(s.learners), pct(s.share)]),
        format,
      ),
    ],
    [
      'Retention by weekly cohort',
      table(
        [
          'cohort',
          'learners',
          ...Array.from({ length: Math.max(1, ...overview.retention.map((c) => c.weeks.length)) }, (_, k) => `week ${k}`),
        ],
        overview.retention.map((c) => [c.cohort, String(c.learners), ...c.weeks.map(pct)]),
        format,
      ),
    ],
    [
      'Lessons',
      table(
        ['lesson', 'opened', 'completed', 'completion', 'drop-off', 'minutes per learner'],
        lessons.map((l) => [
          l.title,
          String(l.started),
          String(l.completed),
          pct(l.completionRate),
          pct(l.dropOff),
          l.minutesPerStarter.toFixed(1),
        ]),
        format,
      ),
    ],
    [
      'Learner model',
      table(
        ['model', 'predictions', 'AUC', 'log-loss', 'predicted', 'observed', 'drift'],
        health.models.map((m) => [
          m.model,
          String(m.overall.predictions),
          fixed(m.overall.auc),
          fixed(m.overall.logLoss),
          pct(m.overall.meanPredicted),
          pct(m.overall.observed),
          m.drift ?? '',
        ]),
        format,
      ),
    ],
  ];
  if (format === 'csv') return sections.map(([title, body]) => `# ${title}\n${body}`).join('\n');
  return [`# Weekly report to ${overview.today}`, '', ...sections.map(([title, body]) => `## ${title}\n\n${body}`)].join('\n');
}
