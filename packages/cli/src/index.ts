export { type CliIo, EXIT, UsageError } from './io.js';
export { main } from './main.js';
export { registry } from './registry.js';
