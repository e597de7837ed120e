/**
 * The code of the worker thread that runs Flite (compiled to WASI), as a CommonJS script the
 * synthesizer starts with `new Worker(source, { eval: true })`. Keeping it a self-contained
 * script (no imports of project modules) lets the same worker run from TypeScript sources in
 * development and tests and from the compiled package, with no loader in the worker.
 *
 * Protocol: the parent posts `{ id, text, voice }`; the worker answers `{ id, samples, sampleRate }`
 * (the samples' buffer transferred, not copied) or `{ id, error }`, one request at a time.
 *
 * For each request it instantiates the module compiled once at start with a fresh
 * {@link inMemoryWasiSource | in-memory WASI}, runs `flite -voice <voice> -t <text> -o
 * /out/speech.wav`, and reads the canonical 16-bit PCM WAV that Flite writes into memory. A
 * synthesis holds no file descriptor and touches no disk.
 */
import { inMemoryWasiSource } from './in-memory-wasi-source.js';

/** A request from the parent. */
export interface FliteRequest {
  id: number;
  text: string;
  voice: string;
}

/** The worker's answer. */
export type FliteResponse =
  | { id: number; samples: Int16Array; sampleRate: number }
  | { id: number; error: string };

/** The worker script; `workerData.wasmPath` is the path of `flite.wasm`. */
export const fliteWorkerSource = `
const { readFileSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
${inMemoryWasiSource}
const modulePromise = WebAssembly.compile(readFileSync(workerData.wasmPath));

function readPcmWav(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sampleRate = 0;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') sampleRate = view.getUint32(offset + 12, true);
    if (id === 'data') {
      const samples = new Int16Array(size >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(offset + 8 + 2 * i, true);
      return { samples, sampleRate };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error('Flite wrote no data chunk');
}

async function synthesize(request) {
  const module = await modulePromise;
  const wasi = new InMemoryWasi(['flite', '-voice', request.voice, '-t', request.text, '-o', '/out/speech.wav']);
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.imports });
  const exitCode = wasi.start(instance);
  const stderr = wasi.stderr.trim().slice(0, 300);
  if (exitCode !== 0) throw new Error('flite exited with code ' + exitCode + (stderr ? ': ' + stderr : ''));
  const wav = wasi.file('speech.wav');
  if (wav === undefined) throw new Error('flite wrote no audio' + (stderr ? ': ' + stderr : ''));
  return readPcmWav(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
}

let queue = Promise.resolve();
parentPort.on('message', (request) => {
  queue = queue.then(async () => {
    try {
      const { samples, sampleRate } = await synthesize(request);
      parentPort.postMessage({ id: request.id, samples, sampleRate }, [samples.buffer]);
    } catch (error) {
      parentPort.postMessage({ id: request.id, error: String(error && error.message ? error.message : error) });
    }
  });
});
`;
