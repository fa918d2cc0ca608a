/**
 * The wire codec's public surface: everything above `lib/wire/` imports from here.
 *
 * The codec turns bytes into the plain message values of types.ts and back, for one message (`message.ts`) or a
 * stream of them (`framer.ts`), under a `CodecContext` that says what the session negotiated. Errors are
 * `BgpError`s carrying the NOTIFICATION that reports them. Imports nothing outside `lib/wire/` but node:buffer.
 */
export * from './constants.js';
export * from './errors.js';
export * from './types.js';
export * from './address.js';
export * from './context.js';
export * from './header.js';
export * from './framer.js';
export * from './capabilities.js';
export * from './open.js';
export * from './notification.js';
export * from './keepalive.js';
export * from './route-refresh.js';
export * from './message.js';
// The UPDATE half (RFC 4271 §4.3 and the path attributes), written alongside.
export * from './update.js';
export * from './nlri.js';
export * from './communities.js';
