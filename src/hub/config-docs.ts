/**
 * What each key of the hub config file means, for docs/CONFIG.md and docs/config.schema.json (src/cli/reference.ts).
 * The type makes a new key of {@link HubConfig} a compile error until it is described here.
 *
 * @module
 */
import type { HubConfig } from './config.js';

export const CONFIG_DOCS: Readonly<Record<Exclude<keyof HubConfig, 'limits'>, string>> = {
  host: 'Address to listen on (`--host`).',
  port: 'Port to listen on; 0 picks a free one (`--port`).',
  dataDir:
    'The data dir: database, identity, secrets key, skills, files (`--data-dir`, else `$HIVELINK_HOME`).',
  secretsKeyFile: 'The secrets key file, when it is not `<data dir>/secrets.key` (`--secrets-key-file`).',
  store:
    'A PostgreSQL URL for the client store instead of the data dir SQLite file (`--store postgres://…`).',
  cluster: 'The cluster: `{url: "nats://…", nodeId, prefix, ttlMs}` (`--cluster`, `--node-id`).',
  agent: 'The brain: `embedded` (the built-in assistant), `ovos` (an OVOS messagebus) or `echo` (`--agent`).',
  ovosUrl: 'The OVOS messagebus for `agent: "ovos"` (`--ovos-url`).',
  tls: 'TLS: `{mode: "files", cert, key}` or `{mode: "self-signed"}` (`--tls-cert/--tls-key`, `--tls-self-signed`).',
  minProtocol: 'Lowest protocol accepted: 2 allows legacy clients, 3 is Noise only (`--min-protocol`).',
  allowedEncodings: 'Legacy encodings the hub accepts, in its order of preference.',
  allowedCiphers: 'Legacy ciphers the hub accepts, in its order of preference.',
  noiseSuites: 'Noise suites offered to v3 clients.',
  noisePatterns: 'Noise patterns offered to v3 clients (must include XXpsk2).',
  binarize: 'Offer bitstring (binary) framing to legacy clients.',
  siteId: "The hub's own site (room) id.",
  name: "The hub's name: in its mDNS announcement, the mesh map and its HELLO.",
  busPort: 'Serve the in-process agent bus on this port (`--bus-port`), for OVOS tools.',
  metricsTokenFile: 'A file with the bearer token `GET /metrics` requires (`--metrics-token-file`).',
  logFile: 'Append the log (JSON lines) to this file instead of stderr (`--log-file`).',
  mdns: 'Announce the hub on the LAN with mDNS as HiveMind presence does (`--no-mdns` turns it off).',
  parents:
    'Parent hubs to connect to as a client: `[{url, accessKey, password | passwordFile}]` (`--parent`).',
  escalate:
    'When a satellite utterance climbs to a parent: `never`, `on-failure` or `always` (`--escalate`).',
  cascadeSelector: 'What the asker of a CASCADE gets: `first`, `all` or `highest` (`--cascade-selector`).',
  acceptSkillsFrom:
    'Install signed skills a parent offers: `parent`, `trusted` or `none` (`--accept-skills-from`).',
  voice:
    'Speech engines: `{stt, tts, ttsVoice, ttsRate, vadSilenceMs}` (`--stt`, `--tts`, `--tts-voice`, `--tts-rate`).',
  logLevel: 'Log level: fatal, error, warn, info, debug, trace or silent (`--log-level`).',
};
