/**
 * Argument validation against a tool's JSON Schema, compiled once per tool.
 *
 * Uses the SDK's own JSON Schema validator (`fromJsonSchema`) so that what we
 * advertise in `tools/list` and what we enforce cannot differ.
 *
 * @module
 */
import { fromJsonSchema } from '@modelcontextprotocol/server';

/** A JSON Schema object describing a tool's arguments. */
export interface JsonSchemaObject {
  readonly type: 'object';
  readonly properties?: Readonly<Record<string, object>>;
  readonly required?: readonly string[];
  readonly [key: string]: unknown;
}

/** Validates a value; returns the problems found, or an empty list. */
export type ArgumentValidator = (value: unknown) => string[];

interface Issue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
}

/** Compiles `schema` into a validator whose messages name the offending argument. */
export function compileArgumentValidator(schema: JsonSchemaObject): ArgumentValidator {
  const standard = fromJsonSchema(schema as Parameters<typeof fromJsonSchema>[0]);
  return (value) => {
    const result = standard['~standard'].validate(withoutPrototypes(value)) as { issues?: readonly Issue[] } | Promise<unknown>;
    if (result instanceof Promise) throw new Error('asynchronous JSON Schema validation is not supported');
    return (result.issues ?? []).map(formatIssue);
  };
}

/**
 * A copy of a JSON value whose objects have no prototype. The validator reads
 * properties as `data.name`, so an optional argument named like an
 * `Object.prototype` member (`constructor`, `toString`) would be found on the
 * prototype and validated as if the client had sent it.
 */
function withoutPrototypes(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withoutPrototypes);
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) copy[key] = withoutPrototypes(item);
  return copy;
}

function formatIssue(issue: Issue): string {
  // The SDK's validator reports ajv instance paths ("data/n must be >= 1"); name the argument instead.
  const message = issue.message.replace(/^data\//, '').replace(/^data /, 'arguments ').replace(/\//g, '.');
  const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
  return path === '' || message.startsWith(path) ? message : `${path}: ${message}`;
}
