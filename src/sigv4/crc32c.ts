/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), which S3 accepts as
 * `x-amz-checksum-crc32c`. Node has no built-in one (zlib.crc32 is the IEEE polynomial), so this is
 * slicing-by-8: eight 256-entry tables, built once at load time, consume eight bytes per step.
 */
const POLY = 0x82f63b78;
const TABLES = buildTables();
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  // Table k gives the CRC of byte n followed by k zero bytes.
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n] as number;
      t[k * 256 + n] = (prev >>> 8) ^ (t[prev & 0xff] as number);
    }
  }
  return t;
}

/**
 * CRC-32C of `data`, continuing from `value` (the result of an earlier call, 0 to start), the same
 * calling convention as `zlib.crc32`. Returns an unsigned 32-bit integer.
 */
export function crc32c(data: Uint8Array, value = 0): number {
  const t = TABLES;
  let crc = ~value;
  let i = 0;
  const end = data.length;
  if (LITTLE_ENDIAN && end >= 16) {
    // Whole 32-bit words are read through an aligned view: two loads per 8 bytes instead of eight.
    while ((data.byteOffset + i) & 3) crc = (t[(crc ^ (data[i++] as number)) & 0xff] as number) ^ (crc >>> 8);
    const words = (end - i) >>> 3 << 1;
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let w = 0; w < words; w += 2) {
      const lo = (view[w] as number) ^ crc;
      const hi = view[w + 1] as number;
      crc =
        (t[1792 + (lo & 0xff)] as number) ^
        (t[1536 + ((lo >>> 8) & 0xff)] as number) ^
        (t[1280 + ((lo >>> 16) & 0xff)] as number) ^
        (t[1024 + (lo >>> 24)] as number) ^
        (t[768 + (hi & 0xff)] as number) ^
        (t[512 + ((hi >>> 8) & 0xff)] as number) ^
        (t[256 + ((hi >>> 16) & 0xff)] as number) ^
        (t[hi >>> 24] as number);
    }
    i += words << 2;
  }
  while (i < end) crc = (t[(crc ^ (data[i++] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}
