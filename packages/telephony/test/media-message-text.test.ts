import { encodeMuLaw } from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { MediaMessageTemplate } from '../src/carrier-kit/index.js';
import { MediaMessageScanner } from '../src/media-message-scanner.js';
import { jfk16k, resample } from './support/recordings.js';

/** 20 ms µ-law payloads of JFK at 8 kHz, as a carrier sends them. */
const jfkPayloads = (() => {
  const pcm = resample(jfk16k(), 16000, 8000);
  const payloads: Buffer[] = [];
  for (let at = 0; at + 160 <= pcm.length; at += 160)
    payloads.push(Buffer.from(encodeMuLaw(pcm.subarray(at, at + 160))));
  return payloads;
})();

const STREAM = '32de0dea-53cb-4b21-89a4-9610ad40a3c6';

/** The three carriers' media messages, field order and names as their docs show them. */
/** Telnyx and Twilio: the same message, with their names for the sequence number and the stream. */
const stringCounters = (sequenceField: string, streamField: string) => (chunk: number, payload: string) =>
  JSON.stringify({
    event: 'media',
    [sequenceField]: String(chunk + 2),
    media: { track: 'inbound', chunk: String(chunk), timestamp: String(chunk * 20), payload },
    [streamField]: STREAM,
  });
const shapes = {
  telnyx: stringCounters('sequence_number', 'stream_id'),
  twilio: stringCounters('sequenceNumber', 'streamSid'),
  plivo: (chunk: number, payload: string) =>
    JSON.stringify({
      sequenceNumber: chunk + 2,
      event: 'media',
      streamId: STREAM,
      media: { track: 'inbound', timestamp: String(chunk * 20), chunk, payload },
      extra_headers: '{}',
    }),
};
const fields = { telnyx: 'stream_id', twilio: 'streamSid', plivo: 'streamId' } as const;

function scannerFor(carrier: keyof typeof fields): MediaMessageScanner {
  return new MediaMessageScanner({
    streamIdField: fields[carrier],
    streamId: STREAM,
    numericChunk: carrier === 'plivo',
  });
}

