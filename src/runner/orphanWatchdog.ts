/**
 * The orphan watchdog: what stops scripts when the sluice process itself is
 * killed (SIGKILL, OOM killer, a crash) and cannot stop them.
 *
 * Node cannot ask the kernel to signal children when their parent dies
 * (`PR_SET_PDEATHSIG`), so one tiny `sh` process per sluice process watches
 * instead: it blocks reading a pipe whose only writer is this process. When
 * this process is gone, for any reason, the read ends; the watchdog then sends
 * SIGTERM, and a moment later SIGKILL, to every process carrying this
 * process's `SLUICE_OWNER_<id>` marker (every script and whatever it started), and
 * exits. It runs in its own session, so a signal to the terminal's process
 * group does not take it down first, and it holds nothing open that would
 * keep this process alive.
 *
 * The watchdog's own environment does not carry the marker (it gets the
 * owner id as an argument), and it takes no input but the pipe's end.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { ownerMarker } from './processTree.js';

/** The marker every script of this process carries (`<marker>=1` in its environment). */
export const OWNER_MARKER = ownerMarker(randomUUID());

/** Seconds between the watchdog's SIGTERM and its SIGKILL. */
const WATCHDOG_GRACE_SECONDS = 2;

const SCRIPT = `
read -r _ignored
sweep() {
  for f in /proc/[0-9]*/environ; do
    if tr '\\0' '\\n' < "$f" 2>/dev/null | grep -qxF "$1=1"; then
      p=\${f#/proc/}; kill -"$2" "\${p%/environ}" 2>/dev/null
    fi
  done
}
sweep "$1" TERM
sleep ${WATCHDOG_GRACE_SECONDS}
sweep "$1" KILL
`;

let watchdog: ChildProcess | undefined;

/** Starts the watchdog once per process (idempotent; a no-op where `/proc` or `sh` is missing). */
export function ensureOrphanWatchdog(): void {
  if (watchdog !== undefined || process.platform !== 'linux') return;
  try {
    const env = { ...process.env };
    delete env[OWNER_MARKER];
    watchdog = spawn('/bin/sh', ['-c', SCRIPT, 'sluice-watchdog', OWNER_MARKER], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env });
    watchdog.on('error', () => {});
    watchdog.unref();
    // The pipe must not keep this process alive either: it closes when the process ends.
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  } catch {
    // Without a watchdog, scripts still stop on every path but this process's own death.
  }
}
