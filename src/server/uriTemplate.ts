/**
 * A small URI template matcher for resource templates (the RFC 6570 subset
 * resource templates use in practice).
 *
 * `{name}` matches one path segment (no `/`); `{+name}` and any variable named
 * in `spanning` match across `/`, e.g. `logs://{path}` over sub-folders.
 * Matched values are percent-decoded.
 *
 * @module
 */

export type UriVariables = Record<string, string>;

export interface CompiledUriTemplate {
  readonly template: string;
  readonly variables: readonly string[];
  match(uri: string): UriVariables | undefined;
}

export function compileUriTemplate(template: string, spanning: ReadonlySet<string> = new Set()): CompiledUriTemplate {
  const variables: string[] = [];
  let pattern = '^';
  let last = 0;
  for (const m of template.matchAll(/\{(\+?)([A-Za-z0-9_]+)\}/g)) {
    pattern += escapeRegExp(template.slice(last, m.index));
    const reserved = m[1] === '+';
    const name = m[2]!;
    variables.push(name);
    pattern += reserved || spanning.has(name) ? '(.+)' : '([^/]+)';
    last = m.index + m[0].length;
  }
  pattern += `${escapeRegExp(template.slice(last))}$`;
  const regex = new RegExp(pattern);
  return {
    template,
    variables,
    match(uri) {
      const m = regex.exec(uri);
      if (m === null) return undefined;
      const vars: UriVariables = {};
      for (let i = 0; i < variables.length; i++) {
        try {
          vars[variables[i]!] = decodeURIComponent(m[i + 1]!);
        } catch {
          return undefined; // malformed percent-encoding: not a match
        }
      }
      return vars;
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
