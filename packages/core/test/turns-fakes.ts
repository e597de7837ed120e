/**
 * Small fakes of the processors around the user turn processor, for turn-taking tests on the
 * virtual clock: an energy VAD, a scripted STT, a user context aggregator, an LLM, a TTS, and an
 * output transport that "plays" audio in real time and reports the bot speaking frames as a
 * playback-accurate transport does.
 */
import {
  audioDurationMs,
  BotSpeakingFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  createLogger,
  EndFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  InterimTranscriptionFrame,
  InterruptionFrame,
  isAudioFrame,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  type LLMMessage,
  LLMMessagesAppendFrame,
  LLMTextFrame,
  Pipeline,
  PipelineTask,
  type TaskEndReason,
  TranscriptionFrame,
  TTSAudioRawFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
  VirtualClock,
} from '@voxline/core';
import { FrameRecorder } from '@voxline/core/testing';

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
const SAMPLES_PER_FRAME = (SAMPLE_RATE * FRAME_MS) / 1000;

/** One 20 ms input frame at 8 kHz: a 300 Hz tone at `amplitude` (0 for silence). */
export function inputFrame(amplitude: number, frameIndex: number): InputAudioRawFrame {
  const audio = new Int16Array(SAMPLES_PER_FRAME);
  if (amplitude > 0) {
    for (let i = 0; i < audio.length; i++) {
      const t = (frameIndex * SAMPLES_PER_FRAME + i) / SAMPLE_RATE;
      audio[i] = Math.round(amplitude * Math.sin(2 * Math.PI * 300 * t));
    }
  }
  return new InputAudioRawFrame({ audio, sampleRate: SAMPLE_RATE });
}

/**
 * A VAD on signal energy with the real VAD's state machine: speech is declared after `startMs`
 * of consecutive loud frames and reported with the audio time of the first loud frame; it ends
 * after `stopMs` of quiet frames, reported with the audio time of the first quiet frame. Audio
 * time is counted in samples, like the real analyzers.
 */
export class FakeEnergyVAD extends FrameProcessor {
  #samples = 0;
  #speaking = false;
  #runStartMs = 0;
  #runMs = 0;
  #runLoud = false;

