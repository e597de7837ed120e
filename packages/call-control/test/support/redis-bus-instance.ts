// One instance of a deployment in its own process, for the command bus tests: it listens on the
// Redis command bus and answers every command, so a test can stop it (SIGSTOP) or kill it
// (SIGKILL) like a real instance. Arguments: <redis url> <prefix> <instance id> <heartbeat ttl ms>
// <heartbeat interval ms>. Prints `listening` once commands reach it.
import { redisSharedState } from '../../src/index.js';

const [url, prefix, instanceId, heartbeatTtlMs, heartbeatIntervalMs] = process.argv.slice(2);
const state = redisSharedState({
  url: url as string,
  prefix: prefix as string,
  instanceId: instanceId as string,
  heartbeatTtlMs: Number(heartbeatTtlMs),
  heartbeatIntervalMs: Number(heartbeatIntervalMs),
});
await state.bus.listen(async (callId, command) => {
  if (command.type === 'send-dtmf' && command.digits === '0') throw new Error(`digit 0 refused on ${callId}`);
});
process.stdout.write('listening\n');
process.once('SIGTERM', () => {
  void state.close().then(() => process.exit(0));
});
