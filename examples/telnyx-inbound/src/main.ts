/**
 * Runs the Telnyx voice agent: `npm start` (see the README for the environment variables).
 * SIGTERM or SIGINT ends the calls in progress gracefully (each is hung up after what the agent
 * was saying), then exits; a second signal exits at once.
 */
import { createLogger, type Logger, LogLevelError } from '@voxline/core';
import { ConfigError, checkRecordingsDirectoryVariable, readTelnyxAgentConfig } from './config.js';
import { buildTelnyxAgentApp, MEDIA_PATH, WEBHOOK_PATH } from './telnyx-agent-app.js';

let logger: Logger;
let config: ReturnType<typeof readTelnyxAgentConfig>;
try {
  logger = createLogger({ name: 'telnyx-inbound' });
  config = readTelnyxAgentConfig(process.env);
  await checkRecordingsDirectoryVariable(process.env, config.recordingsDir);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof LogLevelError)) throw error;
  console.error(`telnyx-inbound: ${error.message}`);
  process.exit(2);
}

const { app } = await buildTelnyxAgentApp({
  logger,
  telnyx: config.telnyx,
  services: config.services,
  persona: config.persona,
  publicUrl: config.publicUrl,
  recordingsDir: config.recordingsDir,
  handleSignals: true,
});
await app.listen({ host: config.host, port: config.port });
logger.info(
  {
    webhook: `${config.publicUrl}${WEBHOOK_PATH}`,
    media: `${config.publicUrl.replace(/^http/, 'ws')}${MEDIA_PATH}`,
    recordings: config.recordingsDir,
  },
  'Telnyx voice agent ready',
);
