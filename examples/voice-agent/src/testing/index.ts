/**
 * Test helpers of the phone examples: the voice services as local fakes, and the JFK caller. (The carrier's REST API
 * stand-in is `CarrierApiStandIn` of `@voxline/telephony/testing`.)
 */

export { JFK_RECORDING_PATH, jfkCaller, sayOneSentenceThenListen } from './jfk-caller.js';
export { said, VoiceServiceFakes, type VoiceServiceFakesOptions } from './voice-service-fakes.js';
