/**
 * Runs the Twilio voice agent: `npm start` (see the README for the environment variables).
 * SIGTERM or SIGINT ends the calls in progress gracefully (each is hung up after what the agent
 * was saying), then exits; a second signal exits at once.
 */
import { createLogger, type Logger, LogLevelError } from '@voxline/core';
import { ConfigError, checkRecordingsDirectoryVariable, readTwilioAgentConfig } from './config.js';
import { buildTwilioAgentApp, MEDIA_PATH, STATUS_PATH, VOICE_PATH } from './twilio-agent-app.js';

let logger: Logger;
let config: ReturnType<typeof readTwilioAgentConfig>;
try {
  logger = createLogger({ name: 'twilio-inbound' });
  config = readTwilioAgentConfig(process.env);
  await checkRecordingsDirectoryVariable(process.env, config.recordingsDir);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof LogLevelError)) throw error;
  console.error(`twilio-inbound: ${error.message}`);
  process.exit(2);
}

const { app } = await buildTwilioAgentApp({
  logger,
  twilio: config.twilio,
  services: config.services,
  persona: config.persona,
  publicUrl: config.publicUrl,
  recordingsDir: config.recordingsDir,
  handleSignals: true,
});
await app.listen({ host: config.host, port: config.port });
logger.info(
  {
    voice: `${config.publicUrl}${VOICE_PATH}`,
    status: `${config.publicUrl}${STATUS_PATH}`,
    media: `${config.publicUrl.replace(/^http/, 'ws')}${MEDIA_PATH}`,
    recordings: config.recordingsDir,
  },
  'Twilio voice agent ready',
);
