/**
 * Runs the Telnyx voice agent: `npm start` (see the README for the environment variables).
 * SIGTERM or SIGINT ends the calls in progress gracefully (each is hung up after what the agent
 * was saying), then exits; a second signal exits at once.
 */
import { redisSharedState } from '@voxline/call-control';
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

// With REDIS_URL, any number of instances serve the application behind a load balancer.
const sharedState =
  config.redisUrl !== undefined ? redisSharedState({ url: config.redisUrl, logger }) : undefined;
const { app } = await buildTelnyxAgentApp({
  ...(sharedState !== undefined ? { sharedState, recordingQueueRedisUrl: config.redisUrl } : {}),
  logger,
  telnyx: config.telnyx,
  services: config.services,
  persona: config.persona,
  publicUrl: config.publicUrl,
  recordingsDir: config.recordingsDir,
  handleSignals: true,
});
app.addHook('onClose', async () => {
  await sharedState?.close();
});
await app.listen({ host: config.host, port: config.port });
logger.info(
  {
    webhook: `${config.publicUrl}${WEBHOOK_PATH}`,
    media: `${config.publicUrl.replace(/^http/, 'ws')}${MEDIA_PATH}`,
    recordings: config.recordingsDir,
    sharedState: sharedState?.kind ?? 'memory',
  },
  'Telnyx voice agent ready',
);
