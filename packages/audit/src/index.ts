export * from './chain.js';
export * from './queue.js';
