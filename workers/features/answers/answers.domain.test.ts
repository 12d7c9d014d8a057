import { describe, expect, it } from 'vitest';
import {
  checkClaim,
  composeAnswer,
  definedTerm,
  extractiveAnswer,
  normalizeQuestion,
  NOT_COVERED,
  parseAnswer,
  sentencesOf,
  verifyAnswer,
  withoutMarkup,
  type Passage,
} from './answers.domain';
import { memoStemmer } from '../search/search.relevance';

const passage = (n: number, text: string, over: Partial<Passage> = {}): Passage => ({
  n,
  kind: 'lesson',
  itemId: `lesson-${n}`,
  courseId: 'practical-sql',
  title: `Lesson ${n}`,
  headingPath: ['Section'],
  anchor: 'section',
  page: null,
  text,
  ...over,
});

const WHERE = passage(
  1,
  'A query returns every row unless you say otherwise. The WHERE clause keeps only the rows for which its condition is true. Rows where the condition is false or NULL are left out.',
);
const ORDER = passage(2, 'ORDER BY sorts the result rows by one or more columns. Without it the order of rows is not defined.');

describe('sentences', () => {
  it('answers a question writing a comparison with the sentences that write it, not those about a neighbouring one', () => {
    const isNull = passage(
      1,
      'Use IS NULL and IS NOT NULL to test for a missing value. These always return true or false, never NULL.',
    );
    const spreads = passage(
      2,
      "NULL spreads through expressions. Comparisons behave the same way: `genre = 'poetry'` is NULL when genre is NULL, and so is `NULL = NULL`.",
    );
    const quoted = extractiveAnswer('what does NULL = NULL return?', [isNull, spreads]).map((s) => s.text);
    expect(quoted).toEqual([
      "Comparisons behave the same way: `genre = 'poetry'` is NULL when genre is NULL, and so is `NULL = NULL`.",
    ]);
    // Without a comparison written, the question is answered as before: from the passage about IS NULL.
    expect(extractiveAnswer('what do IS NULL tests return?', [isNull, spreads]).some((a) => a.cites.includes(1))).toBe(true);
  });

  it("quotes whole sentences of prose: no table row and no fragment a split left, though each holds the question's words", () => {
    // As `chunkProse` gives a lesson: a table's rows are blocks of their own (joined with " · ").
    const counting = passage(
      1,
      'COUNT(DISTINCT expr) counts different non-NULL values. · all_rows, with_year, distinct_values, counts · 12, 10, 7, 3 · ' +
        'So in SQLite, "all or nothing" holds only if your code checks every statement and issues ROLLBACK when one fails. · ' +
        'your code checks every statement and issues ROLLBACK when one fails · books.author_id counts as NULL for a book with no author.',
    );
    const quoted = (question: string) => extractiveAnswer(question, [counting]).map((s) => s.text);
    expect(quoted('how do I count distinct values')).toEqual(['COUNT(DISTINCT expr) counts different non-NULL values.']);
    expect(quoted('what does my code do when a statement fails, ROLLBACK?')).toEqual([
      'So in SQLite, "all or nothing" holds only if your code checks every statement and issues ROLLBACK when one fails.',
    ]);
    // A sentence may begin with code.
    expect(quoted('is books.author_id NULL for a book with no author')).toContain(
      'books.author_id counts as NULL for a book with no author.',
    );
  });
  it('splits prose after end punctuation before a capital and at block joins, not inside numbers or code', () => {
    expect(sentencesOf('It costs 3.5 dollars. Then WHERE x = 1.5 runs · Next block here.')).toEqual([
      'It costs 3.5 dollars.',
      'Then WHERE x = 1.5 runs',
      'Next block here.',
    ]);
  });
});

