import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { telnyxBearerTokenVerifier } from './telephony-telnyx-media-token.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
});

/** A route guarded the way voxlineTelephony guards its upgrade route (`preValidation`). */
async function guardedApp(token: string): Promise<FastifyInstance> {
  app = Fastify();
  app.get('/telnyx', { preValidation: telnyxBearerTokenVerifier(token) }, async () => ({
    status: 'upgraded',
  }));
  await app.ready();
  return app;
}

it('the telephony guide: the Telnyx stream token lets the upgrade through', async () => {
  const server = await guardedApp('s3cret-stream-token');
  const response = await server.inject({
    url: '/telnyx',
    headers: { authorization: 'Bearer s3cret-stream-token' },
  });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toEqual({ status: 'upgraded' });
});

it('the telephony guide: a missing, wrong or differently long token is refused with 401', async () => {
  const server = await guardedApp('s3cret-stream-token');
  for (const authorization of [
    undefined,
    'Bearer wrong-stream-token',
    'Bearer s3cret',
    's3cret-stream-token',
  ]) {
    const response = await server.inject({
      url: '/telnyx',
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(response.statusCode, String(authorization)).toBe(401);
    expect(response.json()).toEqual({ error: 'unauthorized' });
  }
});
