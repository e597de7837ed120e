/**
 * The code of the worker thread that runs Silero batches, as a CommonJS script the worker runner
 * starts with `new Worker(source, { eval: true })`. A self-contained script (no imports of this
 * package's modules; onnxruntime-node is required by the path the parent resolved) runs the same
 * from TypeScript sources in development and tests and from the compiled package, with no loader.
 *
 * `workerData`: `{ onnxruntimePath, modelPath, sessionOptions }`. The worker creates its own
 * session and answers `{ type: 'ready' }` or `{ type: 'load-failed', message }`.
 *
 * Protocol, after `ready`, one message per step (the batch buffers are `SharedArrayBuffer`s, so
 * no message carries audio or state):
 * - `{ type: 'attach', id, sampleRate, rowSize, capacity, input, state, output, stateN }`: the
 *   buffers of batch `id` (Float32Arrays over shared memory), sent once per batch.
 * - `{ type: 'run', id, size }`: run the first `size` rows of batch `id`; answered with
 *   `{ type: 'done', id }` or `{ type: 'failed', id, message }`. Runs are answered in order.
 */

/** A message from the worker to its parent. */
export type SileroBatchWorkerMessage =
  | { type: 'ready' }
  | { type: 'load-failed'; message: string }
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; message: string };

/** The `workerData` of the batch worker. */
export interface SileroBatchWorkerData {
  onnxruntimePath: string;
  modelPath: string;
  sessionOptions: object;
}

/** The worker script. */
export const sileroBatchWorkerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { InferenceSession, Tensor } = require(workerData.onnxruntimePath);

const STATE_WIDTH = 128;
const batches = new Map();
const sampleRateTensors = new Map();
let session;

function sampleRateTensor(sampleRate) {
  let tensor = sampleRateTensors.get(sampleRate);
  if (tensor === undefined) {
    tensor = new Tensor('int64', BigInt64Array.of(BigInt(sampleRate)), []);
    sampleRateTensors.set(sampleRate, tensor);
  }
  return tensor;
}

// onnxruntime-node refuses tensors over shared memory ("Invalid argument"), so each batch has
// private buffers in this thread, and its rows are copied in before and out after each run (a
// memcpy of about 0.4 MB for 100 rows at 16 kHz). The tensors of a batch at one batch size are
// made once, as views over the private buffers.
function attach(message) {
  return {
    ...message,
    local: {
      input: new Float32Array(message.input.length),
      state: new Float32Array(message.state.length),
      output: new Float32Array(message.output.length),
      stateN: new Float32Array(message.stateN.length),
    },
    bySize: new Array(message.capacity + 1),
  };
}

function tensorsFor(batch, size) {
  let tensors = batch.bySize[size];
  if (tensors === undefined) {
    const local = batch.local;
    const stateFloats = 2 * size * STATE_WIDTH;
    const stateDims = [2, size, STATE_WIDTH];
    tensors = {
      feeds: {
        input: new Tensor('float32', local.input.subarray(0, size * batch.rowSize), [size, batch.rowSize]),
        state: new Tensor('float32', local.state.subarray(0, stateFloats), stateDims),
        sr: sampleRateTensor(batch.sampleRate),
      },
      fetches: {
        output: new Tensor('float32', local.output.subarray(0, size), [size, 1]),
        stateN: new Tensor('float32', local.stateN.subarray(0, stateFloats), stateDims),
      },
      localResults: {
        output: local.output.subarray(0, size),
        stateN: local.stateN.subarray(0, stateFloats),
      },
      shared: {
        input: batch.input.subarray(0, size * batch.rowSize),
        state: batch.state.subarray(0, stateFloats),
        output: batch.output.subarray(0, size),
        stateN: batch.stateN.subarray(0, stateFloats),
      },
    };
    batch.bySize[size] = tensors;
  }
  return tensors;
}

function errorMessage(error) {
  return String(error && error.message ? error.message : error);
}

parentPort.on('message', (message) => {
  if (message.type === 'attach') {
    batches.set(message.id, attach(message));
    return;
  }
  const batch = batches.get(message.id);
  if (batch === undefined) {
    parentPort.postMessage({ type: 'failed', id: message.id, message: 'unknown batch' });
    return;
  }
  const tensors = tensorsFor(batch, message.size);
  const local = batch.local;
  local.input.set(tensors.shared.input);
  local.state.set(tensors.shared.state);
  session.run(tensors.feeds, tensors.fetches).then(
    () => {
      tensors.shared.output.set(tensors.localResults.output);
      tensors.shared.stateN.set(tensors.localResults.stateN);
      parentPort.postMessage({ type: 'done', id: message.id });
    },
    (error) => parentPort.postMessage({ type: 'failed', id: message.id, message: errorMessage(error) }),
  );
});

InferenceSession.create(workerData.modelPath, workerData.sessionOptions).then(
  (created) => {
    session = created;
    parentPort.postMessage({ type: 'ready' });
  },
  (error) => parentPort.postMessage({ type: 'load-failed', message: errorMessage(error) }),
);
`;