  readonly #threshold: number;
  readonly #stopMs: number;
  readonly #startMs: number;
  constructor(startMs = 200, stopMs = 200, threshold = 1000) {
    super();
    this.#threshold = threshold;
    this.#stopMs = stopMs;
    this.#startMs = startMs;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (!(frame instanceof InputAudioRawFrame)) return;
    const frameStartMs = (this.#samples / frame.sampleRate) * 1000;
    this.#samples += frame.audio.length;
    let peak = 0;
    for (const sample of frame.audio) peak = Math.max(peak, Math.abs(sample));
    const loud = peak >= this.#threshold;
    if (loud !== this.#runLoud) {
      this.#runLoud = loud;
      this.#runStartMs = frameStartMs;
      this.#runMs = 0;
    }
    this.#runMs += audioDurationMs(frame);
    if (!this.#speaking && loud && this.#runMs >= this.#startMs) {
      this.#speaking = true;
      this.pushFrame(new VADUserStartedSpeakingFrame(this.#runStartMs));
    } else if (this.#speaking && !loud && this.#runMs >= this.#stopMs) {
      this.#speaking = false;
      this.pushFrame(new VADUserStoppedSpeakingFrame(this.#runStartMs));
    }
  }
}

/**
 * A streaming STT driven by a script: for the n-th VAD segment it sends an interim of the
 * script's first word `interimAfterMs` after the VAD start, and the final text `finalAfterMs`
 * after the VAD stop. A `null` entry is noise: no transcription at all.
 */
export class FakeSTT extends FrameProcessor {
  #segment = -1;
  readonly interruptions: number[] = [];

  readonly #finalAfterMs: number;
  readonly #interimAfterMs: number;
  readonly #script: readonly (string | null)[];
  constructor(script: readonly (string | null)[], interimAfterMs = 300, finalAfterMs = 200) {
    super();
    this.#finalAfterMs = finalAfterMs;
    this.#interimAfterMs = interimAfterMs;
    this.#script = script;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (frame instanceof InterruptionFrame) this.interruptions.push(this.clock.now());
    if (frame instanceof VADUserStartedSpeakingFrame) {
      this.#segment++;
      const text = this.#script[this.#segment];
      if (text) this.#later(this.#interimAfterMs, new InterimTranscriptionFrame(text.split(' ')[0] ?? ''));
    } else if (frame instanceof VADUserStoppedSpeakingFrame) {
      const text = this.#script[this.#segment];
      if (text) this.#later(this.#finalAfterMs, new TranscriptionFrame(text));
    }
  }

  #later(ms: number, frame: Frame): void {
    this.clock.sleep(ms).then(() => this.pushFrame(frame));
  }
}

/**
 * A user context aggregator as the real one behaves: collects the final transcriptions of a
 * user turn and, when the turn ends with text, appends the user message and asks the LLM to run;
 * answers `LLMMessagesAppendFrame` the same way.
 */
export class FakeUserAggregator extends FrameProcessor {
  readonly context = new LLMContext([{ role: 'system', content: 'You are a test.' }]);
  #parts: string[] = [];

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof UserStartedSpeakingFrame && direction === FrameDirection.Downstream) {
      this.#parts = [];
    } else if (frame instanceof TranscriptionFrame && !(frame instanceof InterimTranscriptionFrame)) {
      this.#parts.push(frame.text);
      return;
    } else if (frame instanceof InterimTranscriptionFrame) {
      return;
    } else if (frame instanceof UserStoppedSpeakingFrame && direction === FrameDirection.Downstream) {
      this.pushFrame(frame, direction);
      if (this.#parts.length > 0) {
        this.context.addMessage({ role: 'user', content: this.#parts.join(' ') });
        this.#parts = [];
        this.pushFrame(new LLMContextFrame(this.context));
      }
      return;
    } else if (frame instanceof LLMMessagesAppendFrame) {
      this.context.addMessages(frame.messages);
      if (frame.runLLM) this.pushFrame(new LLMContextFrame(this.context));
      return;
    }
    this.pushFrame(frame, direction);
  }
}

/** An LLM that answers each context after `latencyMs` with the next scripted reply. Queued. */
export class FakeLLM extends FrameProcessor {
  readonly runs: { at: number; lastMessage: LLMMessage | undefined }[] = [];
  readonly aborted: number[] = [];
  #replies = 0;

  readonly #latencyMs: number;
  readonly #script: readonly string[];
  constructor(script: readonly string[], latencyMs = 300) {
    super({ mode: 'queued' });
    this.#latencyMs = latencyMs;
    this.#script = script;
  }

  protected override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (!(frame instanceof LLMContextFrame)) {
      this.pushFrame(frame, direction);
      return;
    }
    this.runs.push({ at: this.clock.now(), lastMessage: frame.context.messages.at(-1) });
    const signal = this.signal;
    try {
      await this.clock.sleep(this.#latencyMs, signal);
    } catch (error) {
      this.aborted.push(this.clock.now());
      throw error;
    }
    const reply = this.#script[this.#replies] ?? `reply ${this.#replies}`;
    this.#replies++;
    frame.context.addMessage({ role: 'assistant', content: reply });
    this.pushFrame(new LLMFullResponseStartFrame());
    this.pushFrame(new LLMTextFrame(reply));
    this.pushFrame(new LLMFullResponseEndFrame());
  }
}

/**
 * A TTS that turns each LLM text into `msPerWord` of audio per word after `latencyMs`, sent in
 * 20 ms frames all at once (faster than real time, as real TTS services do). Queued.
 */
export class FakeTTS extends FrameProcessor {
  readonly spoken: string[] = [];

  readonly #msPerWord: number;
  readonly #latencyMs: number;
  constructor(latencyMs = 100, msPerWord = 400) {
    super({ mode: 'queued' });
    this.#msPerWord = msPerWord;
    this.#latencyMs = latencyMs;
  }

  protected override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (!(frame instanceof LLMTextFrame)) {
      this.pushFrame(frame, direction);
      return;
    }
    await this.clock.sleep(this.#latencyMs, this.signal);
    this.spoken.push(frame.text);
    const frames = Math.round((frame.text.split(' ').length * this.#msPerWord) / FRAME_MS);
    this.pushFrame(new TTSStartedFrame());
    for (let i = 0; i < frames; i++) {
      this.pushFrame(
        new TTSAudioRawFrame({ audio: new Int16Array(SAMPLES_PER_FRAME), sampleRate: SAMPLE_RATE }),
      );
    }
    this.pushFrame(new TTSStoppedFrame());
  }
}

/**
 * An output transport with a playback buffer, like a carrier's: audio it receives is queued for
 * playback at real time on the virtual clock. It pushes `BotStartedSpeakingFrame` when playback
 * starts, `BotSpeakingFrame` every 200 ms while playing and `BotStoppedSpeakingFrame` when the
 * buffer runs dry, each both ways. An `InterruptionFrame` is the moment a real transport sends
 * `clear`: it is recorded in `clears`, and the buffer is dropped.
 */
export class FakePlaybackOutput extends FrameProcessor {
  /** Clock ms of each interruption received (when `clear` would be sent). */
  readonly clears: number[] = [];
  /** Playback intervals, clock ms. */
  readonly utterances: { startedAt: number; stoppedAt: number | undefined }[] = [];
  #playing = false;
  #playEndsAt = 0;
  #playback = new AbortController();

  get botSpeaking(): boolean {
    return this.#playing;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (
      isAudioFrame(frame) &&
      !(frame instanceof InputAudioRawFrame) &&
      direction === FrameDirection.Downstream
    ) {
      const now = this.clock.now();
      if (this.#playing) {
        this.#playEndsAt += audioDurationMs(frame);
        return;
      }
      this.#playing = true;
      this.#playEndsAt = now + audioDurationMs(frame);
      this.utterances.push({ startedAt: now, stoppedAt: undefined });
      this.#broadcast(() => new BotStartedSpeakingFrame());
      void this.#play(this.#playback.signal);
      return;
    }
    if (frame instanceof InterruptionFrame) {
      this.clears.push(this.clock.now());
      if (this.#playing) this.#stopPlaying();
    }
    if (frame instanceof EndFrame) this.#playback.abort();
    this.pushFrame(frame, direction);
  }

  async #play(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        const remaining = this.#playEndsAt - this.clock.now();
        if (remaining <= 0) break;
        await this.clock.sleep(Math.min(200, remaining), signal);
        if (this.#playEndsAt > this.clock.now()) this.#broadcast(() => new BotSpeakingFrame());
      }
      this.#stopPlaying();
    } catch {
      // interrupted: stopPlaying already ran
    }
  }

  #stopPlaying(): void {
    this.#playing = false;
    this.#playback.abort();
    this.#playback = new AbortController();
    const last = this.utterances.at(-1);
    if (last) last.stoppedAt = this.clock.now();
    this.#broadcast(() => new BotStoppedSpeakingFrame());
  }

  #broadcast(make: () => Frame): void {
    this.pushFrame(make(), FrameDirection.Upstream);
    this.pushFrame(make(), FrameDirection.Downstream);
  }
}

/** A running task around `processors` on a virtual clock, recording what reaches the end. */
export interface RunningPipeline {
  clock: VirtualClock;
  task: PipelineTask;
  /** Frames that reached the end of the pipeline (downstream) with their times. */
  sink: FrameRecorder;
  /** Frames that reached the top (upstream) with their times. */
  source: FrameRecorder;
  /** Sends a frame down from the top, then lets the pipeline run. */
  send(frame: Frame): Promise<void>;
  /**
   * Feeds 20 ms input frames at real time from the current clock time: `loud[i]` says whether
   * frame i is speech; frame i arrives when its audio has been captured, 20 ms after it began.
   */
  speak(pattern: readonly boolean[]): Promise<void>;
  /** Ends the task and waits for it. */
  finish(): Promise<void>;
  /** Runs the clock until the task ends by itself (for example on an `EndTaskFrame`). */
  runToEnd(limitMs?: number): Promise<TaskEndReason>;
}

/** Starts `processors` in a task on a new virtual clock. */
export async function startPipeline(processors: FrameProcessor[]): Promise<RunningPipeline> {
  const clock = new VirtualClock();
  const source = new FrameRecorder('test::top');
  const sink = new FrameRecorder('test::bottom');
  const task = new PipelineTask(new Pipeline([source, ...processors, sink]), {
    clock,
    logger: createLogger({ defaultLevel: 'silent' }),
  });
  const running = task.run();
  await clock.advance(0);
  let inputFrames = 0;
  return {
    clock,
    task,
    sink,
    source,
    async send(frame) {
      task.queueFrame(frame);
      await clock.advance(0);
    },
    async speak(pattern) {
      // A frame reaches the pipeline once its 20 ms have been captured, as from a carrier.
      for (const loud of pattern) {
        await clock.advance(FRAME_MS);
        task.queueFrame(inputFrame(loud ? 8000 : 0, inputFrames++));
        await clock.advance(0);
      }
    },
    async finish() {
      task.stopWhenDone();
      await clock.runUntil(running);
    },
    runToEnd(limitMs) {
      return clock.runUntil(running, limitMs);
    },
  };
}

/** `ms` of speech (true) or silence (false), as 20 ms frames. */
export function frames(ms: number, loud: boolean): boolean[] {
  return new Array<boolean>(Math.round(ms / FRAME_MS)).fill(loud);
}
