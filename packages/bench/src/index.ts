export {
  type BenchCase,
  type BenchResult,
  type CorpusDoc,
  corpusDir,
  loadCorpus,
  measure,
  printTable,
  SIZES,
} from './harness.js';
export { loadPeers, PEERS, type Peer, type PeerCapability } from './peers.js';
