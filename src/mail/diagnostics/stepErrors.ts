/**
 * How a connection test step fails: with an explanation already made ({@link StepFailure}), or
 * with a Node-style coded error that the protocol's explainer turns into one.
 */
import type { M365MailError } from '../../core/errors';
import type { StepError } from './report';

/** Raised inside a step with an explanation already made. */
export class StepFailure extends Error {
  constructor(readonly error: StepError) {
    super(error.message);
  }
}

export function codedError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

export function abortError(): Error {
  return Object.assign(new Error('The connection test was cancelled.'), { name: 'AbortError' });
}

export function fromMailError(error: M365MailError): StepError {
  return { code: error.code, message: error.message, nextStep: error.options.nextStep };
}
