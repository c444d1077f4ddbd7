/** Small session limits for tests that drive a SessionMachine directly (no keepalive, tiny queues). */
import type { SessionLimits } from '../../src/session/machine.js';

export const TEST_SESSION_LIMITS: SessionLimits = {
  handshakeTimeoutMs: 5000,
  maxHandshakeFrameBytes: 4096,
  inboundQueueMessages: 4,
  maxBufferedBytes: 1000,
  sendQueueMessages: 2,
  pingIntervalMs: 0,
  pingTimeoutMs: 0,
  closeGraceMs: 300,
  parse: { maxJsonDepth: 6 },
};
