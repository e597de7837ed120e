/**
 * How a carrier plays the agent's audio to the caller: received audio queues up and plays at
 * real time, 20 ms at a time; a mark is echoed once the audio received before it has played (at
 * once if nothing is queued); `clear` drops the queued audio and returns the pending marks.
 * Both carriers document this behaviour (Telnyx "Mark Callback Frame" and "Clear Frame"; Twilio
 * Media Streams `mark` and `clear`).
 */

interface PendingMark {
  name: string;
  /** Position in samples (counted over everything ever queued) the mark follows. */
  position: number;
}

export class CarrierPlayback {
  /** Queued chunks; `readOffset` samples of the first have played. No copy-on-append. */
  readonly #chunks: Int16Array[] = [];
  #readOffset = 0;
  #queuedTotal = 0;
  #playedTotal = 0;
  readonly #marks: PendingMark[] = [];

  /** Samples waiting to play. */
  get bufferedSamples(): number {
    return this.#queuedTotal - this.#playedTotal;
  }

  /** Samples played since the call started (silence while idle excluded). */
  get playedSamples(): number {
    return this.#playedTotal;
  }

  /** Queues received audio (PCM at the call's rate). The playback keeps the array: pass one you own. */
  enqueue(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    this.#chunks.push(pcm);
    this.#queuedTotal += pcm.length;
  }

  /** Registers a mark after everything queued so far. */
  mark(name: string): void {
    this.#marks.push({ name, position: this.#queuedTotal });
  }

  /** Drops the queued audio; returns the names of the marks that were pending, in order. */
  clear(): string[] {
    this.#chunks.length = 0;
    this.#readOffset = 0;
    this.#queuedTotal = this.#playedTotal;
    return this.#marks.splice(0).map((mark) => mark.name);
  }

  /**
   * Plays the next `out.length` samples into `out` (silence where nothing is queued). Returns
   * the number of queued samples that played and the marks now due, in order.
   */
  play(out: Int16Array): { played: number; dueMarks: string[] } {
    let filled = 0;
    while (filled < out.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0] as Int16Array;
      const take = Math.min(out.length - filled, chunk.length - this.#readOffset);
      out.set(chunk.subarray(this.#readOffset, this.#readOffset + take), filled);
      filled += take;
      this.#readOffset += take;
      if (this.#readOffset === chunk.length) {
        this.#chunks.shift();
        this.#readOffset = 0;
      }
    }
    out.fill(0, filled);
    this.#playedTotal += filled;
    const dueMarks: string[] = [];
    while (this.#marks.length > 0 && (this.#marks[0] as PendingMark).position <= this.#playedTotal) {
      dueMarks.push((this.#marks.shift() as PendingMark).name);
    }
    return { played: filled, dueMarks };
  }
}
