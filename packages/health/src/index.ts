export { type CheckResult, checkReadiness, type DependencyName, describeUnready, type Readiness } from './readiness.ts';
