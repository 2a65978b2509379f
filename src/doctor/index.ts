export { runDoctor, diagnose } from './command.js';
export type { DoctorIo } from './command.js';
export { formatReport, reportJson } from './report.js';
export { getCallerIdentity, stsEndpoint, StsError } from './sts-identity.js';
export type { CallerIdentity } from './sts-identity.js';
export type { CheckResult } from './types.js';
