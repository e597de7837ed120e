/**
 * What the log observers (transcriptions, LLM responses, metrics) share: where they log and at
 * which level.
 */
import type { Logger } from '../logger.js';

/** Options every log observer takes. */
export interface LogObserverOptions {
  /** Where records go; default none (the observer only calls its callback). */
  logger?: Logger;
  /** Level of the records; default `'info'`. */
  level?: 'debug' | 'info';
}
