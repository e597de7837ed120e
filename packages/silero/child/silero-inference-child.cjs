// The Silero inference child process: runs Silero VAD batches on its own onnxruntime session, so
// that a crash in native code (a segfault in onnxruntime-node) ends this process and not the
// server's. Started by the parent's `child_process.fork` (ProcessBatchRunner in
// src/process-batch-runner.ts), with no Node flags of the parent's.
//
// CommonJS with no imports of this package's TypeScript, so it runs the same from the sources
// and from the published package. Argument: a JSON object `{ onnxruntimePath, modelPath,
// sessionOptions, capacity }`.
//
// Channels: the IPC channel (fd 3) carries `{ type: 'ready' }` or `{ type: 'load-failed',
// message }` once; the parent's disconnect ends the process. Batches go over a binary pipe
// (fd 4), one request at a time, answered in order (all integers little-endian uint32, all
// samples float32 little-endian):
//   request:  [sampleRate, rows, rowSize] input (rows × rowSize) state ([2, rows, 128])
//   response: [0, bytes] output (rows) stateN ([2, rows, 128])   or   [1, bytes] UTF-8 message
// The buffers are allocated once for `capacity` rows per sample rate: no allocation per batch
// beyond what Node's stream makes for each chunk read.
'use strict';
const net = require('node:net');

const settings = JSON.parse(process.argv[2]);
const { InferenceSession, Tensor } = require(settings.onnxruntimePath);

const STATE_WIDTH = 128;
const STREAM_STATE_SIZE = 2 * STATE_WIDTH;
const REQUEST_HEADER_BYTES = 12;
const RESPONSE_HEADER_BYTES = 8;
const capacity = settings.capacity;
// The widest row (16 kHz: 64 context + 512 window) bounds every request.
const MAX_ROW_SIZE = 576;
const maxRequestBytes = REQUEST_HEADER_BYTES + capacity * (MAX_ROW_SIZE + STREAM_STATE_SIZE) * 4;

const received = new Uint8Array(new ArrayBuffer(maxRequestBytes));
const receivedView = new DataView(received.buffer);
let receivedLength = 0;

const responseBuffer = Buffer.alloc(RESPONSE_HEADER_BYTES + capacity * (1 + STREAM_STATE_SIZE) * 4);

/** Per sample rate: private tensor buffers (onnxruntime-node reads and writes these). */
const lanes = new Map();
let session;
let busy = false;

const pipe = new net.Socket({ fd: 4, readable: true, writable: true });

function laneFor(sampleRate, rowSize) {
  let lane = lanes.get(sampleRate);
  if (lane === undefined) {
    lane = {
      rowSize,
      input: new Float32Array(capacity * rowSize),
      state: new Float32Array(capacity * STREAM_STATE_SIZE),
      output: new Float32Array(capacity),
      stateN: new Float32Array(capacity * STREAM_STATE_SIZE),
      sampleRate: new Tensor('int64', BigInt64Array.of(BigInt(sampleRate)), []),
      byRows: new Array(capacity + 1),
    };
    lane.inputBytes = new Uint8Array(lane.input.buffer);
    lane.stateBytes = new Uint8Array(lane.state.buffer);
    lane.outputBytes = new Uint8Array(lane.output.buffer);
    lane.stateNBytes = new Uint8Array(lane.stateN.buffer);
    lanes.set(sampleRate, lane);
  }
  return lane;
}

/** The feeds and fetches of `rows` rows, views over the lane's buffers, made once per size. */
function tensorsFor(lane, rows) {
  let tensors = lane.byRows[rows];
  if (tensors === undefined) {
    const stateFloats = rows * STREAM_STATE_SIZE;
    const stateDims = [2, rows, STATE_WIDTH];
    tensors = {
      feeds: {
        input: new Tensor('float32', lane.input.subarray(0, rows * lane.rowSize), [rows, lane.rowSize]),
        state: new Tensor('float32', lane.state.subarray(0, stateFloats), stateDims),
        sr: lane.sampleRate,
      },
      fetches: {
        output: new Tensor('float32', lane.output.subarray(0, rows), [rows, 1]),
        stateN: new Tensor('float32', lane.stateN.subarray(0, stateFloats), stateDims),
      },
    };
    lane.byRows[rows] = tensors;
  }
  return tensors;
}

