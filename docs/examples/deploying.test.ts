import { TwilioMediaStreamVerifier, twilioCarrier } from '@voxline/twilio';
import { expect, it } from 'vitest';
import { passThroughPipeline, startVoiceServer } from './deploying.js';

it('the deploying guide: /healthz answers while serving; once closed, no new connection is accepted', async () => {
  process.env.VOXLINE_LOG_LEVEL ??= 'warn';
  const app = await startVoiceServer({
    port: 0,
    createPipeline: passThroughPipeline,
    carriers: [twilioCarrier()],
    verifiers: [new TwilioMediaStreamVerifier({ authToken: 'the-account-auth-token' })],
  });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/healthz`;
  const healthy = await fetch(url);
  expect(healthy.status).toBe(200);
  expect(await healthy.json()).toEqual({ status: 'ok', calls: 0 });

  await app.close(); // what SIGTERM does, with handleSignals: true
  await expect(fetch(url)).rejects.toThrow();
});
