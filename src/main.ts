/**
 * The daemon's entry point (`node dist/main.js`, what pm2 runs): configuration from
 * the environment and arguments, the real exchange node, pm2 actions and metrics.
 * See src/operator/daemon.ts for start-up and shutdown, src/operator/config.ts for
 * the settings.
 */
import { Exchange } from './exchange/exchange';
import { main } from './operator/daemon';

void main((opts) => Exchange.start(opts));
