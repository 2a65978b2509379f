import { describe, expect, it } from 'vitest';
import { chooseStrategy } from '../../../src/payload/strategy.js';
import type { PayloadMode, Strategy, UpstreamCapability } from '../../../src/payload/strategy.js';

const ALL: UpstreamCapability[] = ['aws-chunked', 'unsigned-trailer', 'unsigned-payload'];
const MiB = 1024 * 1024;

function choose(length: number, mode: PayloadMode, caps: UpstreamCapability[], client: { hex?: boolean; trailer?: boolean } = {}): Strategy {
  return chooseStrategy(
    { length, clientHexHash: client.hex ?? false, clientUnsignedTrailer: client.trailer ?? false },
    { mode, bufferLimit: MiB, capabilities: new Set(caps) },
  );
}

describe('chooseStrategy (the payload table of DESIGN.md)', () => {
  // [what, length, mode, capabilities, client, expected]
  const table: Array<[string, number, PayloadMode, UpstreamCapability[], { hex?: boolean; trailer?: boolean }, Strategy]> = [
    ['no body', 0, 'auto', ALL, {}, 'empty'],
    ['a client hex hash is reused', 5 * MiB, 'auto', ALL, { hex: true }, 'client-hash'],
    ['small known length is buffered', MiB, 'auto', [], {}, 'buffered'],
    ['large known length streams signed on AWS', MiB + 1, 'auto', ALL, {}, 'streaming-signed'],
    ['large known length goes unsigned where only that is accepted', MiB + 1, 'auto', ['unsigned-payload'], {}, 'unsigned'],
    ['large known length is spooled for a store that takes neither', MiB + 1, 'auto', [], {}, 'spooled'],
    ['unknown length is spooled', -1, 'auto', ALL, {}, 'spooled'],
    ['unknown length is spooled even in streaming mode', -1, 'streaming', ALL, {}, 'spooled'],
    ['a client trailer upload passes through where trailers are accepted', 5 * MiB, 'auto', ALL, { trailer: true }, 'chunked-passthrough'],
    ['a client trailer upload is converted where they are not', 5 * MiB, 'auto', [], { trailer: true }, 'spooled'],
    ['an explicit unsigned-trailer mode passes a client trailer upload through', 5 * MiB, 'unsigned-trailer', [], { trailer: true }, 'chunked-passthrough'],
    ['signed mode buffers small bodies', 10, 'signed', ALL, {}, 'buffered'],
    ['signed mode spools large ones', 5 * MiB, 'signed', ALL, {}, 'spooled'],
    ['streaming mode streams even small bodies', 10, 'streaming', [], {}, 'streaming-signed'],
    ['unsigned mode', 10, 'unsigned', [], {}, 'unsigned'],
    ['unsigned-trailer mode', 10, 'unsigned-trailer', [], {}, 'unsigned-trailer'],
  ];
  it.each(table)('%s', (_what, length, mode, caps, client, expected) => {
    expect(choose(length, mode, caps, client)).toBe(expected);
  });
});
