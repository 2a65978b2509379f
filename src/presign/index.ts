export { presignCommand, runPresign, PRESIGN_USAGE } from './command.js';
export type { PresignIo } from './command.js';
export { parseS3Url } from './parse-s3-url.js';
export { presignUrl } from './presign-url.js';
export type { PresignMethod, PresignUrlOptions, PresignedUrl } from './presign-url.js';
