/**
 * Work a webhook causes, done after the webhook was answered.
 *
 * Carriers wait a bounded time for a 2xx (Telnyx documents 2 s for messaging webhooks; Twilio
 * 15 s for voice URLs) and retry when it does not come, so a webhook handler that first calls the
 * carrier's API (answer, record, download) risks a retry storm whenever that API is slow. Webhook
 * routes therefore verify, parse and deduplicate (all synchronous and fast), answer, and only then
 * run the work. This class schedules that work to start once the reply has been written, logs its
 * failures with the call id, and lets a server or a test wait until all of it has finished.
 */
import type { Logger } from '@voxline/core';
import type { FastifyReply } from 'fastify';

/** Runs webhook work after the reply; see the module comment. */
export class AfterReplyWork {
  readonly #pending = new Set<Promise<void>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /**
   * Runs `work` once `reply` has been written (or its connection closed), never before. A failure is
   * logged as an error with `fields` (carrier, call id, event), not thrown.
   */
  afterReply(reply: FastifyReply, fields: Record<string, unknown>, work: () => Promise<void>): void {
    const raw = reply.raw;
    this.#track(
      new Promise<void>((resolve) => {
        if (raw.writableFinished || raw.destroyed) {
          resolve();
          return;
        }
        const start = () => {
          raw.off('finish', start);
          raw.off('close', start);
          resolve();
        };
        raw.on('finish', start);
        raw.on('close', start);
      }).then(work),
      fields,
    );
  }

  /** Runs `work` now, tracked and logged the same way (for work with no reply to wait for). */
  run(fields: Record<string, unknown>, work: () => Promise<void>): void {
    this.#track(Promise.resolve().then(work), fields);
  }

  /** Resolves once all work started so far, and any work it started in turn, has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Work scheduled or running. */
  get pending(): number {
    return this.#pending.size;
  }

  #track(work: Promise<void>, fields: Record<string, unknown>): void {
    const tracked = work.then(
      () => {},
      (error: unknown) => this.#logger.error({ ...fields, err: error }, 'webhook work failed'),
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }
}
