// pm2 runs this file with plain node: register the TS loader, then start the fake node.
require('./ts-register');
require('./fake-node-main.ts');
