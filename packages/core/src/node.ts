/**
 * `@ktls-lab/core/node`: what only runs under Node.js. The main entry stays browser-safe; this one
 * may import node:* modules.
 */
export { NodeCryptoAeadEngine } from './engines/nodeCrypto.js';
