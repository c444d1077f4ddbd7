/**
 * `GET /metrics` in the Prometheus text format (issue 17), parsed by a real parser (parse-prometheus-text-format),
 * against a real hub with SDK clients on 127.0.0.1: connections by protocol, handshakes, messages by type and
 * direction, denials by code, the turn latency histogram, queue gauges, Node's event-loop lag, and the optional
 * bearer token.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat, { type MetricFamily, type Sample } from 'parse-prometheus-text-format';
import { reply } from '../../src/bus/message.js';
import { createHiveClient, type HiveClient } from '../../src/client/index.js';
import { readMetricsToken } from '../../src/http/metrics.js';
import { DenyCode } from '../../src/hub/policy/index.js';
import { startHub, type TestHub } from './hub-harness.js';

async function scrape(
  hub: TestHub,
  headers: Record<string, string> = {},
): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`http://127.0.0.1:${hub.port}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]));
}

function family(metrics: Map<string, MetricFamily>, name: string): MetricFamily {
  const f = metrics.get(name);
  assert.ok(f !== undefined, `${name} is missing from /metrics`);
  return f;
}

/** The value of the sample of `name` whose labels include `labels` (0 when there is none). */
function value(
  metrics: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const match = (s: Sample) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v);
  const sample = family(metrics, name).metrics.find(match);
  return sample === undefined ? 0 : Number(sample.value ?? sample.count);
}

describe('GET /metrics', () => {
  let hub: TestHub;
  const clients: HiveClient[] = [];
  let credentials: { accessKey: string; password: string };

  before(async () => {
    hub = await startHub();
    credentials = await hub.addClient();
    hub.bus.on('recognizer_loop:utterance', (m) => {
      hub.bus.emit(reply(m, 'speak', { utterance: 'answer' }));
      hub.bus.emit(reply(m, 'ovos.utterance.handled', {}));
    });
  });

  after(async () => {
    for (const c of clients) c.close();
    await hub.close();
  });

  /** A client of its own record (the hub pins the first v3 key of a record), or of `credentials`. */
  const connect = async (protocol?: 'legacy', own = false): Promise<HiveClient> => {
    const client = createHiveClient({
      url: hub.url,
      ...(own ? await hub.addClient() : credentials),
      ...(protocol === undefined ? {} : { protocol }),
      reconnect: { enabled: false },
    });
    clients.push(client);
    await client.connect();
    return client;
  };

  it('counts sessions by protocol, messages by type and direction, and times each turn', async () => {
    const before = await scrape(hub);
    const v3 = await connect();
    const legacy = await connect('legacy');
    assert.deepEqual((await v3.ask('one')).answers, ['answer']);
    assert.deepEqual((await legacy.ask('two')).answers, ['answer']);

    const m = await scrape(hub);
    assert.equal(family(m, 'hivelink_connections').type, 'GAUGE');
    assert.equal(value(m, 'hivelink_connections', { protocol: '3' }), 1);
    assert.equal(value(m, 'hivelink_connections', { protocol: '2' }), 1);
    assert.equal(family(m, 'hivelink_handshakes_total').type, 'COUNTER');
    assert.equal(value(m, 'hivelink_handshakes_total', { protocol: '3' }), 1);
    assert.equal(value(m, 'hivelink_handshakes_total', { protocol: '2' }), 1);
    const busIn = value(m, 'hivelink_messages_total', { type: 'bus', direction: 'in' });
    const busOut = value(m, 'hivelink_messages_total', { type: 'bus', direction: 'out' });
    // Each client sent at least its utterance; each got at least its speak and handled.
    assert.ok(busIn >= 2, `bus in: ${busIn}`);
    assert.ok(busOut >= 4, `bus out: ${busOut}`);
    const turn = family(m, 'hivelink_turn_seconds');
    assert.equal(turn.type, 'HISTOGRAM');
    const turnsBefore = before.has('hivelink_turn_seconds') ? value(before, 'hivelink_turn_seconds') : 0;
    assert.equal(Number(turn.metrics[0]?.count) - turnsBefore, 2);
    assert.equal(Number(family(m, 'hivelink_agent_first_answer_seconds').metrics[0]?.count), 2);
    assert.equal(value(m, 'hivelink_inbound_queue_messages'), 0);
    assert.ok(value(m, 'hivelink_outbound_buffered_bytes') >= 0);
    assert.ok(value(m, 'hivelink_nodejs_eventloop_lag_seconds') >= 0);
    // The read-at-scrape metrics of the server are served from the same registry.
    assert.equal(family(m, 'hivelink_auth_attempts_total').type, 'COUNTER');
    assert.equal(family(m, 'hivelink_event_loop_stall_limit_ms').type, 'GAUGE');
    v3.close();
    legacy.close();
  });

  it('counts denials by code', async () => {
    const client = await connect(undefined, true);
    const code = DenyCode.ACL;
    const before = value(await scrape(hub), 'hivelink_denials_total', { code });
    // A bus type this client is not allowed to send (allowedTypes) is denied; the session stays open.
    const denied = new Promise<Record<string, unknown>>((resolve) =>
      client.onBus('hive.policy.denied', (msg) => resolve(msg.data)),
    );
    client.emitBus('not.an.allowed.type');
    assert.equal((await denied).code, code);
    const after = value(await scrape(hub), 'hivelink_denials_total', { code });
    assert.equal(after - before, 1);
    client.close();
  });

  it('charts in docs/grafana-dashboard.json only metrics the hub serves', async () => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
    );
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
      p.targets.map((t) => t.expr),
    );
    const used = new Set(exprs.flatMap((e) => e.match(/hivelink_\w+/g) ?? []));
    assert.ok(used.size >= 15, `${used.size} metrics charted`);
    const served = await scrape(hub);
    for (const name of used) {
      const family = name.replace(/_(bucket|sum|count)$/, '');
      assert.ok(served.has(name) || served.has(family), `${name} is charted but not served`);
    }
  });

  it('serves the metrics only to the bearer of the token when one is set', async () => {
    const file = join(hub.dataDir, 'metrics.token');
    writeFileSync(file, 's3cret-scraper-token\n');
    assert.equal(readMetricsToken(file), 's3cret-scraper-token');
    const guarded = await startHub({ metricsTokenFile: file });
    try {
      const none = await fetch(`http://127.0.0.1:${guarded.port}/metrics`);
      assert.equal(none.status, 401);
      assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'HL_ERR_TOKEN_INVALID');
      const wrong = await fetch(`http://127.0.0.1:${guarded.port}/metrics`, {
        headers: { authorization: 'Bearer s3cret-scraper-tokeX' },
      });
      assert.equal(wrong.status, 401);
      const m = await scrape(guarded, { authorization: 'Bearer s3cret-scraper-token' });
      assert.equal(value(m, 'hivelink_connections', { protocol: '3' }), 0);
    } finally {
      await guarded.close();
    }
  });
});
