export {
  type BenchCase,
  type BenchResult,
  type CorpusDoc,
  corpusDir,
  formatOverhead,
  loadCorpus,
  measure,
  type PairedOverhead,
  pairedOverhead,
  printTable,
  SIZES,
} from './harness.js';
export { loadPeers, PEERS, type Peer, type PeerCapability } from './peers.js';
