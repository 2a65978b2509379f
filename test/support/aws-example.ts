/** Inputs shared by every example in the AWS S3 SigV4 documentation. */
export const EXAMPLE_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
});
export const EXAMPLE_DATE = new Date('2013-05-24T00:00:00Z');
export const EXAMPLE_HOST = 'examplebucket.s3.amazonaws.com';
