import { ServiceError } from '@voxline/core';
import { TelnyxFrameSerializer } from '@voxline/telnyx';
import { expect, it } from 'vitest';
import { describeFailure } from './errors.js';

/** What `create` throws. */
function thrownBy(create: () => unknown): unknown {
  try {
    create();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

it('the error reference: an invalid option, a coded error, an abort and a foreign error', () => {
  const badOption = thrownBy(() => new TelnyxFrameSerializer({ jitterDepth: -1 }));
  expect(describeFailure(badOption)).toBe(
    'fix option jitterDepth: jitterDepth must be an integer ≥ 0, got -1',
  );
  const serializer = new TelnyxFrameSerializer();
  const notStarted = thrownBy(() => serializer.serializeClear());
  expect(describeFailure(notStarted)).toMatch(/^SerializerError not-started: /);
  expect(describeFailure(new ServiceError('rate-limited', '429 Too Many Requests'))).toBe(
    'ServiceError rate-limited: 429 Too Many Requests',
  );
  const controller = new AbortController();
  controller.abort();
  expect(describeFailure(controller.signal.reason)).toBeUndefined();
  expect(describeFailure('socket hang up')).toBe('unexpected: socket hang up');
});
