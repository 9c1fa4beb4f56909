/**
 * `sluice.yaml`: parsing and validation. Every error names the file and the
 * line it is about; unknown keys are errors too (a typo such as `paramters`
 * would otherwise silently drop validation).
 *
 * Relative paths resolve against the folder of the config file.
 *
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { DEFAULT_SCRIPT_TASK_MIN_TIMEOUT_MS } from '../defaults.js';
import { ConfigError } from '../errors.js';
import type { TaskSupport } from '../protocol/wire.js';
import type { PartialPolicy } from '../server/partial.js';
import type { EventLogLimits } from '../stores/eventLog.js';
import type { SlowConsumerOptions } from '../server/types.js';
import { compileArgumentValidator } from '../server/jsonSchema.js';
import { MAX_DURATION_MS, parseDuration } from './duration.js';

/** A script tool from the config. */
export interface ScriptToolConfig {
  readonly name: string;
  readonly description: string;
  /** Executable; resolved through PATH, or against the config folder when it contains a `/`. */
  readonly command: string;
  /** argv; each `{{param}}` is replaced inside its own element, never split, never through a shell. */
  readonly args: readonly string[];
  readonly parameters: Readonly<Record<string, Record<string, unknown>>>;
  readonly required: readonly string[];
  readonly timeoutMs: number | undefined;
  readonly progressPerSecond: number | undefined;
  /** Progress heartbeat for this tool (ms, 0 = off); `undefined`: the server's. */
  readonly heartbeatMs?: number | undefined;
  /** Processes of this tool running at once, at most; `undefined`: only the server-wide limit. */
  readonly concurrency?: number | undefined;
  readonly backpressure: SlowConsumerOptions | undefined;
  /** SEP-1699 SSE polling: close a 2025-era call's stream after this long and let the client resume (ms). */
  readonly closeStreamAfterMs: number | undefined;
  /** Working directory (absolute). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Whether it runs as a task for clients that know tasks (`task:`); default from its timeout (see {@link DEFAULT_SCRIPT_TASK_MIN_TIMEOUT_MS}). */
  readonly task?: TaskSupport;
  /** A task of it whose process was lost starts again with its last `::checkpoint` in `SLUICE_CHECKPOINT` (`resumable: true`). */
  readonly resumable?: boolean;
  /** Also a `<name>_start` tool and `tasks://<id>` to poll, for clients that know no tasks (`polling: true`). */
  readonly polling?: boolean;
}

/** A folder or file resource from the config. */
export interface FileResourceConfig {
  readonly name: string;
  readonly description: string | undefined;
  readonly uri: string;
  /** Absolute folder, for `directory:` entries. */
  readonly directory: string | undefined;
  /** Absolute file, for `file:` entries. */
  readonly file: string | undefined;
  readonly mimeType: string | undefined;
}

export interface SluiceConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  readonly name: string;
  readonly version: string;
  readonly tools: readonly ScriptToolConfig[];
  readonly resources: readonly FileResourceConfig[];
  readonly sessions: {
    readonly ttlMs: number | undefined;
    readonly max: number | undefined;
    /** Quiet time after which a session's live objects are released until its next request (ms). */
    readonly hibernateMs: number | undefined;
    readonly cancelOnDisconnect: boolean | undefined;
    /** `retry:` hint of priming events (ms). */
    readonly retryMs: number | undefined;
    /** SSE keepalive interval (ms; 0 = off). */
    readonly keepAliveMs: number | undefined;
    /** Bounds of each stream's event log. */
    readonly eventLog: Partial<EventLogLimits>;
  };
  readonly progressPerSecond: number | undefined;
  /** Progress heartbeat (ms, 0 = off). */
  readonly heartbeatMs: number | undefined;
  readonly backpressure: SlowConsumerOptions | undefined;
  /** Script processes at once over all tools, and calls waiting for one. */
  readonly scripts: { readonly maxConcurrent: number | undefined; readonly maxQueued: number | undefined };
  /** Where output beyond the inline limit goes. */
  readonly spool: { readonly ttlMs: number | undefined; readonly maxBytesPerRun: number | undefined; readonly maxTotalBytes: number | undefined };
  /** Whether `/dashboard` is served: `undefined` = on loopback binds only. */
  readonly dashboard: boolean | undefined;
  /** Whether MCP over WebSocket is taken on the endpoint's path: `undefined` = no. */
  readonly websocket: boolean | undefined;
  /** Where sessions, stream logs and call ownership live: `undefined` = memory; a `redis://` URL = every node sharing it. */
  readonly store: { readonly url: string; readonly prefix: string | undefined; readonly nodeTimeoutMs: number | undefined } | undefined;
  /** Tasks on one node without Redis: `tasks: { journal: FILE }` keeps them in that file across restarts (absolute). */
  readonly tasks: { readonly journal: string | undefined };
}

