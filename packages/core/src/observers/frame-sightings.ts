/**
 * A frame passes many processors, and an observer sees every hop of it. Observers that report a
 * frame (log a transcript, count a metric) remember the ids of the frames they have reported, so
 * each frame is reported once, at its first hop.
 */

/**
 * The ids of recently reported frames. Only frames an observer reports enter it (a few per turn),
 * and it forgets the oldest half past `capacity` ids (default 4096), so a long call cannot grow it
 * without bound; a frame's hops all happen within far fewer reported frames than that.
 */
export class FrameSightings {
  readonly #ids = new Set<number>();

  readonly #capacity: number;
  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  /** True the first time `frameId` is passed, false after. */
  firstSighting(frameId: number): boolean {
    if (this.#ids.has(frameId)) return false;
    if (this.#ids.size >= this.#capacity) {
      let forget = this.#ids.size >> 1;
      for (const id of this.#ids) {
        if (forget-- === 0) break;
        this.#ids.delete(id);
      }
    }
    this.#ids.add(frameId);
    return true;
  }
}
