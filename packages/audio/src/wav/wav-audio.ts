/** 16-bit PCM audio with its format, as read from or written to a WAV file. */
export interface WavAudio {
  /** Signed 16-bit samples, channels interleaved (L R L R ... for stereo). */
  samples: Int16Array;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Number of interleaved channels (1 = mono). */
  numChannels: number;
}
