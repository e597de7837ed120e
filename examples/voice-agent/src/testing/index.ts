/**
 * Test helpers of the phone examples: the voice services as local fakes. (The carrier's REST API
 * stand-in is `CarrierApiStandIn` of `@voxline/telephony/testing`.)
 */
export { said, VoiceServiceFakes, type VoiceServiceFakesOptions } from './voice-service-fakes.js';
