export { alnumOf, base58Check, bech32, digitsOf, entropy, luhn, mod97, verhoeff } from './checksums.js';
export { compileRecognizers, type RecognizerSet, resolveOverlaps, scanText } from './engine.js';
export { loadNer } from './ner.js';
export { applyOperator, type Operator } from './operators.js';
export { type PiiDetectorOptions, piiDetector, secretsDetector } from './pii-detector.js';
export type { EntityKind, EntityMatch, Recognizer, StartClass } from './recognizer.js';
export {
  ALL_RECOGNIZERS,
  DEFAULT_PII_ENTITIES,
  listEntities,
  NER_ENTITIES,
  SECRET_ENTITIES,
} from './recognizers/index.js';
export { piiDetectors } from './registry.js';
export {
  createVault,
  decryptValue,
  encryptValue,
  hmacValue,
  placeholderLabel,
  type Vault,
  type VaultOptions,
} from './vault.js';
