/**
 * Holds something (typically a {@link CarrierApiStandIn} answer) until the test opens the gate,
 * so a test can act while a request is in flight: `route('POST', path, async () => { await
 * gate.wait(); return answer; })`, then `await gate.reached`, act, `gate.open()`.
 */

/** See the module comment. */
export class ResponseGate {
  /** Resolves when something first waits on the gate. */
  readonly reached: Promise<void>;
  readonly #opened: Promise<void>;
  #open!: () => void;
  #reach!: () => void;

  constructor() {
    this.#opened = new Promise((resolve) => {
      this.#open = resolve;
    });
    this.reached = new Promise((resolve) => {
      this.#reach = resolve;
    });
  }

  /** Waits until the gate is opened (resolves at once once it is). */
  wait(): Promise<void> {
    this.#reach();
    return this.#opened;
  }

  /** Lets every waiter, present and future, through. */
  open(): void {
    this.#open();
  }
}
