/**
 * Byte-array helpers every layer needs (the zlib output, AEAD `ciphertext ‖ tag`, Noise messages and hashes), kept
 * in the lowest layer so that each joins bytes the same way. Pure and browser-safe.
 *
 * @module
 */

/** `parts` joined into one fresh array (a copy even for one part). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
