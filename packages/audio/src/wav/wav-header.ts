/**
 * The canonical 44-byte header of a 16-bit PCM WAV file: a RIFF chunk holding a 16-byte
 * `fmt ` chunk (`WAVE_FORMAT_PCM`) and the `data` chunk header. All fields little-endian.
 * Source: Microsoft "Multimedia Programming Interface and Data Specifications 1.0" (RIFF WAVE).
 */

/** Size of the canonical header in bytes; the sample data starts here. */
export const WAV_HEADER_BYTES = 44;

/** Byte offset of the RIFF chunk size (file size - 8). */
export const RIFF_SIZE_OFFSET = 4;

/** Byte offset of the data chunk size (bytes of samples). */
export const DATA_SIZE_OFFSET = 40;

/** Largest data chunk a 32-bit RIFF size field can describe. */
export const MAX_DATA_BYTES = 0xffffffff - (WAV_HEADER_BYTES - 8);

/**
 * Builds the header for `dataBytes` bytes of 16-bit little-endian PCM.
 *
 * @param sampleRate - Hz.
 * @param numChannels - interleaved channels.
 * @param dataBytes - size of the sample data in bytes (0 while it is not known yet).
 */
export function pcm16WavHeader(sampleRate: number, numChannels: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = numChannels * 2;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(WAV_HEADER_BYTES - 8 + dataBytes, RIFF_SIZE_OFFSET);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // WAVE_FORMAT_PCM
  header.writeUInt16LE(numChannels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28); // byte rate
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, DATA_SIZE_OFFSET);
  return header;
}
