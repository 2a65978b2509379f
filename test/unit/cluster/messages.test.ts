import { describe, expect, it } from 'vitest';
import { asToPrimary, asToWorker } from '../../../src/cluster/messages.js';

const creds = {
  type: 'signet:credentials', sourceId: 'default', generation: 3, accessKeyId: 'ASIAX', secretAccessKey: 's',
  sessionToken: 't', expiresAtMs: 1_800_000_000_000, source: 'container',
};

describe('IPC messages between the primary and its workers', () => {
  it('pass when well formed', () => {
    expect(asToWorker(creds)).toEqual(creds);
    expect(asToWorker({ ...creds, sessionToken: null, expiresAtMs: null })).toMatchObject({ sessionToken: null, expiresAtMs: null });
    expect(asToWorker({ type: 'signet:metrics-request', id: 7 })).toEqual({ type: 'signet:metrics-request', id: 7 });
    expect(asToWorker({ type: 'signet:drain' })).toEqual({ type: 'signet:drain' });
    expect(asToWorker({ type: 'signet:routes-reload' })).toEqual({ type: 'signet:routes-reload' });
    expect(asToPrimary({ type: 'signet:listening', url: 'http://127.0.0.1:1' })).toEqual({ type: 'signet:listening', url: 'http://127.0.0.1:1' });
    expect(asToPrimary({ type: 'signet:credentials-held', sourceId: 'default', generation: 1 })).toBeDefined();
    expect(asToPrimary({ type: 'signet:metrics', id: 1, metrics: [] })).toEqual({ type: 'signet:metrics', id: 1, metrics: [] });
  });

  it('are ignored when they are Node\'s, another library\'s or malformed', () => {
    for (const m of [null, undefined, 'signet:drain', 42, [], { cmd: 'NODE_CLUSTER' }, { type: 'prom-client:getMetricsReq', requestId: 1 },
      { type: 'signet:unknown' }, { type: 7 }]) {
      expect(asToWorker(m)).toBeUndefined();
      expect(asToPrimary(m)).toBeUndefined();
    }
    for (const bad of [
      { ...creds, generation: 1.5 }, { ...creds, accessKeyId: 5 }, { ...creds, secretAccessKey: undefined },
      { ...creds, sessionToken: 1 }, { ...creds, expiresAtMs: 'soon' }, { ...creds, expiresAtMs: Infinity }, { ...creds, sourceId: null },
    ]) expect(asToWorker(bad)).toBeUndefined();
    expect(asToWorker({ type: 'signet:metrics-request', id: '1' })).toBeUndefined();
    expect(asToPrimary({ type: 'signet:listening' })).toBeUndefined();
    expect(asToPrimary({ type: 'signet:metrics', id: 1, metrics: {} })).toBeUndefined();
    expect(asToPrimary({ type: 'signet:credentials-held', sourceId: 'default' })).toBeUndefined();
  });

  it('only go one way: a worker never obeys a message meant for the primary, nor the reverse', () => {
    expect(asToWorker({ type: 'signet:hello' })).toBeUndefined();
    expect(asToPrimary({ type: 'signet:drain' })).toBeUndefined();
    expect(asToPrimary({ type: 'signet:routes-reload' })).toBeUndefined();
    expect(asToPrimary(creds)).toBeUndefined();
  });
});
