export { MultipartService } from './multipart-service.js';
export type { MultipartEvents, MultipartHook, MultipartSettings } from './multipart-service.js';
export type { MultipartMode } from './decide.js';
export type { AbortReason } from './upload.js';
