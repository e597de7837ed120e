/**
 * How much audio an Opus packet holds, read from its table-of-contents byte (RFC 6716 §3.1,
 * https://www.rfc-editor.org/rfc/rfc6716#section-3.1): bits 7-3 select the mode, bandwidth and
 * frame duration (`config`), bits 1-0 the frame count code.
 */

/** Frame duration in tenths of a millisecond for each of the 32 configurations (RFC 6716 Table 2). */
const FRAME_TENTHS_OF_MS: readonly number[] = [
  // SILK-only, narrow/medium/wide band: 10, 20, 40, 60 ms each.
  100, 200, 400, 600, 100, 200, 400, 600, 100, 200, 400, 600,
  // Hybrid, super-wide/full band: 10, 20 ms each.
  100, 200, 100, 200,
  // CELT-only, narrow/wide/super-wide/full band: 2.5, 5, 10, 20 ms each.
  25, 50, 100, 200, 25, 50, 100, 200, 25, 50, 100, 200, 25, 50, 100, 200,
];

/**
 * Samples per channel that `packet` decodes to at `sampleRate`, or -1 when it is not a valid Opus
 * packet (empty, a code-3 packet without its frame count byte, no frames, or more than 120 ms,
 * which RFC 6716 §3.2.5 forbids).
 *
 * @param packet - one Opus packet, as carried in one RTP payload (RFC 7587).
 * @param sampleRate - the decoder's rate in Hz (8000, 12000, 16000, 24000 or 48000).
 */
export function opusPacketSampleCount(packet: Uint8Array, sampleRate: number): number {
  if (packet.length === 0) return -1;
  const toc = packet[0]!;
  const frameTenths = FRAME_TENTHS_OF_MS[toc >> 3]!;
  let frames: number;
  switch (toc & 3) {
    case 0:
      frames = 1;
      break;
    case 1:
    case 2:
      frames = 2;
      break;
    default:
      if (packet.length < 2) return -1;
      frames = packet[1]! & 0x3f;
  }
  const tenths = frames * frameTenths;
  if (frames === 0 || tenths > 1200) return -1;
  return (tenths * sampleRate) / 10_000;
}
