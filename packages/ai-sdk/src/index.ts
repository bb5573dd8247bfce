// The adapter is being written; this package exports nothing yet.
export {};
