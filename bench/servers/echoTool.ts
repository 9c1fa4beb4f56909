/** The small tool both bench servers expose: echo a text back. Shared so both do the same work. */
export const ECHO_DESCRIPTION = 'Echoes its text';
export function echo(text: string): { content: Array<{ type: 'text'; text: string }> } {
  return { content: [{ type: 'text', text }] };
}
