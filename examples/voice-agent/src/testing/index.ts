/**
 * Test helpers of the phone examples: the voice services as local fakes, and a stand-in for a
 * carrier's REST API.
 */
export { type ApiAnswer, type ApiRequest, CarrierApiStandIn } from './carrier-api-stand-in.js';
export { said, VoiceServiceFakes, type VoiceServiceFakesOptions } from './voice-service-fakes.js';
