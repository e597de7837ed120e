/**
 * The offline agent: a complete phone agent with no network and no API keys, the pipeline
 * `voxline demo` and `voxline serve --agent offline` run.
 *
 * ```
 * transport.input()            caller audio, 16000 Hz (the serializer resamples the carrier's 8000 Hz)
 *   → VADProcessor             Silero VAD v5 at 16000 Hz
 *   → PocketsphinxSTTService   one recognition per speech segment (or a placeholder when not installed)
 *   → UserTurnProcessor        turn start/end, barge-in
 *   → user context aggregator
 *   → TurnEchoResponder        a deterministic stand-in for an LLM
 *   → FliteTTSService          Flite `kal` voice, 8000 Hz; `kal16`, 16000 Hz, on a wideband call
 *                              (the pipeline's output rate follows the voice)
 *   → transport.output()       paced 20 ms frames, marks, clear
 *   → assistant context aggregator
 * ```
 *
 * With `vadIsolation: 'process'`, Silero runs in a child process shared by every call, so a crash
 * of onnxruntime-node's native code ends that child (its windows fail, a new one starts) rather
 * than the server.
 */

import { VADProcessor } from '@voxline/audio';
import {
  createContextAggregatorPair,
  type FrameProcessor,
  InvalidOptionError,
  LLMContext,
  type PipelineParams,
  UserTurnProcessor,
  VADTranscriptTurnEnd,
} from '@voxline/core';
import { SileroBatchScheduler, SileroVADAnalyzer } from '@voxline/silero';
import type { CallInfo } from '@voxline/telephony';
import type { TelephonyTransport } from '@voxline/websocket';
import { FLITE_VOICE_SAMPLE_RATES, FliteSynthesizer, type FliteVoice } from './flite/flite-synthesizer.js';
import { FliteTTSService } from './flite/flite-tts-service.js';
import { phraseGrammar } from './pocketsphinx/phrase-grammar.js';
import { isPocketsphinxInstalled, PocketsphinxSTTService } from './pocketsphinx/pocketsphinx-stt-service.js';
import { UntranscribedSpeechSTTService } from './pocketsphinx/untranscribed-speech-stt-service.js';
import { TurnEchoResponder } from './responder/turn-echo-responder.js';

/** Options of {@link createOfflineAgent}. */
export interface OfflineAgentOptions {
  /** The system message of every call's context; default a short phone-agent instruction. */
  systemPrompt?: string;
  /**
   * Flite voice for every call. Default: chosen per call by {@link offlineAgentVoice}, `kal16`
   * (16000 Hz) on a wideband call (G.722, 16 kHz Opus or L16), so no 8 kHz step narrows the
   * reply, and `kal` (8000 Hz, the same voice) on G.711.
   */
  voice?: FliteVoice;
  /** Use pocketsphinx when installed; default true. */
  useSpeechRecognition?: boolean;
  /**
   * Recognize only these phrases (see `PocketsphinxSTTServiceOptions.phrases`); default the whole
   * en-US vocabulary, which on telephone audio gets few words right.
   */
  phrases?: readonly string[];
  /**
   * Where Silero VAD runs. `'none'` (default): in this process, one onnxruntime run per window on
   * the JavaScript thread. `'process'`: in one child process for the agent, the calls' windows
   * batched (`SileroBatchScheduler` with `inference: 'process'`, default `maxWaitMs` 10): a
   * segfault in onnxruntime-node then ends the child, not the server; the windows it held are
   * skipped (a non-fatal `ErrorFrame` each) and a new child starts. Costs a process of about
   * 100 MB and up to 10 ms on each speech decision; see `@voxline/silero`'s README.
   */
  vadIsolation?: 'none' | 'process';
}

/** The offline agent, in the shape `voxline serve` runs. */
export interface OfflineAgent {
  readonly name: 'offline';
  readonly description: string;
  /**
   * The pipeline's parameters for `call`: 16000 Hz in; out at the call's voice's rate (see
   * {@link OfflineAgentOptions.voice}).
   */
  readonly params: (call: CallInfo) => Partial<PipelineParams>;
  /** What is missing on this machine, said at start (and in the demo's report). */
  readonly notices: readonly string[];
  /** Whether speech is really recognized (pocketsphinx installed). */
  readonly speechRecognition: boolean;
  createPipeline(call: CallInfo, transport: TelephonyTransport): Promise<FrameProcessor[]>;
  /** Where Silero VAD runs (see {@link OfflineAgentOptions.vadIsolation}). */
  readonly vadIsolation: 'none' | 'process';
  /** Stops the Flite worker, and the Silero child process with `vadIsolation: 'process'`. */
  close(): Promise<void>;
}

