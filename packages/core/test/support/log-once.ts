/** Logs one record with the default logger settings, for the logger tests' child processes. */
import { createLogger } from '../../src/index.js';

createLogger().info('hello from a child');
