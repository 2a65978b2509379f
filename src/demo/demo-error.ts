import type { XmlNode } from './xml.js';

/**
 * An S3 error answer: status, code, message, the extra elements real S3 puts in the body
 * (e.g. <StringToSign>, <Region>) and extra response headers.
 */
export class DemoError extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: XmlNode;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, extra: XmlNode = [], headers: Record<string, string> = {}) {
    super(message);
    this.name = 'DemoError';
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
}

export const noSuchBucket = (bucket: string): DemoError =>
  new DemoError(404, 'NoSuchBucket', 'The specified bucket does not exist', [['BucketName', bucket]]);

export const noSuchKey = (key: string): DemoError =>
  new DemoError(404, 'NoSuchKey', 'The specified key does not exist.', [['Key', key]]);

export const noSuchUpload = (uploadId: string): DemoError =>
  new DemoError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', [['UploadId', uploadId]]);

export const invalidArgument = (message: string, name?: string, value?: string): DemoError =>
  new DemoError(400, 'InvalidArgument', message, name === undefined ? [] : [['ArgumentName', name], ['ArgumentValue', value ?? '']]);

export const invalidRequest = (message: string): DemoError => new DemoError(400, 'InvalidRequest', message);

export const accessDenied = (message = 'Access Denied', extra: XmlNode = []): DemoError =>
  new DemoError(403, 'AccessDenied', message, extra);

export const notImplemented = (header: string, message = 'A header you provided implies functionality that is not implemented'): DemoError =>
  new DemoError(501, 'NotImplemented', message, [['Header', header]]);

export const badDigest = (message = 'The Content-MD5 or checksum value that you specified did not match what the server received.'): DemoError =>
  new DemoError(400, 'BadDigest', message);