describe('offline engine', () => {
  it('answers with the sentences holding the question’s content words, citing their passages', () => {
    const sentences = extractiveAnswer('How do I keep only some rows with a condition?', [WHERE, ORDER]);
    expect(sentences[0]).toEqual({ text: 'The WHERE clause keeps only the rows for which its condition is true.', cites: [1] });
    expect(sentences.every((s) => s.cites.length === 1)).toBe(true);
  });

  it('answers without the words that only frame the question (new, already, bad choice): they need not be in the answer', () => {
    const altering = passage(
      1,
      'In SQLite, ALTER TABLE can rename a table, rename a column and add a column. Rows already stored keep their values. A new table name must not exist in the schema yet. A new table starts empty.',
      { headingPath: ['Changing tables'] },
    );
    expect(extractiveAnswer('how do i add a new column to a table that already exists', [altering])).toEqual([
      { text: 'In SQLite, ALTER TABLE can rename a table, rename a column and add a column.', cites: [1] },
    ]);
    // A question of framing words alone is still about them.
    expect(extractiveAnswer('what is a new table?', [altering]).map((s) => s.text)).toContain('A new table starts empty.');
  });

  it('gives nothing for a question of function words, or about nothing the passages hold', () => {
    expect(extractiveAnswer('how do I', [WHERE])).toEqual([]);
    expect(extractiveAnswer('bake sourdough bread', [WHERE, ORDER])).toEqual([]);
    // One word of four in the passages: the question is about something else.
    expect(extractiveAnswer('how do I bake sourdough bread in rows', [WHERE, ORDER])).toEqual([]);
  });

  it('defines a term only from passages holding all of it: sentences about conditions do not define a sargable condition', () => {
    expect(extractiveAnswer('What is a sargable condition?', [WHERE, ORDER])).toEqual([]);
    expect(extractiveAnswer('what does sargable condition mean', [WHERE, ORDER])).toEqual([]);
    expect(extractiveAnswer('Define a sargable condition', [WHERE, ORDER])).toEqual([]);
    // The whole term in the passages: answered.
    expect(extractiveAnswer('What is the WHERE condition?', [WHERE, ORDER])[0]?.cites).toEqual([1]);
    // A longer question asks more than a definition: half its words still answer it.
    expect(extractiveAnswer('what is a good way to write a condition on rows', [WHERE, ORDER])[0]?.cites).toEqual([1]);
    expect(definedTerm('What’s a primary key?')).toBe('primary key');
    expect(definedTerm('what does idempotent mean?')).toBe('idempotent');
    expect(definedTerm('what is the best way to learn all of SQL')).toBeNull();
    expect(definedTerm('What exactly is a database schema?')).toBe('schema');
    expect(definedTerm('what does COALESCE do?')).toBe('COALESCE');
    expect(definedTerm('What is SQL?')).toBe('SQL');
  });

  it('leads a definition with the sentence saying what the term is, from whichever passage holds it', () => {
    const uses = passage(
      1,
      'A NULL foreign key is allowed and means no reference. Every foreign key value must match a row in the other table.',
    );
    const model = passage(
      2,
      'The books table stores author_id. A column like this is called a foreign key. It points at one row of authors.',
    );
    const sentences = extractiveAnswer('what is a foreign key', [uses, model]);
    expect(sentences[0]).toEqual({ text: 'A column like this is called a foreign key.', cites: [2] });
    // A verb made from the term is not the term: the sentence saying what joins are leads.
    const joining = passage(5, 'Joining the wrong columns in a self-join. Joins combine tables side by side: they add columns.');
    expect(extractiveAnswer('what is a join?', [joining])[0]?.text).toBe('Joins combine tables side by side: they add columns.');
    // A term in capitals keeps its keywords (ON) and is about nothing else ("do").
    const cascade = passage(4, 'With ON DELETE CASCADE, deleting a parent row deletes its child rows as well.');
    expect(extractiveAnswer('What does ON DELETE CASCADE do?', [cascade])[0]?.cites).toEqual([4]);
    const schema = passage(
      3,
      'Queries read the schema before they run. The schema is the collection of table definitions and their rules.',
    );
    expect(extractiveAnswer('What exactly is a database schema?', [schema])[0]?.text).toBe(
      'The schema is the collection of table definitions and their rules.',
    );
  });

  it('weighs the question’s words by their rarity in the whole index: a question whose rare words the course never uses is not answered', () => {
    const DELETE = passage(
      3,
      'Many systems keep rows for a long time and set a status column instead of deleting them: a soft delete.',
    );
    // Two of five words in the passages ("long", "soft") pass a count of words, but the index
    // holds "long" in many chunks and never "boil", "egg" or "yolk": the question is about eggs.
    const corpus = {
      chunks: 600,
      documents: new Map([
        ['long', 40],
        ['soft', 2],
      ]),
      corrected: new Map<string, string>(),
    };
    const question = 'How long should I boil an egg to get a soft yolk?';
    expect(extractiveAnswer(question, [DELETE, WHERE], corpus)).toEqual([]);
    // Without the index's counts every word weighs the same (two of five hold).
    expect(extractiveAnswer(question, [DELETE, WHERE])).not.toEqual([]);
    // A question the passages hold the rare words of is answered, however common its other words.
    const rows = {
      chunks: 600,
      documents: new Map([
        ['row', 300],
        ['condit', 30],
        ['keep', 25],
      ]),
      corrected: new Map(),
    };
    expect(extractiveAnswer('How do I keep only some rows with a condition?', [WHERE, ORDER], rows)[0]?.cites).toEqual([1]);
    // A misspelt word is read as the index read it: "conditon" is "condit".
    const misspelt = { ...rows, corrected: new Map([['conditon', 'condit']]) };
    expect(extractiveAnswer('How do I keep only some rows with a conditon?', [WHERE, ORDER], misspelt)[0]?.cites).toEqual([1]);
  });

  it('refuses a question about a tool the index never mentions, named after with, in, from, using or via', () => {
    const DIALECTS = passage(
      3,
      'Integer division in SQLite, like PostgreSQL, discards the fraction: 7 / 2 is 3. A running average uses AVG over a window frame of rows.',
    );
    const corpus = {
      chunks: 600,
      documents: new Map([
        ['postgresql', 3],
        ['connect', 2],
        ['row', 300],
        ['averag', 12],
        ['run', 20],
        ['explain', 9],
        ['plain', 4],
        ['divis', 2],
      ]),
      corrected: new Map<string, string>([[memoStemmer()('avrage'), 'averag']]),
    };
    const base = 'How do I compute a running average over rows';
    expect(extractiveAnswer(`${base}?`, [DIALECTS], corpus)[0]?.cites).toEqual([3]);
    // The index never mentions Java, pandas or Polars: the course does not cover them, whatever else it holds.
    for (const tool of ['from Java', 'with pandas', 'using Polars', 'via dbt', 'in Excel']) {
      expect(extractiveAnswer(`${base} ${tool}?`, [DIALECTS], corpus), tool).toEqual([]);
    }
    // Words the index holds, misspelt ones it corrects, identifiers, numbers and ways of saying are no such name.
    for (const words of ['in PostgreSQL', 'with averages', 'with avrage', 'with order_items in 2024', 'in plain English']) {
      expect(extractiveAnswer(`${base} ${words}?`, [DIALECTS], corpus)[0]?.cites, words).toEqual([3]);
    }
  });

  it('refuses a question naming in capitals a schema statement no passage shows, and answers one a passage shows', () => {
    const NORMAL = passage(
      4,
      'Only do it after measuring a real bottleneck. Every change to order_items must now also update the copy, through application code or a trigger.',
    );
    const SHOWN = passage(5, 'CREATE  INDEX idx_orders_customer ON orders (customer_id); makes the lookup by customer fast.');
    // The course mentions triggers, never how CREATE TRIGGER is written: not an answer to its syntax.
    expect(extractiveAnswer('What is the syntax of CREATE TRIGGER to update the copy?', [NORMAL, SHOWN])).toEqual([]);
    expect(extractiveAnswer('How do I CREATE OR REPLACE VIEW to update the copy?', [NORMAL, SHOWN])).toEqual([]);
    // A statement a passage writes (whitespace aside) is answered; so is the same question in lower case.
    expect(extractiveAnswer('Why does CREATE INDEX make the lookup by customer fast?', [NORMAL, SHOWN])[0]?.cites).toEqual([5]);
    expect(extractiveAnswer('When must I update the copy with a trigger?', [NORMAL, SHOWN])[0]?.cites).toEqual([4]);
  });

  it('reads a sentence with its passage’s title and headings, which complete its match but do not make it', () => {
    const FROM = passage(
      1,
      'Always give a derived table an alias: SQLite does not require one, but other engines do. The outer query reads it like a table you write yourself.',
      { title: 'Subqueries', headingPath: ['Subqueries in FROM'] },
    );
    const TYPES = passage(
      2,
      'Most engines, such as PostgreSQL and MySQL, use static typing. Give each column the type its values need.',
      { title: 'Data types', headingPath: ['Storage classes: what SQLite really stores'] },
    );
    const CTE = passage(3, 'A CTE means the same thing as a subquery written in FROM, with a name the database stores.');
    const alias = 'Always give a derived table an alias: SQLite does not require one, but other engines do.';
    // "give" and "alias" in the sentence, "subquery" and FROM in its heading: it answers.
    const answered = extractiveAnswer('Do I have to give a subquery in FROM an alias?', [FROM, TYPES, CTE]);
    expect(answered).toContainEqual({ text: alias, cites: [1] });
    // One word of the question in the sentence ("MySQL") and one in its heading ("stores"): not an answer.
    expect(extractiveAnswer('How do I write a stored procedure in MySQL?', [TYPES, FROM, CTE])).toEqual([]);
  });
});

