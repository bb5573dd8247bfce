import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'jsonl-worker': 'src/jsonl-worker.ts', 'sqlite-worker': 'src/sqlite-worker.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
