/**
 * What `voxline serve` runs: a named agent that builds one pipeline per call.
 */
import type { PipelineParams } from '@voxline/core';
import type { CallInfo } from '@voxline/telephony';
import type { CallPipelineFactory } from '@voxline/websocket';

/** An agent the server can run. Any object of this shape works (a plugin can export one). */
export interface VoiceAgent {
  readonly name: string;
  /** One line for the terminal. */
  readonly description: string;
  /**
   * Pipeline parameters (sample rates in Hz, interruptions), the same for every call or chosen per
   * call (e.g. 16000 Hz out for a wideband G.722 or Opus call, 8000 Hz for G.711).
   */
  readonly params: Partial<PipelineParams> | ((call: CallInfo) => Partial<PipelineParams>);
  /** Things the user should know before calling (a missing optional engine, ...). */
  readonly notices: readonly string[];
  /** Builds one call's pipeline around the transport's input and output. */
  readonly createPipeline: CallPipelineFactory;
  /** Releases shared resources (model sessions) when the server stops. */
  close?(): Promise<void>;
}
