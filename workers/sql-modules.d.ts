/** SQL files are bundled as text (wrangler.toml [[rules]]): the learner object's migrations. */
declare module '*.sql' {
  const sql: string;
  export default sql;
}
