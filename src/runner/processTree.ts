/**
 * Finding what a script started, even after it left the script's process
 * group (`setsid`, a double fork, a daemon).
 *
 * Every script runs with an environment marker, `SLUICE_RUN_<run id>=1`, that
 * its descendants inherit (the way CI systems find a job's processes). The id
 * is in the name, not the value, so markers of nested sluice processes (a
 * script that runs `sluice serve`) add up instead of overwriting each other. On
 * Linux, `/proc/PID/environ` shows a process's environment as it was at exec,
 * so every process carrying the marker can be found and signalled. A process
 * that scrubs its own environment (`env -i`) escapes this; its process group,
 * signalled as well, still reaches it unless it also left the group.
 * Elsewhere (no `/proc`) only the process group is signalled.
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';

/** The environment variable that marks one script run and everything it starts. */
export function runMarker(runId: string): string {
  return `SLUICE_RUN_${runId.replace(/-/g, '')}`;
}

/** The environment variable that marks every script of one sluice process (see `orphanWatchdog.ts`). */
export function ownerMarker(ownerId: string): string {
  return `SLUICE_OWNER_${ownerId.replace(/-/g, '')}`;
}

/** PIDs of the processes whose environment has `marker=1`, this process excluded. */
export async function processesMarked(marker: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const needle = Buffer.from(`${marker}=1\0`);
  const found: number[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) return;
      const environ = await readFile(`/proc/${entry}/environ`).catch(() => undefined);
      // Match whole entries: at the start, or right after a NUL.
      if (environ !== undefined && (environ.subarray(0, needle.length).equals(needle) || environ.includes(Buffer.concat([Buffer.from([0]), needle])))) {
        found.push(Number(entry));
      }
    }),
  );
  return found;
}

/** Sends `signal` to every process carrying the marker; returns how many were signalled. */
export async function signalMarked(marker: string, signal: NodeJS.Signals): Promise<number> {
  let signalled = 0;
  for (const pid of await processesMarked(marker)) {
    try {
      process.kill(pid, signal);
      signalled++;
    } catch {
      // ESRCH: gone meanwhile.
    }
  }
  return signalled;
}