describe('MediaMessageScanner', () => {
  it.each(Object.keys(shapes) as (keyof typeof shapes)[])(
    'reads every %s media message of JFK in place: the payload bytes and chunk JSON.parse gives',
    (carrier) => {
      const scanner = scannerFor(carrier);
      const scratch = Buffer.alloc(16_384);
      jfkPayloads.forEach((payload, index) => {
        const text = shapes[carrier](index + 1, payload.toString('base64'));
        const scanned = scanner.scan(text, scratch);
        expect(scanned).toBeDefined();
        expect(scanned!.chunk).toBe(index + 1);
        expect(scratch.subarray(0, scanned!.byteLength)).toEqual(payload);
      });
    },
  );

  const payload = jfkPayloads[40]!.toString('base64');
  const telnyx = shapes.telnyx(7, payload);
  /** Texts the scanner must leave to JSON.parse and the typed checks (invalid, or not the ordinary case). */
  const refused: [string, string][] = [
    ['another event', telnyx.replace('"event":"media"', '"event":"mark"')],
    ['another stream', telnyx.replace(STREAM, `${STREAM.slice(0, -1)}7`)],
    ['the outbound track', telnyx.replace('"track":"inbound"', '"track":"outbound"')],
    ['a chunk that is not decimal', telnyx.replace('"chunk":"7"', '"chunk":"7a"')],
    ['a numeric chunk where a string is documented', telnyx.replace('"chunk":"7"', '"chunk":7')],
    ['an escaped key', telnyx.replace('"event"', '"ev\\u0065nt"')],
    ['an escaped event value', telnyx.replace('"event":"media"', '"event":"medi\\u0061"')],
    ['a duplicate event', telnyx.replace('{"event":"media"', '{"event":"media","event":"stop"')],
    [
      'a payload with a character outside base64',
      telnyx.replace(payload, `${payload.slice(0, 8)}.${payload.slice(9)}`),
    ],
    ['an escape in the payload', telnyx.replace(payload, `${payload.slice(0, 8)}\\/${payload.slice(10)}`)],
    ['a payload of bad length', telnyx.replace(payload, payload.slice(0, -1))],
    ['padding inside the payload', telnyx.replace(payload, `AA==${payload.slice(4)}`)],
    ['no payload', telnyx.replace(`"payload":"${payload}"`, '"payloadx":"AAAA"')],
    ['a trailing comma', telnyx.replace(/}$/, ',}')],
    ['text after the object', `${telnyx} x`],
    ['a missing closing brace', telnyx.slice(0, -1)],
    ['a bad number in another field', telnyx.replace('"sequence_number":"9"', '"sequence_number":01')],
    ['a bad literal in another field', telnyx.replace('"sequence_number":"9"', '"sequence_number":nul')],
    [
      'a control character in a string',
      telnyx.replace('"sequence_number":"9"', '"sequence_number":"\u0001"'),
    ],
    ['a bad escape in another field', telnyx.replace('"sequence_number":"9"', '"sequence_number":"\\x"')],
    ['an array', `[${telnyx}]`],
  ];
  it.each(refused)('leaves %s to JSON.parse', (_case, text) => {
    expect(text).not.toBe(telnyx);
    expect(scannerFor('telnyx').scan(text, Buffer.alloc(16_384))).toBeUndefined();
  });

  /** Valid messages in unusual but legal shapes: the scanner takes them, with JSON.parse's reading. */
  const accepted: [string, string][] = [
    ['whitespace everywhere', JSON.stringify(JSON.parse(telnyx), null, 2).replace(/\n/g, '\r\n\t')],
    [
      'the fields in another order',
      JSON.stringify({ media: { payload, chunk: '7' }, stream_id: STREAM, event: 'media' }),
    ],
    [
      'other fields of every JSON kind',
      telnyx.replace(
        '"sequence_number":"9"',
        '"sequence_number":"9","x":[1,-2.5e+3,0.25,true,false,null,{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"},[]],"y":{}',
      ),
    ],
    ['no track and no chunk', JSON.stringify({ event: 'media', media: { payload } })],
    ['the inbound_track name', telnyx.replace('"track":"inbound"', '"track":"inbound_track"')],
  ];
  it.each(accepted)('takes %s, with the bytes and chunk JSON.parse gives', (_case, text) => {
    const scratch = Buffer.alloc(16_384);
    const scanned = scannerFor('telnyx').scan(text, scratch);
    const parsed = JSON.parse(text) as { media: { payload: string; chunk?: string } };
    expect(scanned).toBeDefined();
    expect(scratch.subarray(0, scanned!.byteLength)).toEqual(Buffer.from(parsed.media.payload, 'base64'));
    expect(scanned!.chunk).toBe(parsed.media.chunk === undefined ? -1 : Number(parsed.media.chunk));
  });

  it('leaves every message to JSON.parse when the stream id is one JSON escapes', () => {
    const streamId = 'MZ"quoted\\';
    const scanner = new MediaMessageScanner({ streamIdField: 'streamSid', streamId, numericChunk: false });
    const text = JSON.stringify({ event: 'media', streamSid: streamId, media: { payload } });
    expect(scanner.scan(text, Buffer.alloc(16_384))).toBeUndefined();
    const plain = new MediaMessageScanner({
      streamIdField: 'streamSid',
      streamId: 'MZ1',
      numericChunk: false,
    });
    expect(plain.scan(text.replace(JSON.stringify(streamId), '"MZ1"'), Buffer.alloc(16_384))).toBeDefined();
  });

  it('refuses a payload longer than the scratch buffer', () => {
    expect(scannerFor('telnyx').scan(telnyx, Buffer.alloc(100))).toBeUndefined();
  });
});

describe('MediaMessageTemplate', () => {
  it('builds prefix + base64 + suffix, the text concatenation gives, for every payload length', () => {
    const template = new MediaMessageTemplate('{"event":"media","media":{"payload":"', '"}}', 4);
    const bytes = jfkPayloads[20]!;
    for (let length = 0; length <= bytes.length; length++) {
      const payload = bytes.subarray(0, length);
      expect(template.render(payload)).toBe(
        `{"event":"media","media":{"payload":"${Buffer.from(payload).toString('base64')}"}}`,
      );
    }
  });

  it('concatenates when a fixed part is not ASCII (a stream id with é)', () => {
    const prefix = `{"event":"media","streamSid":${JSON.stringify('MZé')},"media":{"payload":"`;
    const template = new MediaMessageTemplate(prefix, '"}}');
    const bytes = jfkPayloads[30]!;
    expect(template.render(bytes)).toBe(`${prefix}${bytes.toString('base64')}"}}`);
  });
});
