import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { newAuthorKey, SCOPES, type Scope } from '../workers/features/keys/keys.domain';
import { d1Execute, sqlText, type D1Target } from './local-env';

const USAGE = `Usage: npm run keys -- <command> [--remote] [--env <name>]

  create --scope <scope> [--scope ...] [--label <text>]   print a new author key once (scopes: ${SCOPES.join(', ')})
  list                                                    list keys (never the keys themselves)
  revoke <id>                                             revoke a key at once

  Local state by default (--persist-to <dir> for another local state folder);
  --remote --env production acts on the deployed database.`;

/** Creates an author key and stores only its hash. Returns the key, to be shown once. */
export async function createAuthorKey(scopes: Scope[], label: string, target: D1Target): Promise<{ id: string; key: string }> {
  const { id, key, keyHash } = await newAuthorKey(new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(9)));
  d1Execute(
    `INSERT INTO api_keys (id, label, key_hash, scopes, created_at) VALUES (${sqlText(id)}, ${sqlText(label)}, ${sqlText(keyHash)}, ${sqlText(JSON.stringify(scopes))}, ${sqlText(new Date().toISOString())})`,
    target,
  );
  return { id, key };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scope: { type: 'string', multiple: true },
      label: { type: 'string', default: '' },
      remote: { type: 'boolean', default: false },
      env: { type: 'string' },
      'persist-to': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const target: D1Target = { remote: values.remote, env: values.env, persistTo: values['persist-to'] };
  const [command, arg] = positionals;
  if (command === 'create') {
    const scopes = values.scope ?? [];
    const unknown = scopes.filter((s) => !SCOPES.includes(s as Scope));
    if (scopes.length === 0 || unknown.length > 0) {
      console.error(`--scope must be one of ${SCOPES.join(', ')}${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`);
      return 2;
    }
    const { id, key } = await createAuthorKey(scopes as Scope[], values.label, target);
    console.log(key);
    console.error(`created ${id} with scopes ${scopes.join(', ')}. The key above is shown once; store it now.`);
    return 0;
  }
  if (command === 'list') {
    const rows = d1Execute(
      'SELECT id, label, scopes, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at',
      target,
    );
    console.table(rows);
    return 0;
  }
  if (command === 'revoke' && arg) {
    const rows = d1Execute(
      `UPDATE api_keys SET revoked_at = ${sqlText(new Date().toISOString())} WHERE id = ${sqlText(arg)} AND revoked_at IS NULL RETURNING id`,
      target,
    );
    if (rows.length === 0) {
      console.error(`no active key ${arg}`);
      return 1;
    }
    console.log(`revoked ${arg}`);
    return 0;
  }
  console.error(USAGE);
  return values.help ? 0 : 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
