/**
 * @voxline/twilio: Twilio Media Streams (serializer) and call hang-up for Voxline.
 */
export {
  TWILIO_RESOURCE_NOT_FOUND,
  TwilioCallTerminator,
  type TwilioCallTerminatorOptions,
} from './twilio-call-terminator.js';
export { TwilioFrameSerializer, type TwilioFrameSerializerOptions } from './twilio-frame-serializer.js';
