/**
 * The coded errors that replaced plain `Error`s: a provider socket's close (`SocketClosedError`,
 * classified by its close code into the `ServiceError` the pipeline sees) and an `ErrorFrame`
 * made from a string.
 */
import { ErrorFrame, ServiceError, VoxlineError } from '@voxline/core';
import { classifyServiceError, SocketClosedError } from '@voxline/core/processor-kit';
import { describe, expect, it } from 'vitest';

describe('SocketClosedError', () => {
  it('carries its code, the close code and reason, and says both in the message', () => {
    const error = new SocketClosedError('Deepgram closed the stream', 1011, 'NET-0001');
    expect(error).toBeInstanceOf(VoxlineError);
    expect(error).toMatchObject({
      name: 'SocketClosedError',
      code: 'socket-closed',
      closeCode: 1011,
      reason: 'NET-0001',
      message: 'Deepgram closed the stream: 1011 NET-0001',
    });
    expect(new SocketClosedError('Realtime socket closed', 1006).message).toBe(
      'Realtime socket closed: 1006',
    );
  });

  it.each([
    [1006, 'network', true],
    [1001, 'network', true],
    [1011, 'server-error', true],
    [1008, 'bad-request', false],
    [4000, 'unknown', false],
  ] as const)('is classified by close code %i as %s', (closeCode, code, retryable) => {
    const closed = new SocketClosedError('ElevenLabs socket closed', closeCode, '');
    const fault = classifyServiceError(closed);
    expect(fault).toBeInstanceOf(ServiceError);
    expect(fault).toMatchObject({ code, retryable, cause: closed, message: closed.message });
  });
});

describe('ErrorFrame', () => {
  it('wraps a string in a VoxlineError of code reported-error, and keeps an error as given', () => {
    const reported = new ErrorFrame('the model is gone', { processor: 'LLM' });
    expect(reported.error).toBeInstanceOf(VoxlineError);
    expect(reported.error).toMatchObject({ code: 'reported-error', message: 'the model is gone' });
    expect(reported.message).toBe('the model is gone');
    const given = new TypeError('x');
    expect(new ErrorFrame(given).error).toBe(given);
  });
});
