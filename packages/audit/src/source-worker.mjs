// Starts a TypeScript worker entry when the package runs from its source (tests, `tsx`): loads tsx's
// loader in this thread, then the entry. Built packages start `dist/*.js` workers directly and never use
// this file. Both URLs are computed by the package itself (never user input).
import { workerData } from 'node:worker_threads';

const { tsImport } = await import(workerData.source.tsx);
await tsImport(workerData.source.entry, import.meta.url);
