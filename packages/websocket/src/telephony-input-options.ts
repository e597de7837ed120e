/**
 * The options of a telephony transport's inbound checks (message size, message rate, audio ahead
 * of real time) and their checks, in one place: the transport and the fastify plugin both read
 * them through {@link resolveInputOptions}, so a bad value is refused with the option's full path.
 */
import { InvalidOptionError } from '@voxline/core';
import { defaultMessageRateLimit, type MessageRateLimit } from './message-rate-limiter.js';

/** What a telephony transport accepts from the carrier. */
export interface TelephonyInputOptions {
  /** Largest inbound message accepted, in bytes; default 65536, at least 1024. Larger ones close the socket with 1009. */
  maxMessageBytes?: number;
  /**
   * Inbound message rate limit: `messagesPerSecond` sustained (default 200, four times a
   * carrier's 50 media messages per second) and `burst` messages at once (default 400). A
   * connection above it is closed with 1008.
   */
  rateLimit?: Partial<MessageRateLimit>;
  /**
   * How far, in ms, inbound audio may run ahead of the time since `start` (a carrier catching up
   * after a network hiccup) before the excess is dropped; default 1000, at least 0.
   */
  inboundAudioBurstMs?: number;
}

/** {@link TelephonyInputOptions} with every default applied. */
export interface ResolvedInputOptions {
  readonly maxMessageBytes: number;
  readonly rateLimit: Readonly<MessageRateLimit>;
  readonly inboundAudioBurstMs: number;
}

/**
 * Applies the defaults to `options` and checks them.
 *
 * @param optionPath - prefix of the option names in error messages, e.g. `'input.'` when the
 *   options are nested under `input`; default none.
 * @throws {InvalidOptionError} naming the option (with `optionPath`) if `maxMessageBytes` is below 1024,
 *   `inboundAudioBurstMs` is negative, `rateLimit.messagesPerSecond` is not positive or
 *   `rateLimit.burst` is below 1.
 */
export function resolveInputOptions(
  options: TelephonyInputOptions = {},
  optionPath = '',
): ResolvedInputOptions {
  const resolved: ResolvedInputOptions = {
    maxMessageBytes: options.maxMessageBytes ?? 65_536,
    rateLimit: { ...defaultMessageRateLimit, ...options.rateLimit },
    inboundAudioBurstMs: options.inboundAudioBurstMs ?? 1000,
  };
  if (!(resolved.maxMessageBytes >= 1024)) {
    throw new InvalidOptionError(
      `${optionPath}maxMessageBytes`,
      `${optionPath}maxMessageBytes must be at least 1024, got ${resolved.maxMessageBytes}`,
    );
  }
  if (!(resolved.inboundAudioBurstMs >= 0)) {
    throw new InvalidOptionError(
      `${optionPath}inboundAudioBurstMs`,
      `${optionPath}inboundAudioBurstMs must be at least 0, got ${resolved.inboundAudioBurstMs}`,
    );
  }
  const { messagesPerSecond, burst } = resolved.rateLimit;
  if (!(messagesPerSecond > 0)) {
    throw new InvalidOptionError(
      `${optionPath}rateLimit.messagesPerSecond`,
      `${optionPath}rateLimit.messagesPerSecond must be positive, got ${messagesPerSecond}`,
    );
  }
  if (!(burst >= 1))
    throw new InvalidOptionError(
      `${optionPath}rateLimit.burst`,
      `${optionPath}rateLimit.burst must be at least 1, got ${burst}`,
    );
  return resolved;
}
