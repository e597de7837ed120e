// #region conformance
import { describeConformance, frameProcessorConformance, ttsServiceConformance } from '@voxline/core/testing';
import { describe, it } from 'vitest';
import { BeepTTSService } from './beep-tts-service.js';

describeConformance(frameProcessorConformance({ create: () => new BeepTTSService() }), { describe, it });

describeConformance(
  ttsServiceConformance({
    create: () => new BeepTTSService(),
    sampleRate: 16000, // the pipeline's output rate the service must deliver
    wordTimestamps: true, // adds the word-timing check
  }),
  { describe, it },
);
// #endregion conformance
