import { ConfigError, DEFAULTS, loadConfig } from '../../src/operator/config';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({}, [])).toEqual({
      name: 'node',
      host: '127.0.0.1',
      port: 3001,
      dataDir: './data/node',
      peers: [],
      logFormat: 'text',
      replyDelayMs: DEFAULTS.replyDelayMs,
      actionTimeoutMs: DEFAULTS.actionTimeoutMs,
      metricsIntervalMs: DEFAULTS.metricsIntervalMs,
      shutdownTimeoutMs: DEFAULTS.shutdownTimeoutMs,
    });
  });

  it('reads the environment', () => {
    const c = loadConfig(
      { NAME: 'node2', HOST: 'localhost', PORT: '3002', PEERS: '127.0.0.1:3001, [::1]:3003', LOG_FORMAT: 'JSON', REPLY_DELAY_MS: '0' },
      [],
    );
    expect(c).toMatchObject({
      name: 'node2',
      host: 'localhost',
      port: 3002,
      dataDir: './data/node2',
      peers: [
        { host: '127.0.0.1', port: 3001 },
        { host: '::1', port: 3003 },
      ],
      logFormat: 'json',
      replyDelayMs: 0,
    });
  });

  it('uses the name pm2 exports when NAME is not set', () => {
    expect(loadConfig({ name: 'node3' }, []).name).toBe('node3');
    expect(loadConfig({ name: 'node3', NAME: 'mine' }, []).name).toBe('mine');
  });

  it('lets flags win over the environment, in both spellings', () => {
    const c = loadConfig({ PORT: '3002', NAME: 'a' }, ['--port', '4000', '--name=b', '--data-dir', '/tmp/x', '--peers=127.0.0.1:1']);
    expect(c).toMatchObject({ port: 4000, name: 'b', dataDir: '/tmp/x', peers: [{ host: '127.0.0.1', port: 1 }] });
  });

  it('allows port 0 (any free port) and an empty PEERS', () => {
    expect(loadConfig({ PORT: '0', PEERS: ' , ' }, [])).toMatchObject({ port: 0, peers: [] });
  });

  it.each([
    [{ PORT: 'abc' }, [], 'port', /PORT: "abc" must be an integer 0-65535/],
    [{ PORT: '65536' }, [], 'port', /PORT/],
    [{ PORT: '-1' }, [], 'port', /PORT/],
    [{ PORT: '0x10' }, [], 'port', /PORT/],
    [{ PORT: '3e3' }, [], 'port', /PORT/],
    [{}, ['--port', '1.5'], 'port', /--port: "1.5"/],
    [{ HOST: 'not a host' }, [], 'host', /HOST: "not a host" is not an IP address or hostname/],
    [{ NAME: '../etc' }, [], 'name', /NAME: "..\/etc" must be/],
    [{ PEERS: '127.0.0.1' }, [], 'peers', /PEERS: "127.0.0.1" is not host:port/],
    [{ PEERS: '127.0.0.1:3002,localhost' }, [], 'peers', /PEERS: "localhost" is not host:port/],
    [{ PEERS: '127.0.0.1:99999' }, [], 'peers', /PEERS: 127.0.0.1:99999: port must be/],
    [{ PEERS: '127.0.0.1:3001' }, [], 'peers', /own address/],
    [{ LOG_FORMAT: 'xml' }, [], 'logFormat', /LOG_FORMAT: "xml" is not a log format \(text or json\)/],
    [{ REPLY_DELAY_MS: 'soon' }, [], 'replyDelayMs', /REPLY_DELAY_MS/],
    [{ SHUTDOWN_TIMEOUT_MS: '5' }, [], 'shutdownTimeoutMs', /100-600000/],
    [{}, ['--verbose'], 'argv', /unknown argument "--verbose"/],
    [{}, ['node1'], 'argv', /unknown argument "node1"/],
    [{}, ['--port'], 'argv', /--port needs a value/],
    [{}, ['--port', '--name', 'x'], 'argv', /--port needs a value/],
  ])('refuses %j %j', (env, argv, setting, message) => {
    let thrown: unknown;
    try {
      loadConfig(env as Record<string, string>, argv as string[]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).setting).toBe(setting);
    expect((thrown as ConfigError).message).toMatch(message);
  });
});