describe('verifying citations, whatever wrote the answer', () => {
  it('keeps a sentence whose cited passage holds its words, and quotes that passage word for word', () => {
    const { kept, removed } = verifyAnswer(parseAnswer('WHERE keeps only the rows whose condition is true [1].'), [WHERE, ORDER]);
    expect(removed).toBe(0);
    expect(kept).toEqual([
      {
        text: 'WHERE keeps only the rows whose condition is true.',
        cites: [{ n: 1, quote: 'The WHERE clause keeps only the rows for which its condition is true.' }],
      },
    ]);
    expect(WHERE.text).toContain(kept[0]?.cites[0]?.quote);
  });

  it('removes a sentence citing a passage that does not say it, one citing no retrieved passage, and one citing nothing', () => {
    const answer = parseAnswer(
      'WHERE deletes the table when the moon is full [1]. ORDER BY sorts the result rows [9]. Rows are fun. ORDER BY sorts the result rows by columns [2].',
    );
    const { kept, removed } = verifyAnswer(answer, [WHERE, ORDER]);
    expect(removed).toBe(3);
    expect(kept.map((k) => k.text)).toEqual(['ORDER BY sorts the result rows by columns.']);
  });

  it('drops only the citation that does not hold, keeping the sentence for the one that does', () => {
    const { kept } = verifyAnswer(parseAnswer('ORDER BY sorts the result rows by one or more columns [1][2].'), [WHERE, ORDER]);
    expect(kept[0]?.cites.map((c) => c.n)).toEqual([2]);
  });
});

