/**
 * What `npm start` shows of wrangler's output. Quiet (the default) keeps one line
 * per request and every warning and error, and says once what it left out: the
 * bindings table (wrangler prints it at each start and reload), wrangler's own
 * request lines (the Worker logs each request itself), queue batch lines, info
 * events such as ingestion progress, and the stack wrangler prints for
 * `ENOTFOUND workers.cloudflare.com` when the machine is offline (an expected
 * condition: requests get a placeholder `Request.cf`). Verbose passes every line.
 */
export interface DevLogFilter {
  /** The line to print for one line of wrangler's output, or null to leave it out. */
  line(text: string): string | null;
}

const NOISE = [
  /^\s*⛅️ wrangler/,
  /^─+$/,
  /^Using (secrets|vars) defined in /,
  /^⎔ /,
  // The Worker logs each /api request itself; wrangler's line is kept for static files only.
  /^\[wrangler:info\] (GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \/api\S* \d{3} /,
  /^\[wrangler:info\] QUEUE /,
  /^\[wrangler:info\] ✨ Parsed /,
  /^\[wrangler:info\] Ready on /,
];
const BINDINGS = /^Your Worker has access to the following bindings:/;
const OFFLINE = /Unable to fetch the `Request\.cf` object|getaddrinfo ENOTFOUND|EAI_AGAIN/;
const STACK = /^\s+at /;
const SCHEDULED = /Scheduled Workers are not automatically triggered/;
// ANSI colour codes wrangler adds on a terminal.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

interface LogLine {
  level?: string;
  event?: string;
  time?: string;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  stack?: unknown;
  [field: string]: unknown;
}

function parseJson(text: string): LogLine | null {
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as LogLine) : null;
  } catch {
    return null;
  }
}

const clock = (time: unknown) => (typeof time === 'string' ? time.slice(11, 19) : '');

/** One of the Worker's own JSON lines, compact: requests as `12:40:00 GET /api/x 200 8ms`, the rest as level, event and fields. */
function compact(entry: LogLine): string {
  const { level = 'info', event = '', time, method, path, status, durationMs, stack: _stack, requestId: _id, ...fields } = entry;
  if (event === 'request') {
    const shown = typeof path === 'string' && path.length > 80 ? `${path.slice(0, 77)}...` : path;
    return `${clock(time)} ${String(method)} ${String(shown)} ${String(status)} ${String(durationMs)}ms`;
  }
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${clock(time)} ${level.toUpperCase()} ${event}${rest ? ` ${rest}` : ''}`;
}

export function createDevLogFilter(options: { verbose: boolean }): DevLogFilter {
  let skipping: 'bindings' | 'stack' | 'scheduled' | null = null;
  const said = new Set<string>();
  const once = (key: string, text: string) => {
    if (said.has(key)) return null;
    said.add(key);
    return text;
  };
  return {
    line(raw) {
      if (options.verbose) return raw;
      const text = raw.replace(ANSI, '').trimEnd();
      if (skipping === 'bindings' && text !== '') return null;
      if (skipping === 'stack' && (STACK.test(text) || OFFLINE.test(text))) return null;
      if (skipping === 'scheduled' && (text === '' || /^\s/.test(text))) return null;
      skipping = null;
      if (BINDINGS.test(text)) {
        skipping = 'bindings';
        return once(
          'bindings',
          'wrangler: local bindings ready (listed in wrangler.toml; npm start -- --verbose shows the table)',
        );
      }
      if (OFFLINE.test(text)) {
        skipping = 'stack';
        return once('offline', 'wrangler: offline, so requests carry a placeholder Request.cf (expected without a network)');
      }
      if (SCHEDULED.test(text)) {
        skipping = 'scheduled';
        return once('scheduled', 'wrangler: crons do not run locally; trigger one with curl "<url>/cdn-cgi/local/scheduled"');
      }
      if (text === '' || NOISE.some((pattern) => pattern.test(text))) return null;
      const entry = parseJson(text);
      if (!entry) return text;
      if (entry.event === 'request' || entry.level === 'warn' || entry.level === 'error') return compact(entry);
      return null;
    },
  };
}
