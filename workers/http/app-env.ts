import type { Deps } from '../deps';
import type { AuthorKeyRecord } from '../features/keys/keys.store';
import type { Logger } from '../platform/logger';

/** Hono's typing of this Worker: bindings plus what middleware puts on `c.var`. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    logger: Logger;
    deps: Deps;
    author: AuthorKeyRecord;
    learnerId: string;
    /** The token epoch of the calling learner's token. */
    tokenEpoch: number;
    /** The epoch the handler's first object call must confirm (see `requireLearnerChecking`); null: confirmed lately. */
    sessionToCheck: number | null;
  };
}
