/**
 * Clips a number to the signed 16-bit range, -32768..32767. Storing an out-of-range value in an
 * `Int16Array` would wrap around instead (32768 becomes -32768, a loud click).
 */
export function saturateInt16(value: number): number {
  return Math.min(32767, Math.max(-32768, value));
}
