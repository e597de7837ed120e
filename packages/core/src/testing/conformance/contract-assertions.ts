/**
 * The few assertions the conformance checks need, throwing {@link ConformanceError}s (a published
 * package cannot rely on a test framework's `expect`).
 */
import { ConformanceError } from './conformance-error.js';

/** @throws ConformanceError `contract-violated` with `message` unless `condition` holds. */
export function expectContract(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError('contract-violated', message);
}

/** @throws ConformanceError `invalid-options` with `message` unless `condition` holds. */
export function expectValidOptions(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError('invalid-options', message);
}

/** The `code` property of a thrown value, when it has a string one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs `action` and checks that it throws an error whose `code` is `code`.
 *
 * @throws ConformanceError `contract-violated` if it returns, or throws something else.
 */
export function expectThrowsCode(action: () => unknown, code: string, what: string): unknown {
  let returned: unknown;
  try {
    returned = action();
  } catch (error) {
    expectContract(
      errorCode(error) === code,
      `${what}: expected an error with code '${code}', got ${describeError(error)}`,
    );
    return error;
  }
  throw new ConformanceError(
    'contract-violated',
    `${what}: expected an error with code '${code}', but it returned ${preview(returned)}`,
  );
}

/**
 * Awaits `promise` and checks that it rejects with an error whose `code` is `code`.
 *
 * @throws ConformanceError `contract-violated` if it resolves, or rejects with something else.
 */
export async function expectRejectsCode(
  promise: Promise<unknown>,
  code: string,
  what: string,
): Promise<void> {
  try {
    const value = await promise;
    throw new ConformanceError(
      'contract-violated',
      `${what}: expected a rejection with code '${code}', but it resolved with ${preview(value)}`,
    );
  } catch (error) {
    if (error instanceof ConformanceError) throw error;
    expectContract(
      errorCode(error) === code,
      `${what}: expected a rejection with code '${code}', got ${describeError(error)}`,
    );
  }
}

/** A short description of a thrown value for messages: `TypeError (code x): message`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return preview(error);
  const code = errorCode(error);
  return `${error.name}${code === undefined ? '' : ` (code '${code}')`}: ${error.message}`;
}

/** A value shortened for messages. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
