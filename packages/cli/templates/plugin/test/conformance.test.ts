/**
 * PluginNameTTSService passes the conformance suites of @voxline/core/testing: the rules every
 * processor keeps, and the TTS service contract (audio at the pipeline rate, word timestamps,
 * interruption, end, cancel, metrics).
 */
import { describeConformance, frameProcessorConformance, ttsServiceConformance } from '@voxline/core/testing';
import { describe, it } from 'vitest';
import { PluginNameTTSService } from '../src/index.js';

describeConformance(
  frameProcessorConformance({
    name: 'PluginNameTTSService as a processor',
    create: () => new PluginNameTTSService(),
  }),
  { describe, it },
);

describeConformance(
  ttsServiceConformance({
    name: 'PluginNameTTSService as a TTS service',
    create: () => new PluginNameTTSService(),
    sampleRate: 16000,
    wordTimestamps: true,
  }),
  { describe, it },
);
