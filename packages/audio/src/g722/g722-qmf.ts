/**
 * The delay line and the two polyphase branches of G.722's 24-tap quadrature-mirror filter,
 * shared by the transmit QMF (encoder, G.722 §3.2) and the receive QMF (decoder, §4.4) of ITU-T
 * G.722 (09/2012), https://www.itu.int/rec/T-REC-G.722
 */
import * as tables from './g722-tables.js';

// A module-local binding: a loader that compiles imports to property getters would otherwise put a
// call on every tap.
const QMF_COEFFICIENTS = tables.QMF_COEFFICIENTS;

/** Taps of the quadrature-mirror filter. */
const QMF_TAPS = 24;

/**
 * The last 24 filter inputs, taken two at a time, and the filter's two branch sums over them.
 * The filter is symmetric, so the order of the taps does not matter.
 */
export class G722QmfDelayLine {
  /** Sum over the taps of the newer input of each pair, the newest included (unshifted). */
  newerBranch = 0;
  /** Sum over the taps of the older input of each pair (unshifted). */
  olderBranch = 0;
  /** The inputs, written twice (at i and i + 24) so that a window never wraps. */
  readonly #history = new Int32Array(2 * QMF_TAPS);
  /** Where the next input goes, 0..23; after a pair, also where the oldest input is. */
  #position = 0;

  /** Shifts in two inputs (`older` first) and updates {@link newerBranch} and {@link olderBranch}. */
  push(older: number, newer: number): void {
    const history = this.#history;
    let position = this.#position;
    history[position] = older;
    history[position + QMF_TAPS] = older;
    position = position + 1 === QMF_TAPS ? 0 : position + 1;
    history[position] = newer;
    history[position + QMF_TAPS] = newer;
    position = position + 1 === QMF_TAPS ? 0 : position + 1;
    this.#position = position;
    let olderBranch = 0;
    let newerBranch = 0;
    for (let tap = 0; tap < QMF_TAPS; tap += 2) {
      olderBranch += history[position + tap]! * QMF_COEFFICIENTS[tap]!;
      newerBranch += history[position + tap + 1]! * QMF_COEFFICIENTS[tap + 1]!;
    }
    this.olderBranch = olderBranch;
    this.newerBranch = newerBranch;
  }

  /** Back to all-zero inputs. */
  reset(): void {
    this.#history.fill(0);
    this.#position = 0;
    this.olderBranch = 0;
    this.newerBranch = 0;
  }
}
