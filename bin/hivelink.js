#!/usr/bin/env node
// The `hivelink` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`hivelink: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
