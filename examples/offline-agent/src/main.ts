/**
 * Runs the offline agent server: `npm start` (see the README for the environment variables).
 * SIGTERM or SIGINT ends the calls in progress gracefully, then exits; a second signal exits at once.
 */
import { createLogger, type Logger, LogLevelError } from '@voxline/core';
import { ConfigError, checkRecordingsDir, readConfig } from './config.js';
import { buildOfflineAgentApp } from './offline-agent-app.js';

let logger: Logger;
let config: ReturnType<typeof readConfig>;
try {
  logger = createLogger({ name: 'offline-agent' });
  config = readConfig(process.env);
  await checkRecordingsDir(config);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof LogLevelError)) throw error;
  console.error(`offline-agent: ${error.message}`);
  process.exit(2);
}

const app = await buildOfflineAgentApp({
  logger,
  voice: config.voice,
  ...(config.recordingsDir !== undefined ? { recordingsDir: config.recordingsDir } : {}),
  handleSignals: true,
  ...(config.streamSecret !== undefined ? { streamSecret: config.streamSecret } : {}),
  ...(config.twilioAuthToken !== undefined ? { twilioAuthToken: config.twilioAuthToken } : {}),
  allowUnverifiedStreams: config.allowUnverifiedStreams,
});
await app.listen({ host: config.host, port: config.port });
logger.info(
  { telnyx: '/telnyx', twilio: '/twilio', health: '/healthz', voice: config.voice },
  'offline agent ready',
);
