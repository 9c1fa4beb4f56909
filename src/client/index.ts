/**
 * `mcp-sluice/client`: connect to any MCP server over HTTP or stdio.
 *
 * @module
 */
export { connect, type CallOptions, type ConnectOptions, type Era, type ProgressEvent, type SluiceClient } from './connect.js';
export { parseTarget, splitCommandLine, STDIO_PREFIX, type Target } from './target.js';
export { RemoteError, TargetError } from '../errors.js';
