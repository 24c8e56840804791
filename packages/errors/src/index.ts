export { AppError, isAppError } from './app-error.ts';
export { type Err, err, type Ok, ok, type Result } from './result.ts';
export { isDependencyUnavailable, isUnreachableError } from './unavailable.ts';
