import { fileURLToPath } from 'node:url';
import { VADError } from '@voxline/audio';
import { InferenceSession } from 'onnxruntime-node';

/**
 * Path of the Silero VAD model shipped in this package (v6.2 weights, v5 interface;
 * `model/silero_vad.onnx`, provenance in `model/README.md`).
 */
export const SILERO_MODEL_PATH: string = fileURLToPath(new URL('../model/silero_vad.onnx', import.meta.url));

/**
 * The options every Silero session of this package is created with, in the main thread and in
 * the batch worker; why these, see {@link loadSileroSession}.
 */
export const SILERO_SESSION_OPTIONS: Readonly<InferenceSession.SessionOptions> = Object.freeze({
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
});

const sessions = new Map<string, Promise<InferenceSession>>();

/**
 * The ONNX Runtime session for a Silero model file, created on first use and then shared by
 * every analyzer in the process. A session holds only the model (read-only weights and graph);
 * the recurrent state of each audio stream lives in its analyzer, so one session serves any
 * number of concurrent calls.
 *
 * Session options: one intra-op thread, one inter-op thread, sequential execution, CPU. One
 * window is ~0.1-0.3 ms of small matrix work, less than the cost of handing it to a thread pool;
 * onnxruntime-node runs each inference synchronously on the JavaScript thread anyway (inside a
 * `setImmediate`), and default pools would start one spinning worker per core per session,
 * stealing CPU from the other calls in the process. (LiveKit's Silero plugin uses the same
 * options.)
 *
 * @param modelPath ONNX file; default {@link SILERO_MODEL_PATH}.
 * @throws {VADError} `vad-load-failed` (rejected) if the file is missing or not a valid
 *   model; the next call tries again.
 */
export function loadSileroSession(modelPath: string = SILERO_MODEL_PATH): Promise<InferenceSession> {
  let session = sessions.get(modelPath);
  if (session === undefined) {
    session = InferenceSession.create(modelPath, { ...SILERO_SESSION_OPTIONS }).catch((error: unknown) => {
      sessions.delete(modelPath);
      throw new VADError('vad-load-failed', `could not load the Silero VAD model ${modelPath}`, {
        cause: error,
      });
    });
    sessions.set(modelPath, session);
  }
  return session;
}
