import { EventEmitter, once } from 'node:events';
import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  type ErrorFrame,
  type Frame,
  type FrameDirection,
  FrameProcessor,
  InvalidOptionError,
  isAbortError,
  ServiceError,
  TextFrame,
  toError,
  VoxlineError,
} from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

/** What an aborted operation rejects with, by whatever API produced it. */
async function rejectionOf(operation: Promise<unknown>): Promise<unknown> {
  try {
    await operation;
  } catch (error) {
    return error;
  }
  throw new Error('the operation did not reject');
}

describe('VoxlineError', () => {
  it('carries a code, the subclass name, the message and the cause', () => {
    class ExampleFailure extends VoxlineError {}
    const cause = new Error('socket closed');
    const error = new ExampleFailure('example-failed', 'the example failed', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('example-failed');
    expect(error.name).toBe('ExampleFailure');
    expect(error.message).toBe('the example failed');
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('ExampleFailure: the example failed');
  });

  it('is the base of InvalidOptionError, which names the option', () => {
    const error = new InvalidOptionError('limits.maxSessions', 'limits.maxSessions must be ≥ 1, got 0');
    expect(error).toBeInstanceOf(VoxlineError);
    expect(error.name).toBe('InvalidOptionError');
    expect(error.code).toBe('invalid-option');
    expect(error.option).toBe('limits.maxSessions');
    expect(String(error)).toBe('InvalidOptionError: limits.maxSessions must be ≥ 1, got 0');
  });

  it('is the base of the classes that existed before it, which keep their codes', () => {
    const error = new ServiceError('rate-limited', '429 Too Many Requests', { status: 429 });
    expect(error).toBeInstanceOf(VoxlineError);
    expect(error.name).toBe('ServiceError');
    expect(error.code).toBe('rate-limited');
    expect(error.retryable).toBe(true);
  });
});

describe('isAbortError', () => {
  it('is true for the AbortError of an aborted signal, of Node APIs and of fetch', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbortError(controller.signal.reason)).toBe(true);
    // Node's AbortError (code 'ABORT_ERR'), from timers/promises and events.once.
    const fromTimer = await rejectionOf(sleepFor(1000, undefined, { signal: AbortSignal.abort() }));
    expect((fromTimer as { code?: unknown }).code).toBe('ABORT_ERR');
    expect(isAbortError(fromTimer)).toBe(true);
    const fromOnce = await rejectionOf(once(new EventEmitter(), 'never', { signal: AbortSignal.abort() }));
    expect(isAbortError(fromOnce)).toBe(true);
    const fromFetch = await rejectionOf(fetch('http://127.0.0.1:9/', { signal: AbortSignal.abort() }));
    expect(isAbortError(fromFetch)).toBe(true);
  });

  it('is true for an error named AbortError or coded ABORT_ERR, whatever its class', () => {
    expect(isAbortError(new DOMException('Interrupted by the user.', 'AbortError'))).toBe(true);
    expect(isAbortError(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(true);
    expect(isAbortError({ name: 'AbortError', message: 'from another realm' })).toBe(true);
    expect(isAbortError({ code: 'ABORT_ERR' })).toBe(true);
  });

  it('is false for faults, timeouts and values that are not errors', async () => {
    // The reason of a signal that timed out; fetch rejects with it as it is.
    const timedOut = AbortSignal.timeout(1);
    await sleepFor(20);
    const timeout: unknown = timedOut.reason;
    expect((timeout as Error).name).toBe('TimeoutError');
    expect(isAbortError(timeout)).toBe(false);
    expect(isAbortError(new Error('connection reset'))).toBe(false);
    expect(isAbortError(new ServiceError('network', 'reset'))).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
    expect(isAbortError(null)).toBe(false);
    expect(isAbortError(undefined)).toBe(false);
    expect(isAbortError({ code: 20 })).toBe(false);
  });
});

describe('toError', () => {
  it('returns an Error as it is, and wraps anything else keeping it as the cause', () => {
    const error = new TypeError('x is not a function');
    expect(toError(error)).toBe(error);
    const fromString = toError('socket hang up');
    expect(fromString).toBeInstanceOf(Error);
    expect(fromString.message).toBe('socket hang up');
    expect(fromString.cause).toBe('socket hang up');
    const thrownObject = { status: 500 };
    const fromObject = toError(thrownObject);
    expect(fromObject.message).toBe('[object Object]');
    expect(fromObject.cause).toBe(thrownObject);
    expect(toError(42).message).toBe('42');
  });
});

describe('FrameProcessor.pushError', () => {
  class ThrowsValues extends FrameProcessor {
    protected override processFrame(frame: Frame, direction: FrameDirection): void {
      if (frame instanceof TextFrame) {
        if (frame.text === 'abort') throw new DOMException('Interrupted by the user.', 'AbortError');
        if (frame.text === 'push') this.pushError(404);
        // A dependency may throw a value that is not an Error; that is what is tested.
        else throw frame.text;
      }
      this.pushFrame(frame, direction);
    }
  }

  it('accepts anything thrown, reports it as an Error, and ignores aborts', async () => {
    const { upstream, errors } = await runProcessor(new ThrowsValues(), {
      frames: [new TextFrame('plain string'), new TextFrame('abort'), new TextFrame('push')],
    });
    const messages = (upstream as ErrorFrame[]).map((frame) => [frame.error instanceof Error, frame.message]);
    expect(messages).toEqual([
      [true, 'plain string'],
      [true, '404'],
    ]);
    expect(errors).toHaveLength(2);
  });
});