const PARTIAL_POLICIES = ['block', 'drop-newest', 'drop-oldest', 'coalesce-latest'] as const;

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /**
   * Also check what the config names on disk: every command exists and is
   * executable (through the tool's PATH when it has no `/`), every `cwd` and
   * `directory` is a folder. {@link loadConfig} always checks.
   * @defaultValue false
   */
  readonly checkPaths?: boolean;
}

/** Reads and validates a config file, paths on disk included. */
export async function loadConfig(path: string): Promise<SluiceConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file }, { cause: error });
  }
  return parseConfig(text, file, { checkPaths: true });
}

/** Validates config text; `file` is used for error messages and to resolve relative paths. */
export function parseConfig(text: string, file: string, options: ParseConfigOptions = {}): SluiceConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    throw new ConfigError(`invalid YAML: ${firstError.message.split('\n')[0]}`, { file, line: lineCounter.linePos(firstError.pos[0]).line });
  }
  const v = new Validator(doc, lineCounter, file);
  const root = doc.toJS() ?? {};
  v.object(root, [], 'the config');
  v.keys(root, [], ['name', 'version', 'tools', 'resources', 'sessions', 'progress', 'backpressure', 'scripts', 'spool', 'store', 'tasks', 'dashboard', 'websocket']);
  const base = dirname(file);

  const tools = v.list(root.tools, ['tools']).map((raw, i) => v.tool(raw, ['tools', i], base));
  const toolNames = new Set<string>();
  tools.forEach((tool, i) => {
    if (toolNames.has(tool.name)) v.fail(['tools', i, 'name'], `duplicate tool name "${tool.name}"`);
    toolNames.add(tool.name);
  });
  const resources = v.list(root.resources, ['resources']).map((raw, i) => v.resource(raw, ['resources', i], base));
  const uris = new Set<string>();
  resources.forEach((resource, i) => {
    if (uris.has(resource.uri)) v.fail(['resources', i, 'uri'], `duplicate resource URI "${resource.uri}"`);
    uris.add(resource.uri);
  });
  if (options.checkPaths === true) {
    tools.forEach((tool, i) => v.checkToolPaths(tool, ['tools', i]));
    resources.forEach((resource, i) => {
      if (resource.directory !== undefined) v.checkFolder(resource.directory, ['resources', i, 'directory']);
    });
  }

  let sessions: SluiceConfig['sessions'] = {
    ttlMs: undefined,
    max: undefined,
    hibernateMs: undefined,
    cancelOnDisconnect: undefined,
    retryMs: undefined,
    keepAliveMs: undefined,
    eventLog: {},
  };
  if (root.sessions !== undefined) {
    v.object(root.sessions, ['sessions'], 'sessions');
    v.keys(root.sessions, ['sessions'], ['ttl', 'max', 'hibernate', 'cancelOnDisconnect', 'retry', 'keepAlive', 'eventLog']);
    const cancel = root.sessions.cancelOnDisconnect;
    if (cancel !== undefined && typeof cancel !== 'boolean') v.fail(['sessions', 'cancelOnDisconnect'], 'must be true or false');
    const log = root.sessions.eventLog;
    const eventLog: { maxEvents?: number; maxAgeMs?: number; maxBytes?: number; maxStreams?: number; maxSessionBytes?: number } = {};
    if (log !== undefined) {
      const at = ['sessions', 'eventLog'];
      v.object(log, at, 'eventLog');
      v.keys(log, at, ['maxEvents', 'maxAge', 'maxBytes', 'maxStreams', 'maxSessionBytes']);
      if (log.maxEvents !== undefined) eventLog.maxEvents = v.integer(log.maxEvents, [...at, 'maxEvents'], 1);
      if (log.maxAge !== undefined) eventLog.maxAgeMs = v.duration(log.maxAge, [...at, 'maxAge']);
      if (log.maxBytes !== undefined) eventLog.maxBytes = v.integer(log.maxBytes, [...at, 'maxBytes'], 1);
      if (log.maxStreams !== undefined) eventLog.maxStreams = v.integer(log.maxStreams, [...at, 'maxStreams'], 1);
      if (log.maxSessionBytes !== undefined) eventLog.maxSessionBytes = v.integer(log.maxSessionBytes, [...at, 'maxSessionBytes'], 1);
    }
    sessions = {
      ttlMs: root.sessions.ttl === undefined ? undefined : v.duration(root.sessions.ttl, ['sessions', 'ttl']),
      max: root.sessions.max === undefined ? undefined : v.integer(root.sessions.max, ['sessions', 'max'], 1),
      hibernateMs: root.sessions.hibernate === undefined ? undefined : v.duration(root.sessions.hibernate, ['sessions', 'hibernate']),
      cancelOnDisconnect: cancel,
      retryMs: root.sessions.retry === undefined ? undefined : v.duration(root.sessions.retry, ['sessions', 'retry']),
      keepAliveMs: root.sessions.keepAlive === undefined ? undefined : v.duration(root.sessions.keepAlive, ['sessions', 'keepAlive']),
      eventLog,
    };
  }
  const { perSecond: progressPerSecond, heartbeatMs } = v.progress(root.progress, ['progress']);
  let scripts: SluiceConfig['scripts'] = { maxConcurrent: undefined, maxQueued: undefined };
  if (root.scripts !== undefined) {
    v.object(root.scripts, ['scripts'], 'scripts');
    v.keys(root.scripts, ['scripts'], ['maxConcurrent', 'maxQueued']);
    scripts = {
      maxConcurrent: root.scripts.maxConcurrent === undefined ? undefined : v.integer(root.scripts.maxConcurrent, ['scripts', 'maxConcurrent'], 1),
      maxQueued: root.scripts.maxQueued === undefined ? undefined : v.integer(root.scripts.maxQueued, ['scripts', 'maxQueued'], 0),
    };
  }
  let spool: SluiceConfig['spool'] = { ttlMs: undefined, maxBytesPerRun: undefined, maxTotalBytes: undefined };
  if (root.spool !== undefined) {
    v.object(root.spool, ['spool'], 'spool');
    v.keys(root.spool, ['spool'], ['ttl', 'maxBytesPerRun', 'maxTotalBytes']);
    spool = {
      ttlMs: root.spool.ttl === undefined ? undefined : v.duration(root.spool.ttl, ['spool', 'ttl']),
      maxBytesPerRun: root.spool.maxBytesPerRun === undefined ? undefined : v.integer(root.spool.maxBytesPerRun, ['spool', 'maxBytesPerRun'], 1),
      maxTotalBytes: root.spool.maxTotalBytes === undefined ? undefined : v.integer(root.spool.maxTotalBytes, ['spool', 'maxTotalBytes'], 1),
    };
  }
  let tasks: SluiceConfig['tasks'] = { journal: undefined };
  if (root.tasks !== undefined) {
    v.object(root.tasks, ['tasks'], 'tasks');
    v.keys(root.tasks, ['tasks'], ['journal']);
    tasks = { journal: root.tasks.journal === undefined ? undefined : resolveFrom(dirname(file), v.string(root.tasks.journal, ['tasks', 'journal'])) };
  }
  return {
    file,
    tasks,
    dashboard: root.dashboard === undefined ? undefined : v.boolean(root.dashboard, ['dashboard']),
    websocket: root.websocket === undefined ? undefined : v.boolean(root.websocket, ['websocket']),
    store: v.store(root.store, ['store']),
    backpressure: v.backpressure(root.backpressure, ['backpressure']),
    name: root.name === undefined ? 'sluice' : v.string(root.name, ['name']),
    version: root.version === undefined ? '0.0.0' : String(root.version),
    tools,
    resources,
    sessions,
    progressPerSecond,
    heartbeatMs,
    scripts,
    spool,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated field by field below
type Raw = any;

class Validator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  fail(path: ReadonlyArray<string | number>, message: string): never {
    throw new ConfigError(`${pathText(path)}: ${message}`, { file: this.file, line: this.lineOf(path) });
  }

  lineOf(path: ReadonlyArray<string | number>): number | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) return this.lines.linePos(node.range[0]).line;
      // A key whose value is missing: point at the key itself.
      const parent = this.doc.getIn(path.slice(0, n - 1), true);
      if (n > 0 && isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[n - 1]);
        const keyRange = (pair?.key as { range?: [number, number, number] } | null)?.range;
        if (keyRange !== undefined) return this.lines.linePos(keyRange[0]).line;
      }
    }
    return undefined;
  }

  object(value: Raw, path: ReadonlyArray<string | number>, what: string): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, `${what} must be a mapping`);
  }

  keys(value: Raw, path: ReadonlyArray<string | number>, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail([...path, key], `unknown key "${key}" (allowed: ${allowed.join(', ')})`);
    }
  }

  list(value: Raw, path: ReadonlyArray<string | number>): Raw[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, 'must be a list');
    const node = this.doc.getIn(path, true);
    if (node !== undefined && !isSeq(node)) this.fail(path, 'must be a list');
    return value;
  }

  /** `store: redis://HOST:PORT[/DB]`, or `{ url, prefix, nodeTimeout }`; `memory` or nothing = memory. */
  store(raw: Raw, path: ReadonlyArray<string | number>): SluiceConfig['store'] {
    if (raw === undefined || raw === 'memory') return undefined;
    const fields = typeof raw === 'string' ? { url: raw } : raw;
    if (typeof raw !== 'string') {
      this.object(raw, path, 'store');
      this.keys(raw, path, ['url', 'prefix', 'nodeTimeout']);
    }
    const url = this.string(fields.url, typeof raw === 'string' ? path : [...path, 'url']);
    if (!/^rediss?:\/\//.test(url)) this.fail(typeof raw === 'string' ? path : [...path, 'url'], `must be memory or a redis://HOST:PORT[/DB] URL; got ${JSON.stringify(url)}`);
    return {
      url,
      prefix: fields.prefix === undefined ? undefined : this.string(fields.prefix, [...path, 'prefix']),
      nodeTimeoutMs: fields.nodeTimeout === undefined ? undefined : this.duration(fields.nodeTimeout, [...path, 'nodeTimeout']),
    };
  }

  string(value: Raw, path: ReadonlyArray<string | number>): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, 'must be a non-empty string');
    return value;
  }

  boolean(value: Raw, path: ReadonlyArray<string | number>): boolean {
    if (typeof value !== 'boolean') this.fail(path, `must be true or false; got ${JSON.stringify(value)}`);
    return value;
  }

  integer(value: Raw, path: ReadonlyArray<string | number>, min: number): number {
    if (!Number.isInteger(value) || value < min) this.fail(path, `must be an integer >= ${min}`);
    return value;
  }

  number(value: Raw, path: ReadonlyArray<string | number>, min: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) this.fail(path, `must be a number >= ${min}`);
    return value;
  }

  duration(value: Raw, path: ReadonlyArray<string | number>): number {
    const ms = parseDuration(value);
    if (ms === undefined) this.fail(path, `must be a duration such as 30s, 5m or 1h; got ${JSON.stringify(value)}`);
    if (ms > MAX_DURATION_MS) this.fail(path, `${JSON.stringify(value)} is too long: at most ${MAX_DURATION_MS} ms (about 24 days)`);
    return ms;
  }

  /** The command can be run, and `cwd` is a folder. */
  checkToolPaths(tool: ScriptToolConfig, path: ReadonlyArray<string | number>): void {
    this.checkFolder(tool.cwd, [...path, 'cwd']);
    if (tool.command.includes('/')) {
      if (!isExecutableFile(tool.command)) this.fail([...path, 'command'], `${tool.command} does not exist or is not an executable file`);
      return;
    }
    const searchPath = tool.env.PATH ?? process.env.PATH ?? '';
    const found = searchPath.split(delimiter).some((dir) => dir !== '' && isExecutableFile(join(dir, tool.command)));
    if (!found) this.fail([...path, 'command'], `command "${tool.command}" was not found in PATH`);
  }

  checkFolder(folder: string, path: ReadonlyArray<string | number>): void {
    let isFolder = false;
    try {
      isFolder = statSync(folder).isDirectory();
    } catch {
      this.fail(path, `${folder} does not exist`);
    }
    if (!isFolder) this.fail(path, `${folder} is not a folder`);
  }

  tool(raw: Raw, path: ReadonlyArray<string | number>, base: string): ScriptToolConfig {
    this.object(raw, path, 'a tool');
    this.keys(raw, path, ['name', 'description', 'command', 'args', 'parameters', 'required', 'timeout', 'progress', 'backpressure', 'closeStreamAfter', 'concurrency', 'cwd', 'env', 'task', 'resumable', 'polling']);
    const name = this.string(raw.name, [...path, 'name']);
    if (!TOOL_NAME.test(name)) this.fail([...path, 'name'], `tool name "${name}" may use only letters, digits, "_", "-" and "." (1-128 characters)`);
    const description = this.string(raw.description, [...path, 'description']);
    const command = this.string(raw.command, [...path, 'command']);

    const parameters: Record<string, Record<string, unknown>> = {};
    if (raw.parameters !== undefined) {
      this.object(raw.parameters, [...path, 'parameters'], 'parameters');
      for (const [param, schema] of Object.entries(raw.parameters as Record<string, unknown>)) {
        if (!/^[A-Za-z0-9_]+$/.test(param)) this.fail([...path, 'parameters', param], `parameter name "${param}" may use only letters, digits and "_"`);
        if (param === '__proto__') this.fail([...path, 'parameters', param], 'parameter name "__proto__" is not allowed');
        this.object(schema, [...path, 'parameters', param], `parameter "${param}"`);
        parameters[param] = schema as Record<string, unknown>;
      }
    }
    const required = this.list(raw.required, [...path, 'required']).map((r, i) => {
      const param = this.string(r, [...path, 'required', i]);
      if (!Object.hasOwn(parameters, param)) this.fail([...path, 'required', i], `"${param}" is not one of the parameters`);
      return param;
    });
    const args = this.list(raw.args, [...path, 'args']).map((a, i) => {
      if (typeof a !== 'string' && typeof a !== 'number') this.fail([...path, 'args', i], 'each argument must be a string');
      const arg = String(a);
      for (const m of arg.matchAll(PLACEHOLDER)) {
        if (!Object.hasOwn(parameters, m[1]!)) this.fail([...path, 'args', i], `{{${m[1]}}} is not one of the parameters (${Object.keys(parameters).join(', ') || 'none declared'})`);
      }
      return arg;
    });
    const { perSecond: progressPerSecond, heartbeatMs } = this.progress(raw.progress, [...path, 'progress']);
    const env: Record<string, string> = {};
    if (raw.env !== undefined) {
      this.object(raw.env, [...path, 'env'], 'env');
      for (const [key, value] of Object.entries(raw.env as Record<string, unknown>)) env[key] = String(value);
    }
    try {
      compileArgumentValidator({ type: 'object', properties: parameters, ...(required.length > 0 && { required }) });
    } catch (error) {
      this.fail([...path, 'parameters'], `invalid JSON Schema: ${(error as Error).message}`);
    }
    const cwd = raw.cwd === undefined ? base : resolveFrom(base, this.string(raw.cwd, [...path, 'cwd']));
    const timeoutMs = raw.timeout === undefined ? undefined : this.duration(raw.timeout, [...path, 'timeout']);
    const task = this.taskSupport(raw.task, [...path, 'task'], timeoutMs);
    const resumable = raw.resumable === undefined ? false : this.boolean(raw.resumable, [...path, 'resumable']);
    if (resumable && task === 'never') this.fail([...path, 'resumable'], 'only a tool that runs as a task can be resumed: set task: optional or required');
    return {
      name,
      description,
      command: command.includes('/') ? resolveFrom(base, command) : command,
      args,
      parameters,
      required,
      timeoutMs,
      progressPerSecond,
      heartbeatMs,
      concurrency: raw.concurrency === undefined ? undefined : this.integer(raw.concurrency, [...path, 'concurrency'], 1),
      backpressure: this.backpressure(raw.backpressure, [...path, 'backpressure']),
      closeStreamAfterMs: raw.closeStreamAfter === undefined ? undefined : this.duration(raw.closeStreamAfter, [...path, 'closeStreamAfter']),
      cwd,
      env,
      task,
      resumable,
      polling: raw.polling === undefined ? false : this.boolean(raw.polling, [...path, 'polling']),
    };
  }

  /** `task: optional | required | never`; unset, a tool declared to run a minute or more may be a task. */
  taskSupport(raw: Raw, path: ReadonlyArray<string | number>, timeoutMs: number | undefined): TaskSupport {
    if (raw === undefined) return timeoutMs !== undefined && timeoutMs >= DEFAULT_SCRIPT_TASK_MIN_TIMEOUT_MS ? 'optional' : 'never';
    if (raw === 'optional' || raw === 'required' || raw === 'never') return raw;
    return this.fail(path, `must be optional, required or never (got ${JSON.stringify(raw)})`);
  }

  /** `progress: { perSecond, heartbeat }`, globally or per tool; `heartbeat: 0` (or `off`) turns it off. */
  progress(raw: Raw, path: ReadonlyArray<string | number>): { perSecond: number | undefined; heartbeatMs: number | undefined } {
    if (raw === undefined) return { perSecond: undefined, heartbeatMs: undefined };
    this.object(raw, path, 'progress');
    this.keys(raw, path, ['perSecond', 'heartbeat']);
    const heartbeat = raw.heartbeat;
    return {
      perSecond: raw.perSecond === undefined ? undefined : this.number(raw.perSecond, [...path, 'perSecond'], 0),
      heartbeatMs: heartbeat === undefined ? undefined : heartbeat === 0 || heartbeat === 'off' || heartbeat === '0' ? 0 : this.duration(heartbeat, [...path, 'heartbeat']),
    };
  }

  backpressure(raw: Raw, path: ReadonlyArray<string | number>): SlowConsumerOptions | undefined {
    if (raw === undefined) return undefined;
    this.object(raw, path, 'backpressure');
    this.keys(raw, path, ['partial', 'stallTimeout']);
    if (raw.partial !== undefined && !PARTIAL_POLICIES.includes(raw.partial)) {
      this.fail([...path, 'partial'], `must be one of ${PARTIAL_POLICIES.join(', ')}`);
    }
    return {
      ...(raw.partial !== undefined && { partial: raw.partial as PartialPolicy }),
      ...(raw.stallTimeout !== undefined && { stallTimeoutMs: this.duration(raw.stallTimeout, [...path, 'stallTimeout']) }),
    };
  }

  resource(raw: Raw, path: ReadonlyArray<string | number>, base: string): FileResourceConfig {
    this.object(raw, path, 'a resource');
    this.keys(raw, path, ['name', 'description', 'uri', 'directory', 'file', 'mimeType']);
    const name = this.string(raw.name, [...path, 'name']);
    const uri = this.string(raw.uri, [...path, 'uri']);
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) this.fail([...path, 'uri'], `"${uri}" must start with a scheme such as logs://`);
    const variables = [...uri.matchAll(/\{\+?([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
    if ((raw.directory === undefined) === (raw.file === undefined)) this.fail(path, 'a resource needs exactly one of directory: or file:');
    if (raw.directory !== undefined) {
      if (variables.length !== 1 || !/\{\+?[A-Za-z0-9_]+\}$/.test(uri)) {
        this.fail([...path, 'uri'], `a directory resource needs one variable at the end of its URI, e.g. ${uri.replace(/\{.*$/, '')}{path}`);
      }
    } else if (variables.length > 0) {
      this.fail([...path, 'uri'], 'a file resource has a fixed URI without {variables}');
    }
    return {
      name,
      description: raw.description === undefined ? undefined : this.string(raw.description, [...path, 'description']),
      uri,
      directory: raw.directory === undefined ? undefined : resolveFrom(base, this.string(raw.directory, [...path, 'directory'])),
      file: raw.file === undefined ? undefined : resolveFrom(base, this.string(raw.file, [...path, 'file'])),
      mimeType: raw.mimeType === undefined ? undefined : this.string(raw.mimeType, [...path, 'mimeType']),
    };
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function resolveFrom(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function pathText(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return 'config';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