describe('composing', () => {
  it('numbers citations by first use, links lessons to their heading and sources to their page', () => {
    const source = passage(5, 'A view is a stored query.', {
      kind: 'source',
      itemId: 'src_1',
      title: 'Guide',
      page: 3,
      anchor: '',
    });
    const { answer, citations } = composeAnswer(
      [
        { text: 'A view is a stored query.', cites: [{ n: 5, quote: 'A view is a stored query.' }] },
        {
          text: 'WHERE keeps rows.',
          cites: [
            { n: 1, quote: 'q1' },
            { n: 5, quote: 'A view is a stored query.' },
          ],
        },
      ],
      [WHERE, source],
      'markdown',
    );
    expect(answer).toBe('A view is a stored query. [1] WHERE keeps rows. [2] [1]');
    expect(citations.map((c) => [c.n, c.href])).toEqual([
      [1, '/api/sources/src_1/file#page=3'],
      [2, '/courses/practical-sql/lessons/lesson-1#section'],
    ]);
    expect(citations[0]).toMatchObject({ kind: 'source', sourceId: 'src_1', page: 3 });
    expect(citations[1]).toMatchObject({ kind: 'lesson', lessonSlug: 'lesson-1', anchor: 'section' });
  });

  it('says the course does not cover it when nothing stands, and drops markdown for plain text', () => {
    expect(composeAnswer([], [WHERE], 'markdown')).toEqual({ answer: NOT_COVERED, citations: [] });
    const { answer } = composeAnswer(
      [{ text: 'Use `WHERE` to **filter** rows.', cites: [{ n: 1, quote: 'x' }] }],
      [WHERE],
      'text',
    );
    expect(answer).toBe('Use WHERE to filter rows. [1]');
  });

  it('keys the cache by the question without case, spacing or end punctuation', () => {
    expect(normalizeQuestion('  How do I   FILTER rows?? ')).toBe(normalizeQuestion('how do i filter rows'));
  });
});

