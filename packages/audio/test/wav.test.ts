import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AudioError,
  InvalidAudioArgumentError,
  NotWavFileError,
  readWav,
  UnsupportedWavFormatError,
  WavFileWriter,
  WavWriterClosedError,
  writeWav,
} from '@voxline/audio';
import { afterAll, describe, expect, it } from 'vitest';
import { jfkPath, spacewalkPath } from './support/paths.js';
import { randomChunks, seededRandom } from './support/random.js';
import { runTool, sameSamples, sox, soxReadPcm, toInt16 } from './support/tools.js';

const workDir = mkdtempSync(join(tmpdir(), 'voxline-audio-wav-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** sox's decoding of any WAV to interleaved 16-bit little-endian PCM, channels kept. */
function soxDecode(path: string): Int16Array {
  return toInt16(sox([path, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-']));
}

function soxInfo(path: string): string {
  return runTool('sox', ['--i', path]).toString();
}

describe('readWav', () => {
  it('reads JFK (16 kHz mono 16-bit) from a path and from bytes', () => {
    const fromPath = readWav(jfkPath);
    expect(fromPath.sampleRate).toBe(16000);
    expect(fromPath.numChannels).toBe(1);
    expect(fromPath.samples.length).toBe(176000);
    expect(sameSamples(fromPath.samples, soxReadPcm(jfkPath))).toBe(true);
    expect(sameSamples(readWav(readFileSync(jfkPath)).samples, fromPath.samples)).toBe(true);
  });

  it('reads spacewalk (44.1 kHz) exactly as sox does', () => {
    const audio = readWav(spacewalkPath);
    expect(audio.sampleRate).toBe(44100);
    expect(sameSamples(audio.samples, soxDecode(spacewalkPath))).toBe(true);
  });

  // Every encoding sox writes, decoded by readWav and by sox, must agree exactly.
  const variants: [string, string[], number][] = [
    ['8-bit unsigned PCM', ['-b', '8'], 1],
    ['24-bit PCM (WAVE_FORMAT_EXTENSIBLE)', ['-b', '24'], 1],
    ['32-bit PCM', ['-b', '32'], 1],
    ['32-bit float', ['-e', 'floating-point', '-b', '32'], 1],
    ['64-bit float', ['-e', 'floating-point', '-b', '64'], 1],
    ['µ-law', ['-e', 'u-law'], 1],
    ['A-law', ['-e', 'a-law'], 1],
    ['16-bit stereo', ['-c', '2'], 2],
    ['24-bit 3 channels', ['-b', '24', '-c', '3'], 3],
    ['big-endian RIFX', ['-B'], 1],
  ];
  for (const [name, options, channels] of variants) {
    it(`reads ${name} exactly as sox decodes it`, () => {
      const path = join(workDir, `jfk-${name.replace(/\W+/g, '-')}.wav`);
      sox([jfkPath, ...options, path, 'trim', '0', '3']);
      const audio = readWav(path);
      expect(audio.numChannels).toBe(channels);
      expect(audio.sampleRate).toBe(16000);
      const expected = soxDecode(path);
      expect(audio.samples.length).toBe(expected.length);
      let differences = 0;
      for (let i = 0; i < expected.length; i++) if (audio.samples[i] !== expected[i]) differences++;
      expect(differences).toBe(0);
    });
  }

  it('rejects files that are not WAV with "not a WAV file"', () => {
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      Buffer.from('hello, this is text and not audio'),
      Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00mp3 data follows', 'latin1'),
      Buffer.from('RIFF\x24\x00\x00\x00AVI LIST', 'latin1'),
      readFileSync(jfkPath).subarray(0, 30), // truncated inside the fmt chunk
    ];
    for (const bytes of cases) {
      let caught: unknown;
      try {
        readWav(bytes);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(NotWavFileError);
      expect(caught).toBeInstanceOf(AudioError);
      expect((caught as NotWavFileError).code).toBe('not-wav-file');
      expect((caught as Error).message).toMatch(/^not a WAV file/);
    }
    const textPath = join(workDir, 'notes.txt');
    writeFileSync(textPath, 'not audio');
    expect(() => readWav(textPath)).toThrow('not a WAV file');
    expect(() => readWav(join(workDir, 'missing.wav'))).toThrow(/ENOENT/);
  });

  it('rejects a WAV with an encoding it cannot convert: IMA ADPCM from sox, MP3 in WAV', () => {
    const imaPath = join(workDir, 'jfk-ima-adpcm.wav');
    sox([jfkPath, '-e', 'ima-adpcm', imaPath, 'trim', '0', '1']);
    expect(() => readWav(imaPath)).toThrow(UnsupportedWavFormatError);
    const bytes = Buffer.from(writeWav({ samples: new Int16Array(16), sampleRate: 8000, numChannels: 1 }));
    bytes.writeUInt16LE(0x55, 20); // WAVE_FORMAT_MPEGLAYER3
    bytes.writeUInt16LE(0, 34);
    let caught: unknown;
    try {
      readWav(bytes);
    } catch (error) {
      caught = error;
    }
    expect((caught as AudioError).code).toBe('unsupported-wav-format');
    expect(caught).toBeInstanceOf(UnsupportedWavFormatError);
  });
});

describe('writeWav', () => {
  it('writes a canonical 44-byte-header WAV that sox reads back identically', () => {
    const { samples } = readWav(jfkPath);
    const path = join(workDir, 'jfk-copy.wav');
    const bytes = writeWav({ samples, sampleRate: 16000, numChannels: 1 }, path);
    expect(bytes.length).toBe(44 + samples.length * 2);
    expect(Buffer.from(bytes).equals(readFileSync(path))).toBe(true);
    expect(soxInfo(path)).toMatch(/Sample Rate\s*: 16000/);
    expect(sameSamples(soxDecode(path), samples)).toBe(true);
  });

  it('keeps interleaved stereo interleaved', () => {
    const samples = Int16Array.of(1, -1, 2, -2, 3, -3);
    const path = join(workDir, 'stereo.wav');
    writeWav({ samples, sampleRate: 8000, numChannels: 2 }, path);
    expect(soxInfo(path)).toMatch(/Channels\s*: 2/);
    // sox's "remix 1" keeps only the left channel.
    expect(
      Array.from(
        toInt16(sox([path, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-', 'remix', '1'])),
      ),
    ).toEqual([1, 2, 3]);
    expect(readWav(path)).toEqual({ samples, sampleRate: 8000, numChannels: 2 });
  });

  it('rejects inconsistent audio', () => {
    expect(() => writeWav({ samples: new Int16Array(3), sampleRate: 8000, numChannels: 2 })).toThrow(
      InvalidAudioArgumentError,
    );
    expect(() => writeWav({ samples: new Int16Array(2), sampleRate: 0, numChannels: 1 })).toThrow(
      InvalidAudioArgumentError,
    );
  });
});

describe('WavFileWriter', () => {
  it('streams JFK in random chunks to the same bytes writeWav produces', async () => {
    const { samples } = readWav(jfkPath);
    const path = join(workDir, 'streamed.wav');
    // Small blocks so the recording spans many disk writes.
    const writer = await WavFileWriter.open(path, { sampleRate: 16000, blockBytes: 4000 });
    for (const chunk of randomChunks(samples, 5000, seededRandom(11))) writer.write(chunk);
    expect(writer.frameCount).toBe(176000);
    expect(writer.durationMs).toBe(11000);
    await writer.close();
    expect(
      readFileSync(path).equals(Buffer.from(writeWav({ samples, sampleRate: 16000, numChannels: 1 }))),
    ).toBe(true);
    expect(soxInfo(path)).toMatch(/Duration\s*: 00:00:11.00/);
  });

  it('writes stereo, and flush() leaves a valid file of the audio so far', async () => {
    const path = join(workDir, 'flushed.wav');
    const writer = await WavFileWriter.open(path, { sampleRate: 8000, numChannels: 2 });
    const first = new Int16Array(1600).map((_, i) => (i % 2 === 0 ? i : -i));
    writer.write(first);
    await writer.flush();
    expect(writer.pendingBytes).toBe(0);
    expect(readWav(path)).toEqual({ samples: first, sampleRate: 8000, numChannels: 2 });
    writer.write(first);
    await writer.close();
    await writer.close(); // idempotent
    const all = readWav(path);
    expect(all.samples.length).toBe(3200);
    expect(soxInfo(path)).toMatch(/Channels\s*: 2/);
    expect(() => writer.write(first)).toThrow(WavWriterClosedError);
  });

  it('rejects a chunk that splits a sample frame, without writing it', async () => {
    const path = join(workDir, 'odd.wav');
    const writer = await WavFileWriter.open(path, { sampleRate: 8000, numChannels: 2 });
    expect(() => writer.write(new Int16Array(3))).toThrow(InvalidAudioArgumentError);
    writer.write(Int16Array.of(5, 6));
    await writer.close();
    expect(Array.from(readWav(path).samples)).toEqual([5, 6]);
  });

  it('reports an unopenable path from open', async () => {
    await expect(
      WavFileWriter.open(join(workDir, 'no-such-dir', 'x.wav'), { sampleRate: 8000 }),
    ).rejects.toThrow(/ENOENT/);
  });

  it('turns a failed background write (a full disk) into a typed error on the next call', async () => {
    // /dev/full opens fine and fails every write with ENOSPC.
    const writer = await WavFileWriter.open('/dev/full', { sampleRate: 8000 });
    writer.write(new Int16Array(160));
    let caught: unknown;
    try {
      await writer.flush();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WavWriterClosedError);
    expect((caught as WavWriterClosedError).code).toBe('wav-writer-closed');
    expect(((caught as Error).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(() => writer.write(new Int16Array(160))).toThrow(WavWriterClosedError);
    await expect(writer.close()).rejects.toBeInstanceOf(WavWriterClosedError);
  });
});
