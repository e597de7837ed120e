/**
 * `@voxline/deepgram`: Deepgram live speech-to-text for Voxline pipelines, on the official
 * `@deepgram/sdk`. The local fake of the service is in `@voxline/deepgram/testing`.
 */
export { DeepgramSTTService, type DeepgramSTTServiceOptions } from './deepgram-stt-service.js';
