/**
 * @voxline/telnyx: Telnyx media streams (serializer) and call hang-up for Voxline.
 */
export {
  TELNYX_CALL_ALREADY_ENDED,
  TelnyxCallTerminator,
  type TelnyxCallTerminatorOptions,
} from './telnyx-call-terminator.js';
export { TelnyxFrameSerializer, type TelnyxFrameSerializerOptions } from './telnyx-frame-serializer.js';
