/**
 * Recording storage for the telephony guide: a local directory, Amazon S3, and an S3-compatible
 * store. Compiled, not run (S3 needs credentials and `@aws-sdk/client-s3`).
 */
import {
  LocalDirectoryRecordingStorage,
  type RecordingStorage,
  S3RecordingStorage,
} from '@voxline/call-control';

export function recordingStorages(accessKeyId: string, secretAccessKey: string): RecordingStorage[] {
  // #region storage
  const local = new LocalDirectoryRecordingStorage('/var/lib/voxline/recordings'); // written to a temporary name, then renamed

  const s3 = new S3RecordingStorage({
    bucket: 'acme-call-recordings',
    region: 'eu-west-1',
    prefix: 'calls/',
  });
  // S3-compatible stores (MinIO, R2, B2, Ceph):
  const minio = new S3RecordingStorage({
    bucket: 'recordings',
    endpoint: 'https://minio.internal:9000',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  // #endregion storage
  return [local, s3, minio];
}
