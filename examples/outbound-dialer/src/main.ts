/**
 * Dials a list of numbers: `npm start -- numbers.csv` or `npm start -- +13125550123 +13125550124`
 * (see the README for the environment variables). Prints one line per number when done; exits 1
 * if any dial was refused.
 *
 * The first SIGINT or SIGTERM stops dialling new numbers and lets the calls in progress finish; a
 * second one ends them now (each is hung up after what the agent was saying) and exits; a third
 * exits at once.
 */
import { createLogger, type Logger, LogLevelError } from '@voxline/core';
import { ConfigError, checkRecordingsDirectoryVariable, readDialerConfig } from './config.js';
import { DialListError, readDialList } from './dial-list.js';
import { dialAll } from './outbound-dialer.js';
import { buildOutboundDialerApp } from './outbound-dialer-app.js';

let logger: Logger;
let config: ReturnType<typeof readDialerConfig>;
let numbers: string[];
try {
  logger = createLogger({ name: 'outbound-dialer' });
  config = readDialerConfig(process.env);
  await checkRecordingsDirectoryVariable(process.env, config.recordingsDir);
  numbers = await readDialList(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof DialListError || error instanceof LogLevelError))
    throw error;
  console.error(`outbound-dialer: ${error.message}`);
  process.exit(2);
}

const { app, calls } = await buildOutboundDialerApp({
  logger,
  telnyx: { ...config.telnyx, connectionId: config.connectionId },
  services: config.services,
  persona: config.persona,
  voicemailMessage: config.voicemailMessage,
  ...(config.voicemailVoice !== undefined ? { voicemailVoice: config.voicemailVoice } : {}),
  publicUrl: config.publicUrl,
  recordingsDir: config.recordingsDir,
});
await app.listen({ host: config.host, port: config.port });

const stopDialling = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals === 1) {
    logger.info({ signal, calls: calls.registry.size }, 'no new calls; waiting for the calls in progress');
    stopDialling.abort();
  } else if (signals === 2) {
    logger.info({ signal }, 'ending the calls in progress');
    void app.close().finally(() => process.exit(130));
  } else {
    process.exit(130);
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

logger.info({ numbers: numbers.length, concurrency: config.concurrency }, 'dialling');
const results = await dialAll(numbers, {
  calls,
  from: config.from,
  concurrency: config.concurrency,
  signal: stopDialling.signal,
  logger,
});
await app.close();

for (const result of results) {
  const notes = [result.voicemailLeft ? 'voicemail left' : '', result.error ?? ''].filter(Boolean).join('; ');
  console.log([result.to, result.outcome, result.answeredBy ?? '-', notes].join('\t'));
}
process.exitCode = results.some((result) => result.outcome === 'dial-failed') ? 1 : 0;
