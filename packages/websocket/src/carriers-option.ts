/**
 * Checking the `carriers` option of a transport or endpoint: the carrier plugins it serves.
 */
import { InvalidOptionError } from '@voxline/core';
import type { CarrierPlugin } from '@voxline/telephony';

/**
 * Checks that `carriers` is a non-empty list of carrier plugins with distinct carrier names.
 *
 * @param carriers - the option's value, as given (it may come from untyped configuration).
 * @param owner - who has the option, for the message (`voxlineTelephony`, `TelephonyTransport`).
 * @throws {InvalidOptionError} (option `carriers`, or `carriers[i]` for one entry) naming the problem: not an array, empty, an entry that is not a
 *   `CarrierPlugin` (no `carrier` name, no `recognizeMessage` or `createSerializer` function, a
 *   `recognizeUpgrade` that is not a function), or a carrier listed twice (its streams could never
 *   be told apart).
 */
export function checkCarriersOption(
  carriers: unknown,
  owner: string,
): asserts carriers is readonly CarrierPlugin[] {
  const hint = 'e.g. [telnyxCarrier()] from @voxline/telnyx, [telnyxCarrier(), twilioCarrier()] for both';
  if (!Array.isArray(carriers) || carriers.length === 0) {
    throw new InvalidOptionError(
      'carriers',
      `${owner}: carriers must be a non-empty array of carrier plugins (${hint}), got ${describe(carriers)}`,
    );
  }
  const seen = new Set<string>();
  carriers.forEach((plugin: unknown, index: number) => {
    const problem = pluginProblem(plugin);
    if (problem !== undefined) {
      throw new InvalidOptionError(
        `carriers[${index}]`,
        `${owner}: carriers[${index}] is not a carrier plugin: ${problem} (${hint})`,
      );
    }
    const name = (plugin as CarrierPlugin).carrier;
    if (seen.has(name)) {
      throw new InvalidOptionError(
        'carriers',
        `${owner}: carriers lists '${name}' twice; give each carrier one plugin`,
      );
    }
    seen.add(name);
  });
}

function pluginProblem(plugin: unknown): string | undefined {
  if (typeof plugin !== 'object' || plugin === null) return `got ${describe(plugin)}`;
  const candidate = plugin as Partial<Record<keyof CarrierPlugin, unknown>>;
  if (typeof candidate.carrier !== 'string' || candidate.carrier === '') {
    return 'carrier must be a non-empty string';
  }
  if (typeof candidate.recognizeMessage !== 'function') return 'recognizeMessage must be a function';
  if (typeof candidate.createSerializer !== 'function') return 'createSerializer must be a function';
  if (candidate.recognizeUpgrade !== undefined && typeof candidate.recognizeUpgrade !== 'function') {
    return 'recognizeUpgrade must be a function when given';
  }
  return undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (value === null || value === undefined) return String(value);
  return `a value of type ${typeof value}`;
}
