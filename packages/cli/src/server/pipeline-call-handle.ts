/**
 * The pipeline side of a call served by `voxline serve`: runs the commands other instances (or
 * this one) send to the call through the `CallCommandRouter` once its media stream is accepted
 * here.
 *
 * | command        | what happens in the call's pipeline                                          |
 * |----------------|-------------------------------------------------------------------------------|
 * | `hang-up`      | the pipeline ends after what it has queued (an `EndFrame`): the final audio plays, then the carrier is asked to hang up, as when the agent ends a call |
 * | `speak`        | a `TTSSpeakFrame` with the text: the agent's TTS says it                       |
 * | `play-audio`   | the decoded PCM goes to the caller as output audio frames of 20 ms at its own rate (8000, 16000, 22050, 24000, 44100 or 48000 Hz; the carrier's serializer resamples) |
 * | `send-dtmf`    | in-band DTMF tones (100 ms tone, 100 ms gap per key, -13 dBFS per tone), played like audio |
 * | `deliver-event`| handled by the router itself, never here                                       |
 *
 * Commands for a call whose pipeline is not running (still being built, or over) fail with a
 * {@link PipelineCallHandleError}, which the router reports to the sender as `command-failed`.
 */
import { generateDTMF, RESAMPLER_SAMPLE_RATES } from '@voxline/audio';
import type { MediaCallHandle, RemoteCallCommand } from '@voxline/call-control';
import { OutputAudioRawFrame, TTSSpeakFrame, VoxlineError } from '@voxline/core';
import type { CallSession } from '@voxline/websocket';

/** Largest decoded `play-audio` payload, in bytes: 1 MiB (larger audio goes in several commands). */
export const MAX_PLAY_AUDIO_BYTES = 1024 * 1024;
/** Sample rate of generated DTMF tones, in Hz (the telephone band; the serializer resamples). */
const DTMF_SAMPLE_RATE = 8000;
/** Duration of each queued output audio frame, in ms. */
const FRAME_MS = 20;
/** Valid DTMF keys for in-band tones (ITU-T Q.23): 0-9, *, #, A-D. */
const DTMF_DIGITS = /^[0-9*#A-Da-d]+$/;

/** Why a command could not run on the call's pipeline. */
export type PipelineCallHandleErrorCode = 'pipeline-not-running' | 'invalid-command';

/** A command could not run on the call's pipeline; `code` says why. */
export class PipelineCallHandleError extends VoxlineError {
  declare readonly code: PipelineCallHandleErrorCode;

  constructor(code: PipelineCallHandleErrorCode, message: string) {
    super(code, message);
    this.name = 'PipelineCallHandleError';
  }
}

/** Runs router commands on one call's pipeline; see the module comment. */
export class PipelineCallHandle implements MediaCallHandle {
  readonly #session: CallSession;

  constructor(session: CallSession) {
    this.#session = session;
  }

  /**
   * Runs `command` on the call's pipeline; resolves once its frames are queued (not played).
   *
   * @throws {PipelineCallHandleError} `pipeline-not-running`, or `invalid-command` for audio that is
   *   not 16-bit PCM base64 within {@link MAX_PLAY_AUDIO_BYTES}, a sample rate the output cannot
   *   resample (8000, 16000, 22050, 24000, 44100 or 48000 Hz), or digits that are not DTMF keys.
   */
  async execute(command: RemoteCallCommand): Promise<void> {
    const task = this.#session.task;
    if (task === undefined || task.hasFinished || this.#session.state !== 'running') {
      throw new PipelineCallHandleError('pipeline-not-running', 'the call’s pipeline is not running');
    }
    switch (command.type) {
      case 'hang-up':
        task.stopWhenDone(command.reason ?? 'hang-up requested');
        return;
      case 'speak':
        if (typeof command.text !== 'string' || command.text.trim() === '') {
          throw new PipelineCallHandleError('invalid-command', 'speak needs non-empty text');
        }
        task.queueFrame(new TTSSpeakFrame(command.text));
        return;
      case 'play-audio':
        task.queueFrames(audioFrames(decodePcm(command.audio), supportedRate(command.sampleRate)));
        return;
      case 'send-dtmf':
        if (typeof command.digits !== 'string' || !DTMF_DIGITS.test(command.digits)) {
          throw new PipelineCallHandleError('invalid-command', 'send-dtmf digits must be 0-9, *, #, A-D');
        }
        task.queueFrames(
          audioFrames(generateDTMF(command.digits, { sampleRate: DTMF_SAMPLE_RATE }), DTMF_SAMPLE_RATE),
        );
        return;
      case 'deliver-event':
        throw new PipelineCallHandleError('invalid-command', 'deliver-event is the router’s to handle');
    }
  }
}

/** Base64 of 16-bit little-endian PCM → samples. */
function decodePcm(audio: unknown): Int16Array {
  if (typeof audio !== 'string' || audio === '') {
    throw new PipelineCallHandleError('invalid-command', 'play-audio needs base64 audio');
  }
  // Base64 is 4 characters per 3 bytes: checked before decoding, so no huge buffer is made.
  if ((audio.length * 3) / 4 > MAX_PLAY_AUDIO_BYTES + 3) {
    throw new PipelineCallHandleError(
      'invalid-command',
      `play-audio is limited to ${MAX_PLAY_AUDIO_BYTES} bytes`,
    );
  }
  const bytes = Buffer.from(audio, 'base64');
  if (bytes.length === 0 || bytes.length % 2 !== 0 || bytes.length > MAX_PLAY_AUDIO_BYTES) {
    throw new PipelineCallHandleError(
      'invalid-command',
      'play-audio must be base64 of 16-bit PCM (an even number of bytes, at most 1 MiB)',
    );
  }
  const samples = new Int16Array(bytes.length / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(2 * i);
  return samples;
}

/** The rate of `play-audio`: one the output's resampler converts (else the serializer would fail the call). */
function supportedRate(sampleRate: unknown): number {
  if (!(RESAMPLER_SAMPLE_RATES as readonly unknown[]).includes(sampleRate)) {
    throw new PipelineCallHandleError(
      'invalid-command',
      `play-audio sampleRate must be one of ${RESAMPLER_SAMPLE_RATES.join(', ')} Hz`,
    );
  }
  return sampleRate as number;
}

/** `samples` as output audio frames of {@link FRAME_MS} (the last one shorter). */
function audioFrames(samples: Int16Array, sampleRate: number): OutputAudioRawFrame[] {
  const frameSamples = Math.max(1, Math.round((sampleRate * FRAME_MS) / 1000));
  const frames: OutputAudioRawFrame[] = [];
  for (let start = 0; start < samples.length; start += frameSamples) {
    frames.push(
      new OutputAudioRawFrame({
        audio: samples.subarray(start, start + frameSamples),
        sampleRate,
        numChannels: 1,
      }),
    );
  }
  return frames;
}
