/**
 * Turns errors of the `openai` SDK into Voxline `ServiceError`s, keeping the HTTP status and the
 * wait the API asked for (`retry-after-ms`, else `retry-after` in seconds) so the retry policy can
 * honour it. Network failures (`APIConnectionError`, mid-stream socket errors) keep their cause,
 * which the core classifier follows to a retryable `network` fault.
 */
import { ServiceError } from '@voxline/core';
import { classifyServiceError, serviceErrorCodeForStatus } from '@voxline/core/processor-kit';
import { APIError } from 'openai';

/** Milliseconds from `retry-after-ms` or `retry-after` (seconds), when present. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const seconds = Number(headers?.get('retry-after') ?? Number.NaN);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return undefined;
}

/** See the module comment. */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof APIError && typeof error.status === 'number') {
    return new ServiceError(serviceErrorCodeForStatus(error.status), error.message, {
      status: error.status,
      retryAfterMs: retryAfterMs(error.headers),
      cause: error,
    });
  }
  return classifyServiceError(error);
}
