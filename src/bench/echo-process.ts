/**
 * The ceiling: a plain `ws` echo server with no crypto and no routing, run as its own process by `hivelink bench`.
 * Every frame is sent straight back. Prints `echo server listening on PORT` and runs until SIGTERM.
 *
 * @module
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  clientTracking: false,
});
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`echo server listening on ${port}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  process.exit(0);
});
