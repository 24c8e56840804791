export { AppError, isAppError } from './app-error.ts';
export { err, ok, type Err, type Ok, type Result } from './result.ts';
