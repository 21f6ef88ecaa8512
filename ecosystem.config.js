/**
 * pm2 ecosystem: three exchange nodes joined into one network on 127.0.0.1:3001-3003.
 * node1 listens; node2 and node3 dial node1 and learn of each other by peer exchange.
 *
 *   npm start                      # build if needed, then start with the project's pm2
 *   npm run pm2 -- trigger node1 status
 *
 * `network(opts)` builds the same apps on other ports / data dirs, e.g. for an end to
 * end test on free ports: pm2.start({ apps: require('./ecosystem.config.js').network({ basePort }) }).
 * Settings are documented in docs/OPERATOR.md.
 */
const path = require('node:path');

/** Exit code of a bad configuration (src/operator/daemon.ts EXIT_CONFIG). */
const EXIT_CONFIG = 2;

function network({
  basePort = 3001,
  host = '127.0.0.1',
  count = 3,
  namePrefix = 'node',
  dataRoot = path.join(__dirname, 'data'),
  logFormat = 'text',
  script = path.join(__dirname, 'dist/main.js'),
  env = {},
} = {}) {
  return Array.from({ length: count }, (_, i) => {
    const name = `${namePrefix}${i + 1}`;
    return {
      name,
      script,
      cwd: __dirname,
      env: {
        NAME: name,
        HOST: host,
        PORT: String(basePort + i),
        DATA_DIR: path.join(dataRoot, name),
        // Everyone dials the first node; peer exchange does the rest.
        PEERS: i === 0 ? '' : `${host}:${basePort}`,
        LOG_FORMAT: logFormat,
        ...env,
      },
      // `pm2 start` returns once each node has sent 'ready' (port bound, actions up).
      wait_ready: true,
      listen_timeout: 15000,
      // SIGINT first, SIGKILL after this; the daemon closes within SHUTDOWN_TIMEOUT_MS (4 s).
      kill_timeout: 5000,
      // A bad configuration will not fix itself: stop instead of restarting in a loop.
      stop_exit_codes: [EXIT_CONFIG],
      max_restarts: 10,
      min_uptime: 5000,
      restart_delay: 1000,
      // Our log lines carry their own timestamp and node name.
      time: false,
      autorestart: true,
    };
  });
}

module.exports = { apps: network() };
// Not enumerable: pm2 only needs `apps`, and should never see a function in the config.
Object.defineProperty(module.exports, 'network', { value: network, enumerable: false });
