/**
 * Folder and file resources from the config.
 *
 * Confinement, checked on every read: the path taken from the URI (already
 * percent-decoded once) may not be absolute, contain a NUL or a `..`
 * segment, and its real path (symlinks resolved) must lie inside the real
 * path of the folder. Anything else is answered -32602 without touching the
 * file.
 *
 * Only regular files are served: a FIFO, socket or device inside the folder
 * is refused (-32602) without blocking on it (see `server/fileHandles.ts`).
 *
 * Files are streamed resources: each `resources/read` window (and each
 * `resources/stream`) reads only the bytes it answers with, at any size.
 *
 * @module
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ProtocolError, ResourceNotFoundError, type Resource } from '@modelcontextprotocol/server';
import mime from 'mime-types';
import { DEFAULT_FILE_HANDLE_IDLE_MS } from '../defaults.js';
import { ErrorCode } from '../protocol/wire.js';
import { NotRegularFileError } from '../server/fileHandles.js';
import { fileBody, type RandomAccessBody } from '../server/resourceBody.js';
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
      streamed: true,
      size: async () => (await stat(file).catch(() => undefined))?.size,
      read: (uri) => openFile(uri, file, config.mimeType ?? mimeTypeOf(file)),
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
    streamed: true,
    list: () => listFolder(directory, prefix, config.mimeType),
    read: async (uri, variables) => {
      const file = await confine(directory, variables[variable] ?? '', uri);
      return openFile(uri, file, config.mimeType ?? mimeTypeOf(file));
    },
  };
  return template;
}

/** Real paths of folder roots, resolved once (every window of a read asks again). */
const realRoots = new Map<string, string>();

async function realRootOf(root: string): Promise<string> {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = await realpath(root);
    realRoots.set(root, real);
  }
  return real;
}

/**
 * Real paths of files, kept as long as an idle file handle is: every window
 * of a read resolves the same path, and the check then costs a map lookup.
 * A symlink changed on disk is seen within that time.
 */
const realPaths = new Map<string, { readonly real: string; readonly at: number }>();
const MAX_REMEMBERED_PATHS = 1024;

async function realPathOf(path: string): Promise<string> {
  const now = performance.now();
  const known = realPaths.get(path);
  if (known !== undefined && now - known.at < DEFAULT_FILE_HANDLE_IDLE_MS) return known.real;
  const real = await realpath(path);
  if (realPaths.size >= MAX_REMEMBERED_PATHS) realPaths.clear();
  realPaths.set(path, { real, at: now });
  return real;
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
    [real, realRoot] = await Promise.all([realPathOf(candidate), realRootOf(root)]);
  } catch {
    throw new ResourceNotFoundError(uri);
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) unsafe('it leads outside its folder');
  return real;
}

/**
 * A file as a streamed body (read at the offset each window asks for);
 * `ResourceNotFoundError` when it does not exist or is not a regular file.
 */
export async function openFile(uri: string, path: string, mimeType: string): Promise<RandomAccessBody> {
  try {
    return await fileBody(path, { mimeType });
  } catch (error) {
    if (error instanceof NotRegularFileError && error.code === 'ENOTREG') {
      throw new ProtocolError(ErrorCode.InvalidParams, `Resource ${uri} is not served: only regular files are, and it is a ${error.kind}`, {
        uri,
        reason: 'not_regular_file',
      });
    }
    throw new ResourceNotFoundError(uri);
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
