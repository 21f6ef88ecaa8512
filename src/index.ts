/**
 * What another program can import after `npm run build` (`require('p2p-exchange')`
 * from a checkout, or `dist/index.js`): the exchange node and its API types, the
 * matching engine, and the network node.
 */
export { Exchange, DEFAULT_TUNING, type ExchangeTuning, type ExchangeStartOptions } from './exchange/exchange';
export * from './exchange/api';
export * as book from './book';
export { NetNode, type NetOptions, type GossipEvent, type PeerView as NetPeerView } from './net/node';
export { silentLogger, type Logger, type LogFields } from './log/logger';
