/** Fence languages that show output or prose, not code a learner could run. */
const NOT_RUNNABLE = new Set(['text', 'txt', 'output', 'console', 'plain', 'plaintext', 'markdown', 'md', 'diff']);
const SQL_STATEMENT = /^(SELECT|WITH|INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP|EXPLAIN|BEGIN|PRAGMA|VALUES)\b/;

/**
 * A short exercise for the code block just shown, chosen from what the code does so
 * that the same block always gets the same prompt. Null for blocks that only show
 * output.
 */
export function tryItPrompt(code: string, info: string): string | null {
  const language = info.toLowerCase();
  if (NOT_RUNNABLE.has(language)) return null;
  const sql = sqlKeywords(code);
  if (language !== 'sql' && !SQL_STATEMENT.test(sql))
    return 'Run it, then change one value and predict the output before you look.';
  if (!SQL_STATEMENT.test(sql)) {
    return 'This is only part of a query: put it into a complete statement on the sample tables and run it.';
  }
  const has = (pattern: RegExp) => pattern.test(sql);
  if (has(/^BEGIN\b/) || has(/\bCOMMIT\b/)) {
    return 'Run it one statement at a time, then run it again with `ROLLBACK` instead of `COMMIT` and compare the tables.';
  }
  if (has(/^(INSERT|UPDATE|DELETE|REPLACE)\b/)) {
    return 'Run it between `BEGIN;` and `ROLLBACK;`, querying the table before and after, to see exactly which rows it touches without keeping the change.';
  }
  if (has(/^CREATE\s+(UNIQUE\s+)?INDEX\b/)) {
    return 'Run it, then put `EXPLAIN QUERY PLAN` in front of a query that filters on the indexed column and look for the index in the plan.';
  }
  if (has(/^(CREATE|ALTER|DROP)\b/)) return 'Run it, then insert a row that breaks one of its rules and read the error message.';
  if (has(/^EXPLAIN\b/)) return 'Change the condition to filter on a different column and compare the two plans.';
  if (has(/\bOVER\s*\(/))
    return 'Change what goes inside `OVER (...)`, for example drop the `PARTITION BY`, and predict how the numbers change.';
  if (has(/\b(UNION|INTERSECT|EXCEPT)\b/))
    return 'Swap the set operator (for example `UNION` for `UNION ALL`) and compare the row counts.';
  if (has(/\bLEFT\s+(OUTER\s+)?JOIN\b/)) return 'Change `LEFT JOIN` to a plain `JOIN`: which rows disappear, and why?';
  if (has(/\bJOIN\b/))
    return 'Switch to `LEFT JOIN` and compare: which extra rows appear, and why are some of their columns NULL?';
  if (has(/\bGROUP\s+BY\b/))
    return 'Group by a different column (and change the select list to match); predict how many rows come back first.';
  if (has(/\bWHERE\b/))
    return 'Change the condition in `WHERE` (another value or operator), predict which rows survive, then run it to check.';
  if (has(/\bORDER\s+BY\b/)) return 'Reverse the order (add or remove `DESC`) and check which row comes first now.';
  if (has(/\b(COUNT|SUM|AVG|MIN|MAX|TOTAL)\s*\(/)) {
    return 'Add a `WHERE` that keeps only some of the rows and predict the new results before you run it.';
  }
  if (has(/\bAS\s+["\w]/)) return 'Give the output columns names of your own with `AS` and check the headings of the result.';
  if (has(/\w\s*\(|[-+*/]\s*\d/))
    return 'Change one number or function in the expressions and predict the new values before you run it.';
  return 'Run it, then add or remove a column in the select list and predict the result before you look.';
}

/** True for SQL that is only part of a statement (a condition, an expression), shown to be completed. */
export function isFragment(code: string, info: string): boolean {
  return info.toLowerCase() === 'sql' && !SQL_STATEMENT.test(sqlKeywords(code));
}

/** Upper-cased code with comments and string literals removed, so keywords in them do not count. */
function sqlKeywords(code: string): string {
  return code
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .trim()
    .toUpperCase();
}
