/**
 * Recordings in an S3 bucket, or any S3-compatible store (MinIO, Cloudflare R2, Backblaze B2,
 * Ceph, ...), through AWS's official SDK, `@aws-sdk/client-s3` (an optional peer dependency:
 * install it to use this class; nothing loads it otherwise).
 *
 * Each recording is one `PutObject` of `<prefix><callReference>/<recording name>.wav`, streamed
 * from the carrier's download when its size is known, else buffered first (S3 needs the length of a
 * streamed body).
 *
 * For S3-compatible stores, set `endpoint` and usually `forcePathStyle: true`. With `endpoint` set,
 * the client is created with `requestChecksumCalculation: 'WHEN_REQUIRED'`: since SDK 3.729 the
 * default sends bodies as `aws-chunked` with a trailing CRC32, which several S3-compatible stores
 * refuse; pass your own value in `clientConfig` to change it.
 */

import type { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { InvalidOptionError } from '@voxline/core';
import {
  checkRecordingKey,
  type RecordingStorage,
  type RecordingUpload,
  type SavedRecording,
} from './recording-storage.js';

/** Options of {@link S3RecordingStorage}. */
export interface S3RecordingStorageOptions {
  /** The bucket. */
  bucket: string;
  /** Prepended to every key, e.g. `'recordings/'`. Default none. */
  prefix?: string;
  /** A configured client. When omitted, one is created from the options below. */
  client?: S3Client;
  /** Region; default the SDK's (`AWS_REGION`, shared config). Ignored with `client`. */
  region?: string;
  /** Endpoint of an S3-compatible store, e.g. `https://<account>.r2.cloudflarestorage.com`. Ignored with `client`. */
  endpoint?: string;
  /** Address buckets as `<endpoint>/<bucket>` rather than `<bucket>.<endpoint>`. Ignored with `client`. */
  forcePathStyle?: boolean;
  /** Credentials; default the SDK's chain (environment, shared files, instance roles). Ignored with `client`. */
  credentials?: S3ClientConfig['credentials'];
  /** Any further client configuration. Ignored with `client`. */
  clientConfig?: S3ClientConfig;
}

/** Stores recordings in S3 or an S3-compatible store; see the module comment. */
export class S3RecordingStorage implements RecordingStorage {
  readonly bucket: string;
  readonly prefix: string;
  readonly #options: S3RecordingStorageOptions;
  #client: Promise<S3Client> | undefined;

  /** @throws {InvalidOptionError} if `bucket` is empty, or `prefix` is not a safe key prefix. */
  constructor(options: S3RecordingStorageOptions) {
    if (typeof options.bucket !== 'string' || options.bucket === '') {
      throw new InvalidOptionError('bucket', 'S3RecordingStorage: bucket must be a non-empty string');
    }
    const prefix = options.prefix ?? '';
    if (prefix !== '' && !/^([A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]*$/.test(prefix)) {
      throw new InvalidOptionError(
        'prefix',
        'S3RecordingStorage: prefix may only hold A-Z a-z 0-9 . _ - and /',
      );
    }
    this.bucket = options.bucket;
    this.prefix = prefix;
    this.#options = options;
    if (options.client !== undefined) this.#client = Promise.resolve(options.client);
  }

  /**
   * Uploads the recording with `PutObject` (content type, metadata).
   *
   * @returns `location` `s3://<bucket>/<prefix><key>`.
   * @throws {RecordingKeyError} for an unsafe key; the SDK's errors as they are.
   */
  async save(recording: RecordingUpload): Promise<SavedRecording> {
    checkRecordingKey(recording.key);
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = await this.#clientOnce();
    const key = this.prefix + recording.key;
    let body: Readable | Buffer = recording.body;
    let length = recording.contentLength;
    if (length === undefined) {
      body = await readAll(recording.body);
      length = body.length;
    }
    await client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: length,
        ContentType: recording.contentType,
        Metadata: recording.metadata,
      }),
    );
    return { location: `s3://${this.bucket}/${key}`, bytes: length };
  }

  #clientOnce(): Promise<S3Client> {
    this.#client ??= import('@aws-sdk/client-s3').then(({ S3Client }) => {
      const options = this.#options;
      const config: S3ClientConfig = {
        ...(options.endpoint !== undefined ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const } : {}),
        ...options.clientConfig,
      };
      if (options.region !== undefined) config.region = options.region;
      if (options.endpoint !== undefined) config.endpoint = options.endpoint;
      if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
      if (options.credentials !== undefined) config.credentials = options.credentials;
      return new S3Client(config);
    });
    return this.#client;
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
