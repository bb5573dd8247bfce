// Credential and secret recognizers: provider token formats, JSON Web Tokens, private keys, passwords in
// connection strings, and secrets written after telling keys. See ./secrets/ for the lists.
export { claimedByProvider, providerRecognizers, secretRecognizers } from './secrets/index.js';