/** Copies `floats` float32 values from `received` at `offset` into `targetBytes`. */
function copyFloats(targetBytes, offset, floats) {
  targetBytes.set(received.subarray(offset, offset + floats * 4));
}

function respond(status, body, bodyBytes) {
  responseBuffer.writeUInt32LE(status, 0);
  responseBuffer.writeUInt32LE(bodyBytes, 4);
  if (body !== undefined) body(responseBuffer);
  // The response buffer is reused: the next request waits until this write is flushed.
  pipe.write(responseBuffer.subarray(0, RESPONSE_HEADER_BYTES + bodyBytes), () => {
    busy = false;
    pump();
  });
}

function fail(message) {
  const text = Buffer.from(message.slice(0, 1000), 'utf8');
  respond(1, (buffer) => text.copy(buffer, RESPONSE_HEADER_BYTES), text.length);
}

/** Runs the next complete request, if any and if none is running. */
function pump() {
  if (busy || receivedLength < REQUEST_HEADER_BYTES) return;
  const sampleRate = receivedView.getUint32(0, true);
  const rows = receivedView.getUint32(4, true);
  const rowSize = receivedView.getUint32(8, true);
  const inputFloats = rows * rowSize;
  const stateFloats = rows * STREAM_STATE_SIZE;
  const total = REQUEST_HEADER_BYTES + (inputFloats + stateFloats) * 4;
  if (receivedLength < total) return;
  busy = true;
  if (rows < 1 || rows > capacity || rowSize > MAX_ROW_SIZE || total > maxRequestBytes) {
    consume(total > maxRequestBytes ? receivedLength : total);
    fail(`bad batch request: ${rows} rows of ${rowSize}`);
    return;
  }
  const lane = laneFor(sampleRate, rowSize);
  copyFloats(lane.inputBytes, REQUEST_HEADER_BYTES, inputFloats);
  copyFloats(lane.stateBytes, REQUEST_HEADER_BYTES + inputFloats * 4, stateFloats);
  consume(total);
  const tensors = tensorsFor(lane, rows);
  session.run(tensors.feeds, tensors.fetches).then(
    () =>
      respond(
        0,
        (buffer) => {
          buffer.set(lane.outputBytes.subarray(0, rows * 4), RESPONSE_HEADER_BYTES);
          buffer.set(lane.stateNBytes.subarray(0, stateFloats * 4), RESPONSE_HEADER_BYTES + rows * 4);
        },
        (rows + stateFloats) * 4,
      ),
    (error) => fail(errorMessage(error)),
  );
}

function errorMessage(error) {
  return String(error?.message ?? error);
}

/** Drops the first `bytes` of `received`, keeping what follows (the next request's start). */
function consume(bytes) {
  received.copyWithin(0, bytes, receivedLength);
  receivedLength -= bytes;
}

pipe.on('data', (chunk) => {
  if (receivedLength + chunk.length > received.length) {
    // More than one whole request can never be pending (the parent sends one batch at a time and
    // waits for its answer), so this is a broken parent: stop.
    process.exit(70);
  }
  received.set(chunk, receivedLength);
  receivedLength += chunk.length;
  if (session !== undefined) pump();
});
pipe.on('error', () => process.exit(0));
pipe.on('close', () => process.exit(0));
process.on('disconnect', () => process.exit(0));

InferenceSession.create(settings.modelPath, settings.sessionOptions).then(
  (created) => {
    session = created;
    process.send({ type: 'ready' });
    pump();
  },
  (error) => {
    process.send({ type: 'load-failed', message: errorMessage(error) }, () => process.exit(1));
  },
);
