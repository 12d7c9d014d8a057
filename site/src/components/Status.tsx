import { ApiError } from '../lib/api';
import { learnerMessage } from '../lib/messages';

/** Loading, empty and error states, announced to screen readers. */
export function Loading({ label }: { label: string }) {
  return (
    <p className="status" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = learnerMessage(error);
  // The request id helps support with a server fault; for anything else it is noise.
  const requestId = error instanceof ApiError && error.status >= 500 ? error.problem?.requestId : undefined;
  return (
    <div className="notice notice-error" role="alert">
      <p>{message}</p>
      {requestId ? <p className="muted">Request id: {requestId}</p> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export const LAYER_NAMES = { L1: 'Foundations', L2: 'Applied', L3: 'Advanced' } as const;

export function LayerBadge({ layer }: { layer: keyof typeof LAYER_NAMES }) {
  return (
    <span className={`badge badge-${layer.toLowerCase()}`} title={`Layer ${layer}: ${LAYER_NAMES[layer]}`}>
      {LAYER_NAMES[layer]}
    </span>
  );
}
