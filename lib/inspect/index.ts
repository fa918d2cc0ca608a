/**
 * Looking at BGP traffic: captures decoded message by message, and messages rendered as JSON. Sits on top of the
 * wire codec and the capture reader.
 */
export { decodeCapture, type DecodedLine, type DecodeOptions, type VerifySummary } from './decode-capture.js';
export { ContextTracker, contextFromOpens, type StreamContext } from './context-tracker.js';
export { messageJson, attributeJson, hex, type Json } from './message-json.js';
