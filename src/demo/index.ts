export { startDemoS3 } from './server.js';
export { staticKeys, demoCredentials } from './keys.js';
export type { StaticCredential, StaticKeyStore } from './keys.js';
export { objectBytes } from './store.js';
export type { StoredBucket, StoredObject, MultipartUpload, UploadPart } from './store.js';
export type {
  AcceptedPayloads, CannedResponse, DemoFaults, FaultRule, FaultTarget, DemoS3, DemoS3Options, KeyEntry, KeyStore, RecordedRequest,
} from './types.js';
