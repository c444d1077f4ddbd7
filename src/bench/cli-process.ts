/**
 * The `hivelink` command as a process entry, for the bench's child processes and for `npm run bench` (which runs
 * `hivelink bench …` from source): the same CLI, run from this package's files (compiled or, from source, through
 * the loader the parent runs under). `hivelink bench --local` starts `hivelink hub` through it.
 *
 * The one bench file that imports the CLI: everything else in src/bench is imported by it.
 *
 * @module
 */
import { main } from '../cli/main.js';

process.exitCode = await main([process.argv[0]!, 'hivelink', ...process.argv.slice(2)]);
