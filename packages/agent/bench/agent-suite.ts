import { formatReport, runSuite, summarize } from '../test/agent-suite/run.js';

/**
 * The scripted agent suite as a table for the README:
 * `npx tsx --conditions=@parapet/source packages/agent/bench/agent-suite.ts`.
 */
const results = await runSuite();
console.log(formatReport(results));
console.log('');
console.log(JSON.stringify(summarize(results), null, 2));
