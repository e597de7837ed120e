/**
 * Where the carrier's playback of our audio is, learned from mark echoes.
 *
 * A carrier plays the audio we send from a buffer, and echoes a `mark` once the audio sent before
 * it has finished playing (Telnyx: "Mark Callback Frame", Twilio: Media Streams `mark`). A `clear`
 * empties the buffer and makes the carrier return every pending mark at once (Telnyx documents
 * this in the "Mark Callback Frame" of
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket); those
 * echoes say nothing about playback and must be ignored.
 *
 * Positions are "audio ms": the amount of audio sent on the connection before a point, so a mark
 * echo means "the caller has heard everything up to this audio position". Between echoes the
 * position advances with the clock (playback is real time). The tracker holds no timers and does
 * no I/O; the output processor sends the marks and feeds the echoes in.
 */

/** A mark that was sent and not yet echoed. */
interface PendingMark {
  readonly sequence: number;
  /** Audio position (ms of audio sent before the mark). */
  readonly audioMs: number;
}

/** What a mark echo meant. */
export type MarkEchoResult =
  /** Playback reached `audioMs`; `latest` when no mark was sent after this one. */
  | { readonly kind: 'played'; readonly audioMs: number; readonly latest: boolean }
  /** The mark was sent before a `clear`: the carrier returned it, nothing played. */
  | { readonly kind: 'stale' }
  /** Not a mark this tracker sent (or echoed twice). */
  | { readonly kind: 'unknown' };

/** Mark bookkeeping for one connection; see the module comment. */
export class PlaybackTracker {
  readonly #pending: PendingMark[] = [];
  #lastSequence = 0;
  #clearedThrough = 0;
  #anchorAudioMs = 0;
  #anchorAt = 0;

  /** @param namePrefix - marks are named `${namePrefix}-${sequence}`; default `voxline`. */
  readonly #namePrefix: string;
  constructor(namePrefix = 'voxline') {
    this.#namePrefix = namePrefix;
  }

  /** Sequence number of the latest mark sent (0 before any). */
  get latestSequence(): number {
    return this.#lastSequence;
  }

  /** Marks sent and not yet echoed (or cleared). */
  get pendingMarks(): number {
    return this.#pending.length;
  }

  /**
   * Records a mark sent after `audioMs` of audio and returns its name (to pass to the
   * serializer's `serializeMark`).
   */
  addMark(audioMs: number): string {
    const sequence = ++this.#lastSequence;
    this.#pending.push({ sequence, audioMs });
    return `${this.#namePrefix}-${sequence}`;
  }

  /**
   * Declares that playback of the audio at position `audioMs` starts at clock time `at` (ms): used
   * when audio is sent to an idle carrier, which plays it on arrival.
   */
  anchor(audioMs: number, at: number): void {
    this.#anchorAudioMs = audioMs;
    this.#anchorAt = at;
  }

  /** Reads a mark echo that arrived at clock time `now` (ms). */
  onEcho(name: string, now: number): MarkEchoResult {
    const sequence = this.#parseSequence(name);
    if (sequence === undefined) return { kind: 'unknown' };
    if (sequence <= this.#clearedThrough) return { kind: 'stale' };
    // Carriers echo in order; marks older than this one that were never echoed are dropped.
    let index = 0;
    while (index < this.#pending.length && (this.#pending[index] as PendingMark).sequence < sequence) index++;
    const mark = this.#pending[index];
    if (mark === undefined || mark.sequence !== sequence) return { kind: 'unknown' };
    this.#pending.splice(0, index + 1);
    this.anchor(mark.audioMs, now);
    return { kind: 'played', audioMs: mark.audioMs, latest: sequence === this.#lastSequence };
  }

  /**
   * A `clear` was sent: every mark sent so far is void, and echoes of them are stale.
   */
  clear(): void {
    this.#clearedThrough = this.#lastSequence;
    this.#pending.length = 0;
  }

  /**
   * Estimated audio position the caller has heard up to at clock time `now` (ms): the last
   * playback anchor (a mark echo, or the start of playback) plus the time since, bounded by
   * `sentAudioMs` (nothing beyond what was sent can have played) and by `scheduledAudioMs` (what
   * real-time playback of the sent audio allows, given the carrier still holds some of it).
   */
  heardAudioMs(now: number, sentAudioMs: number, scheduledAudioMs: number): number {
    const sinceAnchor = this.#anchorAudioMs + Math.max(0, now - this.#anchorAt);
    return Math.max(0, Math.min(sinceAnchor, sentAudioMs, scheduledAudioMs));
  }

  #parseSequence(name: string): number | undefined {
    const prefix = this.#namePrefix;
    if (name.length <= prefix.length + 1 || !name.startsWith(prefix) || name[prefix.length] !== '-') {
      return undefined;
    }
    const digits = name.slice(prefix.length + 1);
    if (!/^[1-9]\d{0,15}$/.test(digits)) return undefined;
    return Number(digits);
  }
}
