// home-assistant-js-websocket rejects with several shapes: a bare number (ERR_* constants), an
// HA result error {code, message}, or a whole result envelope {type: 'result', error} when the
// connection dropped with the command in flight. One place turns them all into NotifyError.
import { ERR_CANNOT_CONNECT, ERR_CONNECTION_LOST, ERR_INVALID_AUTH } from 'home-assistant-js-websocket';
import { NotifyError } from './notifier.js';

interface HaErrorBody {
  readonly code: string | number;
  readonly message: string;
}

function errorBody(value: unknown): HaErrorBody | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if ('error' in v && v.type === 'result') return errorBody(v.error);
  if (typeof v.code === 'string' || typeof v.code === 'number') {
    return { code: v.code, message: typeof v.message === 'string' ? v.message : '' };
  }
  return undefined;
}

function fromLibraryCode(code: number, target: string, cause: unknown): NotifyError {
  switch (code) {
    case ERR_INVALID_AUTH:
      return new NotifyError('auth_invalid', 'Home Assistant rejected the token', { target, cause });
    case ERR_CANNOT_CONNECT:
      return new NotifyError('unreachable', 'cannot connect to Home Assistant', { target, cause });
    case ERR_CONNECTION_LOST:
      return new NotifyError('unreachable', `connection to Home Assistant lost before it answered ${target}`, { target, cause });
    default:
      return new NotifyError('unreachable', `Home Assistant connection error ${code} during ${target}`, { target, cause });
  }
}

/** Maps whatever a command rejected with to a NotifyError; `target` names the service or command. */
export function toNotifyError(err: unknown, target: string): NotifyError {
  if (err instanceof NotifyError) return err;
  if (typeof err === 'number') return fromLibraryCode(err, target, err);
  const body = errorBody(err);
  if (body !== undefined && typeof body.code === 'number') return fromLibraryCode(body.code, target, err);
  if (body !== undefined) {
    const kind = body.code === 'not_found' ? 'not_found' : 'rejected';
    return new NotifyError(kind, `Home Assistant answered ${target} with ${body.code}: ${body.message}`, {
      haCode: String(body.code),
      haMessage: body.message,
      target,
    });
  }
  // The socket threw while sending (closing under us): the command never left.
  const message = err instanceof Error ? err.message : String(err);
  return new NotifyError('unreachable', `sending ${target} to Home Assistant failed: ${message}`, { target, cause: err });
}
