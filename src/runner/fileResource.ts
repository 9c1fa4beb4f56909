/**
 * Folder and file resources from the config.
 *
 * Confinement, checked on every read: the path taken from the URI (already
 * percent-decoded once) may not be absolute, contain a NUL or a `..`
 * segment, and its real path (symlinks resolved) must lie inside the real
 * path of the folder. Anything else is answered -32602 without touching the
 * file.
 *
 * @module
 */
import type { Dirent } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ProtocolError, ResourceNotFoundError, type ReadResourceResult, type Resource } from '@modelcontextprotocol/server';
import mime from 'mime-types';
import { DEFAULT_MAX_READ_BYTES } from '../defaults.js';
import { ErrorCode } from '../protocol/wire.js';
import type { ResourceDefinition, ResourceTemplateDefinition } from '../server/types.js';
import type { FileResourceConfig } from './config.js';

/** Entries listed per folder resource in `resources/list`, at most. */
export const MAX_LISTED_FILES = 1000;

/** The mime type of a file name, by extension. */
export function mimeTypeOf(path: string): string {
  return mime.lookup(path) || 'application/octet-stream';
}

/** Turns a config entry into a fixed resource (`file:`) or a template (`directory:`). */
export function fileResource(config: FileResourceConfig): ResourceDefinition | ResourceTemplateDefinition {
  if (config.file !== undefined) {
    const file = config.file;
    const fixed: ResourceDefinition = {
      uri: config.uri,
      name: config.name,
      ...(config.description !== undefined && { description: config.description }),
      mimeType: config.mimeType ?? mimeTypeOf(file),
      read: (uri) => readFileContents(uri, file, config.mimeType ?? mimeTypeOf(file)),
    };
    return fixed;
  }
  const directory = config.directory!;
  const variable = /\{\+?([A-Za-z0-9_]+)\}$/.exec(config.uri)![1]!;
  const prefix = config.uri.slice(0, config.uri.lastIndexOf('{'));
  const template: ResourceTemplateDefinition = {
    uriTemplate: config.uri,
    spanning: [variable],
    name: config.name,
    ...(config.description !== undefined && { description: config.description }),
    ...(config.mimeType !== undefined && { mimeType: config.mimeType }),
    list: () => listFolder(directory, prefix, config.mimeType),
    read: async (uri, variables) => {
      const file = await confine(directory, variables[variable] ?? '', uri);
      return readFileContents(uri, file, config.mimeType ?? mimeTypeOf(file));
    },
  };
  return template;
}

/** Resolves `relativePath` inside `root`, refusing anything that leads outside it. */
export async function confine(root: string, relativePath: string, uri: string): Promise<string> {
  const unsafe = (why: string): never => {
    throw new ProtocolError(ErrorCode.InvalidParams, `Resource URI ${uri} is not allowed: ${why}`, { uri, reason: 'outside_folder' });
  };
  if (relativePath === '' || relativePath.includes('\0')) unsafe('empty path or NUL byte');
  if (isAbsolute(relativePath) || /^[A-Za-z]:/.test(relativePath) || relativePath.startsWith('\\')) unsafe('absolute paths are not allowed');
  if (relativePath.split(/[\\/]/).includes('..')) unsafe('".." segments are not allowed');
  const candidate = join(root, relativePath);
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(candidate), realpath(root)]);
  } catch {
    throw new ResourceNotFoundError(uri);
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) unsafe('it leads outside its folder');
  return real;
}

export async function readFileContents(uri: string, path: string, mimeType: string): Promise<ReadResourceResult> {
  let handle;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    handle = await open(path, 'r');
  } catch {
    throw new ResourceNotFoundError(uri);
  }
  try {
    const info = await handle.stat();
    const length = Math.min(info.size, DEFAULT_MAX_READ_BYTES);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const bytes = buffer.subarray(0, read);
    const truncated = info.size > read;
    const note = truncated
      ? [{ uri, mimeType: 'text/plain', text: `Only the first ${read} of ${info.size} bytes were sent.` }]
      : [];
    const text = decodeUtf8(bytes, truncated);
    if (text !== undefined) return { contents: [{ uri, mimeType, text }, ...note] };
    return { contents: [{ uri, mimeType, blob: bytes.toString('base64') }, ...note] };
  } finally {
    await handle.close();
  }
}

/**
 * Decodes strict UTF-8, or `undefined` when the bytes are not UTF-8 (they are
 * then sent as a blob, so the client gets them byte for byte). A cut window
 * may end inside a character; those trailing bytes are tolerated.
 */
function decodeUtf8(bytes: Uint8Array, mayBeCut: boolean): string | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return mayBeCut ? decoder.decode(bytes, { stream: true }) : decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

async function listFolder(root: string, prefix: string, mimeType: string | undefined): Promise<Resource[]> {
  const resources: Resource[] = [];
  const pending = [root];
  while (pending.length > 0 && resources.length < MAX_LISTED_FILES) {
    const dir = pending.shift()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile() && resources.length < MAX_LISTED_FILES) {
        const rel = relative(root, full).split(sep);
        const size = (await stat(full).catch(() => undefined))?.size;
        resources.push({
          uri: prefix + rel.map(encodeURIComponent).join('/'),
          name: rel.join('/'),
          mimeType: mimeType ?? mimeTypeOf(full),
          ...(size !== undefined && { size }),
        });
      }
    }
  }
  return resources;
}
