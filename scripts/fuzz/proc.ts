/**
 * Reading the hub child's memory from Linux's `/proc`, for the hub process and its monitor thread alike.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** Reads a `/proc/<pid>/status` field in bytes (0 once the process is gone). */
export function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}
