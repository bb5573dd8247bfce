#!/usr/bin/env node
import { main } from './main.js';

// A reader that stops early (`parapet audit query … | head`, a closed pager) is not a failure: drop the
// rest of the output, stop following, and still exit with the command's own code (the verdict).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
  process.stderr.write(`parapet: cannot write to stdout: ${error.message}\n`);
  process.exit(70);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `parapet: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
