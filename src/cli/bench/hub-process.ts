/**
 * `hivelink hub` as a child process of `hivelink bench --local`: the same command, run from this package's files
 * (compiled or, from source, through the loader the orchestrator runs under).
 *
 * @module
 */
import { main } from '../main.js';

process.exitCode = await main([process.argv[0]!, 'hivelink', ...process.argv.slice(2)]);
