/**
 * One more Voxline instance for the crash tests of the recording job queue, run as its own process
 * (`node --conditions=@voxline/source --import tsx recording-job-instance.ts`): it queues the
 * recording given in `VOXLINE_TEST_JOB` (JSON) into Redis, runs a worker that takes it, prints
 * `queued` and waits until the test kills it.
 */
import { RecordingLogger } from '@voxline/core/testing';
import type { RecordingToArchive } from '../../src/carrier-kit/index.js';
import { BullMQRecordingJobQueue, CallRegistry, LocalDirectoryRecordingStorage } from '../../src/index.js';

interface InstanceJob {
  redisUrl: string;
  prefix: string;
  directory: string;
  lockDuration: number;
  stalledInterval: number;
  recording: RecordingToArchive;
}

const job = JSON.parse(process.env.VOXLINE_TEST_JOB ?? '{}') as InstanceJob;
const queue = new BullMQRecordingJobQueue({
  url: job.redisUrl,
  prefix: job.prefix,
  storage: new LocalDirectoryRecordingStorage(job.directory),
  registry: new CallRegistry({ logger: new RecordingLogger() }),
  lockDuration: job.lockDuration,
  stalledInterval: job.stalledInterval,
  logger: new RecordingLogger(),
});
await queue.enqueue(job.recording);
process.stdout.write('queued\n');
// Runs until killed.
setInterval(() => {}, 60_000);
