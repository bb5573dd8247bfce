import { compileRecognizers } from '../src/engine.js';
import { ALL_RECOGNIZERS } from '../src/recognizers/index.js';
for (const f of [(r: any) => r.kind === 'secret', () => true]) {
const set = compileRecognizers(ALL_RECOGNIZERS.filter(f));
console.log(set.byLiteral.size, [...set.byLiteral.keys()].map((k) => JSON.stringify(k)).join(' '));
}
