/**
 * voxline-plugin-plugin-name: a Voxline plugin. Its public surface is what this file exports.
 */
export { PluginNameTTSService, type PluginNameTTSServiceOptions } from './plugin-name-tts-service.js';
