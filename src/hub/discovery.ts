/**
 * Discovery on the LAN (docs/PROTOCOL.md §16): `hivelink hub` announces itself on mDNS / DNS-SD with the record
 * HiveMind presence announces, so HiveMind tools find it, and `hivelink discover` browses for hubs of either kind.
 *
 * The record, as HiveMind presence publishes it: an `_http._tcp.local` service whose instance name starts with
 * ` - ` and whose TXT record holds `type=HiveMind-websocket`, `name`, `ssl` (`True`/`False`), `host` and `port`; a
 * browser keeps the `_http._tcp` services whose TXT `type` is `HiveMind-websocket`. We add `site` (the hub's site id)
 * and `node=hivelink`. The instance name also carries the machine name and port, so that several hubs on one
 * machine (a mesh under test, a hub per room) do not collide in mDNS probing.
 *
 * A hub that listens on a loopback address announces on the loopback interface only: a hub no one else can reach
 * is not offered to the LAN.
 *
 * @module
 */
import { hostname, networkInterfaces } from 'node:os';
import { Bonjour, type Service } from 'bonjour-service';
import type { Logger } from 'pino';

/** The TXT `type` HiveMind presence announces and filters on. */
export const HIVEMIND_SERVICE_TYPE = 'HiveMind-websocket';

/** The DNS-SD service type of the announcement (HiveMind's choice: plain `_http._tcp`). */
const DNS_SD_TYPE = 'http';

/** What the mDNS sockets bind to: with a multicast interface given, the group is joined there (loopback works). */
interface MdnsSocketOptions {
  interface?: string;
  bind?: string;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** The first IPv4 address of this machine that is not loopback, or 127.0.0.1. */
function lanAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

/**
 * The mDNS socket options for an address: a loopback or IPv4 address is used as the multicast interface (the socket
 * itself binds to all, which multicast reception needs on Linux); anything else leaves the system's choice.
 */
export function mdnsSocketOptions(address: string | undefined): MdnsSocketOptions {
  if (address === undefined || isWildcard(address)) return {};
  if (isLoopback(address)) return { interface: '127.0.0.1', bind: '0.0.0.0' };
  return /^\d+\.\d+\.\d+\.\d+$/.test(address) ? { interface: address, bind: '0.0.0.0' } : {};
}

export interface AnnounceInit {
  /** The hub's name (`name` in its config). */
  readonly name: string;
  /** The address the hub listens on (`host`). */
  readonly listenHost: string;
  readonly port: number;
  readonly tls: boolean;
  readonly siteId: string | null;
  readonly logger: Logger;
}

/** The TXT record of the announcement, HiveMind's keys first. */
export function announcementTxt(init: Omit<AnnounceInit, 'logger'>): Record<string, string> {
  const host = isWildcard(init.listenHost) ? lanAddress() : init.listenHost;
  return {
    type: HIVEMIND_SERVICE_TYPE,
    name: init.name,
    // Python's str(bool): what HiveMind presence writes and reads.
    ssl: init.tls ? 'True' : 'False',
    host,
    port: String(init.port),
    node: 'hivelink',
    ...(init.siteId === null ? {} : { site: init.siteId }),
  };
}

/** A running announcement; `stop` says goodbye on the network and closes the sockets. */
export interface Announcement {
  stop(): Promise<void>;
}

/** Announces the hub until `stop`. Network errors are logged, never thrown: discovery is a convenience. */
export function announceHub(init: AnnounceInit): Announcement {
  const bonjour = new Bonjour(mdnsSocketOptions(init.listenHost) as object, (err: Error) =>
    init.logger.warn({ err: err.message }, 'mDNS announcement failed'),
  );
  const service = bonjour.publish({
    name: ` - ${init.name} (${hostname()}:${init.port})`,
    type: DNS_SD_TYPE,
    port: init.port,
    txt: announcementTxt(init),
  });
  service.on('error', (err: Error) => init.logger.warn({ err: err.message }, 'mDNS announcement refused'));
  init.logger.info({ name: init.name, port: init.port }, 'announced on mDNS');
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
      });
      return stopped;
    },
  };
}

/** A hub found on the LAN. */
export interface DiscoveredHub {
  readonly name: string;
  /** `ws://HOST:PORT` or `wss://…`, from the TXT record (else the record's address). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** `hivelink` for our hubs, `hivemind` for the others. */
  readonly node: 'hivelink' | 'hivemind';
  readonly site: string | null;
}

/** A HiveMind-shaped announcement as a hub, or null when it is another `_http._tcp` service. */
export function hubFromService(
  service: Pick<Service, 'txt' | 'port' | 'addresses' | 'name'>,
): DiscoveredHub | null {
  const txt = (service.txt ?? {}) as Record<string, unknown>;
  if (txt.type !== HIVEMIND_SERVICE_TYPE) return null;
  const text = (key: string): string | null =>
    typeof txt[key] === 'string' && txt[key] !== '' ? txt[key] : null;
  const port = Number(text('port') ?? service.port);
  const host = text('host') ?? service.addresses?.[0] ?? null;
  if (host === null || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  const tls = text('ssl')?.toLowerCase() === 'true';
  const name = text('name') ?? service.name.replace(/^ - /, '');
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    name,
    url: `${tls ? 'wss' : 'ws'}://${urlHost}:${port}`,
    host,
    port,
    tls,
    node: text('node') === 'hivelink' ? 'hivelink' : 'hivemind',
    site: text('site'),
  };
}

export interface DiscoverOptions {
  /** How long to listen for answers. */
  readonly timeoutMs: number;
  /** The interface address to browse on (a loopback address browses the loopback interface). */
  readonly interface?: string;
}

/** Browses the LAN for `timeoutMs` and resolves with the hubs found, one per URL, sorted by name. */
export function discoverHubs(options: DiscoverOptions): Promise<DiscoveredHub[]> {
  return new Promise((resolve) => {
    const found = new Map<string, DiscoveredHub>();
    const bonjour = new Bonjour(mdnsSocketOptions(options.interface) as object, () => {
      // A socket error ends the search with what was found (none, when mDNS cannot run here).
    });
    const browser = bonjour.find({ type: DNS_SD_TYPE }, (service) => {
      const hub = hubFromService(service);
      if (hub !== null && !found.has(hub.url)) found.set(hub.url, hub);
    });
    setTimeout(() => {
      browser.stop();
      bonjour.destroy(() =>
        resolve(
          [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.url.localeCompare(b.url)),
        ),
      );
    }, options.timeoutMs);
  });
}
