/**
 * Client targets: `http(s)://…` URLs, `ws(s)://…` WebSocket URLs and
 * `stdio:COMMAND ARGS…` command lines.
 *
 * A stdio command line is split like a POSIX shell would split words (single
 * and double quotes, backslash escapes) but never run through a shell.
 *
 * @module
 */
import { TargetError } from '../errors.js';

export type Target =
  | { readonly kind: 'http'; readonly url: URL }
  | { readonly kind: 'websocket'; readonly url: URL }
  | { readonly kind: 'stdio'; readonly command: string; readonly args: readonly string[] };

export const STDIO_PREFIX = 'stdio:';

export function parseTarget(target: string): Target {
  if (target.startsWith(STDIO_PREFIX)) {
    const words = splitCommandLine(target.slice(STDIO_PREFIX.length));
    if (words.length === 0) throw new TargetError(`Target "${target}" has no command after "${STDIO_PREFIX}"`);
    return { kind: 'stdio', command: words[0]!, args: words.slice(1) };
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch (error) {
    throw new TargetError(`Target "${target}" is neither an http(s) or ws(s) URL nor ${STDIO_PREFIX}COMMAND`, { cause: error });
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return { kind: 'websocket', url };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TargetError(`Target "${target}" must use http:, https:, ws: or wss: (or ${STDIO_PREFIX}COMMAND)`);
  }
  return { kind: 'http', url };
}

/** Splits a command line into words: quotes group, backslash escapes, no expansion of any kind. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new TargetError(`Unterminated ${quote} quote in command line: ${line}`);
  if (inWord) words.push(word);
  return words;
}