describe('markup', () => {
  it('leaves no tag or comment, however nested, split or unclosed, and keeps comparisons', () => {
    expect(withoutMarkup('a <<script>script>alert(1)<</script>/script> b')).toBe('a alert(1) b');
    expect(withoutMarkup('x <!-- do this --> y <!-- never closed')).toBe('x y');
    expect(withoutMarkup('the lowest <img src=x onerror=alert(1) one')).toBe('the lowest img src=x onerror=alert(1) one');
    expect(withoutMarkup("WHERE genre <> 'poetry' AND price < 10 AND 3<4")).toBe(
      "WHERE genre <> 'poetry' AND price < 10 AND 3<4",
    );
  });
});

describe('claims in questions (offline engine)', () => {
  const grouping = [
    passage(1, 'WHERE removes rows before grouping, so only the three books over 12 are grouped and counted.'),
    passage(2, 'Conditions on aggregates go in HAVING, which runs after grouping: GROUP BY genre HAVING COUNT(*) >= 2.'),
  ];

  it('says "Not quite" first, citing the sentence that contradicts the claim', () => {
    const answer = extractiveAnswer('WHERE runs after GROUP BY, right?', grouping);
    expect(answer[0]).toEqual({
      text: 'Not quite: WHERE removes rows before grouping, so only the three books over 12 are grouped and counted.',
      cites: [1],
    });
    expect(checkClaim('Is it true that WHERE runs after GROUP BY?', grouping)?.verdict).toBe('contradicted');
    expect(checkClaim('I thought WHERE filtered rows after grouping', grouping)?.verdict).toBe('contradicted');
  });

  it('confirms a claim the passages make, and says nothing of one they do not settle', () => {
    expect(extractiveAnswer('HAVING runs after grouping, right?', grouping)[0]?.text).toMatch(
      /^Yes: Conditions on aggregates go in HAVING/,
    );
    // Not a claim: a plain question is answered as before.
    expect(checkClaim('Does WHERE run before GROUP BY?', grouping)).toBeNull();
    // A claim about something else, or with no order or contrast word, is not judged.
    expect(checkClaim('Indexes make joins slower, right?', grouping)).toBeNull();
    expect(checkClaim('WHERE is useful, right?', grouping)).toBeNull();
    // Passages that say both do not settle it.
    const both = [...grouping, passage(3, 'Some think WHERE removes rows after grouping, but it does not.')];
    expect(checkClaim('WHERE removes rows after grouping, right?', both)).toBeNull();
  });

  it('keeps the lead through verification: the cited passage holds the sentence', () => {
    const [lead] = extractiveAnswer('WHERE runs after GROUP BY, right?', grouping);
    const { kept } = verifyAnswer(lead ? [lead] : [], grouping);
    expect(kept[0]?.cites[0]?.quote).toBe(grouping[0]?.text);
  });
});
