/**
 * A small typed event emitter. Unlike node's EventEmitter, an `error` event is an ordinary event
 * (no throw when nobody listens), and a listener that throws is reported, not propagated, so one
 * bad handler cannot break a call.
 */

type Listener<Args extends unknown[]> = (...args: Args) => void;
// biome-ignore lint/suspicious/noExplicitAny: listeners of different events share one map
type AnyListener = (...args: any[]) => void;

export class TypedEventEmitter<Events extends { [name: string]: unknown[] }> {
  readonly #listeners = new Map<keyof Events, Set<AnyListener>>();

  /** Adds a listener; returns a function that removes it. */
  on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void {
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as AnyListener);
    return () => this.off(name, listener);
  }

  /** Adds a listener that runs once. */
  once<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void {
    const remove = this.on(name, ((...args: Events[Name]) => {
      remove();
      listener(...args);
    }) as Listener<Events[Name]>);
    return remove;
  }

  /** Removes a listener. */
  off<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): void {
    this.#listeners.get(name)?.delete(listener as AnyListener);
  }

  /** Calls every listener of `name`; returns whether there was any. */
  protected emit<Name extends keyof Events>(name: Name, ...args: Events[Name]): boolean {
    const set = this.#listeners.get(name);
    if (set === undefined || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(error, String(name));
      }
    }
    return true;
  }

  /** Called when a listener throws; logs to stderr by default. */
  protected onListenerError(error: unknown, eventName: string): void {
    console.error(`listener of '${eventName}' threw:`, error);
  }
}
