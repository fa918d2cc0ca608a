/**
 * The one error type of the control API: an HTTP status and a message for the operator. Request parsing, the
 * views and the handlers throw it; the server turns it into `{ "error": message }` with that status, and the
 * client raises it again on the caller's side.
 */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, message);
export const notFound = (message: string): ApiError => new ApiError(404, message);
export const conflict = (message: string): ApiError => new ApiError(409, message);