/**
 * The Flite voice the offline agent speaks with on `call` when no voice was chosen: `kal16`
 * (16000 Hz) when the carrier takes 16 kHz or more back (Telnyx G.722 and 16 kHz Opus or L16,
 * Plivo 16 kHz L16), else `kal` (8000 Hz), whose audio G.711 carries unchanged.
 */
export function offlineAgentVoice(call: CallInfo): 'kal' | 'kal16' {
  const rate = call.outboundMediaFormat?.sampleRate ?? call.mediaFormat.sampleRate;
  return rate >= 16000 ? 'kal16' : 'kal';
}

/**
 * Creates the offline agent. Loads nothing per call that can be shared: one Flite worker and one
 * Silero model session (or, with `vadIsolation: 'process'`, one Silero child process) serve every
 * call of the process.
 *
 * @throws PhraseGrammarError if `options.phrases` holds a phrase that is not lowercase words.
 * @throws {InvalidOptionError} for a `vadIsolation` other than `'none'` or `'process'`.
 */
export function createOfflineAgent(options: OfflineAgentOptions = {}): OfflineAgent {
  // A bad phrase list fails here, when the agent is made, rather than on the first call.
  if (options.phrases !== undefined) phraseGrammar(options.phrases);
  const vadIsolation = options.vadIsolation ?? 'none';
  if (vadIsolation !== 'none' && vadIsolation !== 'process')
    throw new InvalidOptionError(
      'vadIsolation',
      `vadIsolation must be 'none' or 'process', got '${vadIsolation}'`,
    );
  const vadScheduler =
    vadIsolation === 'process' ? new SileroBatchScheduler({ inference: 'process' }) : undefined;
  const wanted = options.useSpeechRecognition ?? true;
  const speechRecognition = wanted && isPocketsphinxInstalled();
  const notices = speechRecognition
    ? []
    : [
        wanted
          ? 'speech recognition is off: pocketsphinx is not installed (Debian: apt-get install pocketsphinx pocketsphinx-en-us); ' +
            'the agent still answers each turn, saying it could not make out the words'
          : 'speech recognition is off (useSpeechRecognition: false); the agent answers each turn without the words',
      ];
  const synthesizer = new FliteSynthesizer();
  const voiceOf = (call: CallInfo): FliteVoice => options.voice ?? offlineAgentVoice(call);
  const systemPrompt = options.systemPrompt ?? 'You are a phone agent. Answer each caller turn briefly.';
  return {
    name: 'offline',
    description: `Silero VAD, ${speechRecognition ? 'pocketsphinx STT' : 'no STT (pocketsphinx not installed)'}, a deterministic responder, Flite TTS`,
    // The output rate is the voice's own, so Flite's audio is never resampled in the pipeline (the
    // serializer converts it to the carrier's rate once, at the edge).
    params: (call) => ({
      audioInSampleRate: 16000,
      audioOutSampleRate: FLITE_VOICE_SAMPLE_RATES[voiceOf(call)],
      allowInterruptions: true,
    }),
    notices,
    speechRecognition,
    vadIsolation,
    async createPipeline(call, transport) {
      const vad = new VADProcessor(
        await SileroVADAnalyzer.create(
          vadScheduler === undefined
            ? { sampleRate: 16000 }
            : { sampleRate: 16000, batching: vadScheduler, isolation: 'process' },
        ),
      );
      const stt = speechRecognition
        ? new PocketsphinxSTTService({
            // The VAD forwards audio at once and confirms a start only after its startSecs and a
            // window, later still when inference lags on a busy machine; a 1 s pre-roll keeps the
            // first words in the segment (the default 300 ms lost them under load). Longer lead-in
            // hurts pocketsphinx: with 2 s of silence before it, JFK's turns were not recognized.
            preRollMs: 1000,
            ...(options.phrases ? { phrases: options.phrases } : {}),
          })
        : new UntranscribedSpeechSTTService();
      const context = new LLMContext([{ role: 'system', content: systemPrompt }]);
      const { user, assistant } = createContextAggregatorPair(context);
      return [
        transport.input(),
        vad,
        stt,
        // pocketsphinx answers seconds after the speech ends (it loads its model per segment):
        // wait that long for the transcript rather than ending the turn without it.
        new UserTurnProcessor({ endStrategies: [new VADTranscriptTurnEnd({ transcriptTimeoutMs: 20_000 })] }),
        user,
        new TurnEchoResponder(),
        new FliteTTSService({ synthesizer, voice: voiceOf(call) }),
        transport.output(),
        assistant,
      ];
    },
    close: async () => {
      await Promise.all([synthesizer.close(), vadScheduler?.close()]);
    },
  };
}
