/**
 * What `voxline serve` runs: a named agent that builds one pipeline per call.
 */
import type { PipelineParams } from '@voxline/core';
import type { CallPipelineFactory } from '@voxline/websocket';

/** An agent the server can run. Any object of this shape works (a plugin can export one). */
export interface VoiceAgent {
  readonly name: string;
  /** One line for the terminal. */
  readonly description: string;
  /** Pipeline parameters of every call (sample rates in Hz, interruptions). */
  readonly params: Partial<PipelineParams>;
  /** Things the user should know before calling (a missing optional engine, ...). */
  readonly notices: readonly string[];
  /** Builds one call's pipeline around the transport's input and output. */
  readonly createPipeline: CallPipelineFactory;
  /** Releases shared resources (model sessions) when the server stops. */
  close?(): Promise<void>;
}
