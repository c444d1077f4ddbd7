/**
 * The hub's admin page (served at `GET /admin`, bundled by `scripts/build-chat.mjs` into `dist/admin/app.js`): log
 * in with an admin client's REST token, then see the clients, the rooms, the live connections, the recent policy
 * denials, the pairing codes and a metrics summary, refreshed every few seconds; revoke a client, block or unblock a
 * skill for it, make a pairing code (shown once, with its QR code drawn on a canvas) or cancel one.
 *
 * - The token stays in this tab (`sessionStorage`, so a reload stays logged in) and goes only into the
 *   `Authorization` header of this origin's `/v1` requests (`src/http/rest-admin.ts`).
 * - Everything is built with DOM calls and `textContent`: nothing the hub answers is parsed as HTML.
 *
 * @module
 */

/** `sessionStorage` key of the token (this tab only). */
const TOKEN_ITEM = 'hivelink:admin:token';
/** How often the page reads the hub again. */
const REFRESH_MS = 5000;

interface Summary {
  version: string;
  caller: { id: number; name: string };
  uptime_s: number;
  sessions: number;
  denials_kept: number;
  metrics: {
    connections: Record<string, number>;
    messages: { in: number; out: number };
    denials: { total: number; byCode: Record<string, number> };
    turn: { count: number; p50Ms: number | null; p95Ms: number | null };
  };
}

interface Connection {
  peer: string;
  clientId: number;
  clientName: string;
  protocol: number;
  cipher: string | null;
  site: string | null;
  since: number | null;
  ip: string;
}

interface Client {
  id: number;
  name: string;
  site: string | null;
  admin: boolean;
  revoked: boolean;
  blockedSkills: string[];
  lastSeen: number | null;
  connections: number;
}

interface Denial {
  at: number;
  clientId: number | null;
  clientName: string | null;
  peer: string;
  code: string;
  deniedType: string;
  reason: string;
}

interface Room {
  name: string;
  conference?: string;
  clients: { name: string; online: boolean }[];
}

interface Skill {
  id: string;
}

interface Pairing {
  id: string;
  name: string;
  site: string | null;
  state: string;
  expiresAt: number;
}

interface NewPairing extends Pairing {
  code: string;
  url: string;
  qr: { size: number; modules: string };
}

/** A refusal of the hub's (`{"error": {code, message}}`), or a network failure. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} missing`);
  return el as T;
}

const ui = {
  state: byId('state'),
  stateText: byId('state-text'),
  refresh: byId<HTMLButtonElement>('refresh'),
  logout: byId<HTMLButtonElement>('logout'),
  loginView: byId('login-view'),
  loginForm: byId<HTMLFormElement>('login-form'),
  token: byId<HTMLInputElement>('token'),
  loginError: byId('login-error'),
  loginButton: byId<HTMLButtonElement>('login-button'),
  dashboard: byId('dashboard'),
  actionError: byId('action-error'),
  summary: byId('summary'),
  connections: byId<HTMLTableElement>('connections'),
  clients: byId<HTMLTableElement>('clients'),
  rooms: byId('rooms'),
  denials: byId<HTMLTableElement>('denials'),
  pairings: byId<HTMLTableElement>('pairings'),
  pairForm: byId<HTMLFormElement>('pair-form'),
  pairName: byId<HTMLInputElement>('pair-name'),
  pairRoom: byId<HTMLInputElement>('pair-room'),
  pairNew: byId('pair-new'),
  pairQr: byId<HTMLCanvasElement>('pair-qr'),
};

let token: string | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let skills: string[] = [];
/** The id of the token's own client: the page does not offer to revoke it. */
let callerId: number | null = null;

/** The top bar's state; the names are the chat page's, so base.css colours them alike. */
function setState(state: 'idle' | 'connecting' | 'connected' | 'refused', text: string): void {
  ui.state.dataset.state = state;
  ui.stateText.textContent = text;
  ui.stateText.title = text;
}

/** `fetch` of `/v1<path>` with the token (and a JSON body); the JSON answer, or an {@link ApiError}. */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token ?? ''}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, 'network', `the hub cannot be reached (${(err as Error).message})`);
  }
  const answer = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!res.ok) {
    const error = answer?.error;
    throw new ApiError(res.status, error?.code ?? 'HTTP', error?.message ?? `HTTP ${res.status}`);
  }
  return answer as T;
}

/** An element with a class and text. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

/** A table cell labelled with its column (the narrow layout shows the label beside the value). */
function cell(label: string, content: string | Node, className?: string): HTMLTableCellElement {
  const td = el('td', undefined, className);
  td.dataset.label = label;
  if (typeof content === 'string') td.textContent = content;
  else td.append(content);
  return td;
}

/** Fills `table`'s body with `rows` and shows its empty note when there are none. */
function fillTable(table: HTMLTableElement, rows: HTMLTableRowElement[]): void {
  table.tBodies[0]!.replaceChildren(...rows);
  table.hidden = rows.length === 0;
  const empty = table.parentElement?.querySelector<HTMLElement>('.empty');
  if (empty) empty.hidden = rows.length !== 0;
}

function ago(ms: number | null): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** A latency estimate: whole ms from 10 ms up (it is a bucket estimate, not a measurement). */
const latency = (ms: number | null) => (ms === null ? '–' : `${ms >= 10 ? Math.round(ms) : ms} ms`);

function renderSummary(s: Summary): void {
  const m = s.metrics;
  const protocols =
    Object.entries(m.connections)
      .map(([v, n]) => `v${v}: ${n}`)
      .join(', ') || 'none';
  const codes = Object.entries(m.denials.byCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const tiles: [string, string, string?][] = [
    ['Uptime', duration(s.uptime_s), `hivelink ${s.version}`],
    ['Sessions', String(s.sessions), protocols],
    ['Messages in / out', `${m.messages.in} / ${m.messages.out}`],
    ['Denials', String(m.denials.total), codes],
    ['Turn p50 / p95', `${latency(m.turn.p50Ms)} / ${latency(m.turn.p95Ms)}`, `${m.turn.count} turns`],
  ];
  ui.summary.replaceChildren(
    ...tiles.map(([name, value, detail]) => {
      const tile = el('div', undefined, 'tile');
      tile.append(el('dt', name), el('dd', value, 'value'));
      if (detail !== undefined && detail !== '') tile.append(el('dd', detail, 'detail'));
      return tile;
    }),
  );
}

function renderConnections(list: Connection[]): void {
  byId('connections-count').textContent = `(${list.length})`;
  fillTable(
    ui.connections,
    list.map((c) => {
      const tr = el('tr');
      tr.dataset.client = String(c.clientId);
      const protocol = `v${c.protocol}${c.cipher === null ? '' : ` ${c.cipher}`}`;
      tr.append(
        cell('Peer', c.peer, 'mono wrap'),
        cell('Client', `${c.clientName} (${c.clientId})`),
        cell('Protocol', protocol),
        cell('Site', c.site ?? '–'),
        cell('Since', ago(c.since)),
        cell('Address', c.ip, 'mono'),
      );
      return tr;
    }),
  );
}

function button(text: string, className: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = el('button', text, className);
  b.type = 'button';
  if (label !== undefined) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function renderClients(list: Client[]): void {
  byId('clients-count').textContent = `(${list.length})`;
  fillTable(
    ui.clients,
    list.map((c) => {
      const tr = el('tr');
      tr.dataset.client = String(c.id);
      if (c.revoked) tr.className = 'revoked';
      const you = c.id === callerId;
      const status = c.revoked
        ? 'revoked'
        : `${c.connections > 0 ? `online (${c.connections})` : 'offline'}${c.admin ? ', admin' : ''}${you ? ' (you)' : ''}`;
      const blocked = el('div', undefined, 'chips');
      for (const skill of c.blockedSkills) {
        const chip = el('span', skill, 'chip');
        chip.append(
          button(
            '×',
            'chip-x',
            () => act('DELETE', `/clients/${c.id}/blocked-skills/${enc(skill)}`),
            `Allow ${skill}`,
          ),
        );
        blocked.append(chip);
      }
      const actions = el('div', undefined, 'actions');
      if (!c.revoked) {
        const choices = skills.filter((s) => !c.blockedSkills.includes(s));
        if (choices.length > 0) {
          const select = el('select');
          select.setAttribute('aria-label', `Skill to block for ${c.name}`);
          for (const s of choices) select.append(el('option', s));
          actions.append(
            select,
            button('Block', 'quiet', () =>
              act('PUT', `/clients/${c.id}/blocked-skills/${enc(select.value)}`),
            ),
          );
        }
        if (!you)
          actions.append(
            button(
              'Revoke',
              'danger',
              () => {
                if (confirm(`Revoke client ${c.id} "${c.name}"? Its access key stops working.`)) {
                  void act('POST', `/clients/${c.id}/revoke`);
                }
              },
              `Revoke ${c.name}`,
            ),
          );
      }
      tr.append(
        cell('Id', String(c.id), 'mono'),
        cell('Name', c.name),
        cell('Site', c.site ?? '–'),
        cell('Status', status, c.connections > 0 && !c.revoked ? 'online' : undefined),
        cell('Last seen', c.connections > 0 && !c.revoked ? 'now' : ago(c.lastSeen)),
        cell('Blocked skills', blocked),
        cell('Actions', actions),
      );
      return tr;
    }),
  );
}

function renderRooms(rooms: Room[]): void {
  ui.rooms.replaceChildren(
    ...rooms.map((room) => {
      const li = el('li', undefined, 'room');
      const head = el('strong', room.name);
      li.append(head);
      if (room.conference !== undefined && room.conference !== 'off') {
        li.append(el('span', `conference ${room.conference}`, 'tag'));
      }
      const who = el('span', undefined, 'who');
      who.append(...room.clients.map((c) => el('span', c.name, c.online ? 'member online' : 'member')));
      li.append(who);
      return li;
    }),
  );
  const empty = ui.rooms.parentElement?.querySelector<HTMLElement>('.empty');
  if (empty) empty.hidden = rooms.length !== 0;
}

function renderDenials(d: { total: number; capacity: number; denials: Denial[] }): void {
  byId('denials-count').textContent = `(${d.total}${d.total > d.capacity ? `, last ${d.capacity}` : ''})`;
  fillTable(
    ui.denials,
    d.denials.map((x) => {
      const tr = el('tr');
      tr.append(
        cell('When', ago(x.at)),
        cell('Client', x.clientName === null ? x.peer : `${x.clientName} (${x.clientId})`),
        cell('Code', x.code, 'mono'),
        cell('Message type', x.deniedType, 'mono wrap'),
        cell('Reason', x.reason, 'wrap'),
      );
      return tr;
    }),
  );
}

function renderPairings(list: Pairing[]): void {
  fillTable(
    ui.pairings,
    list.map((p) => {
      const tr = el('tr');
      const actions = el('div', undefined, 'actions');
      if (p.state === 'pending') {
        actions.append(
          button(
            'Cancel',
            'danger',
            () => void act('DELETE', `/admin/pairings/${enc(p.id)}`),
            `Cancel ${p.id}`,
          ),
        );
      }
      const expires =
        p.expiresAt > Date.now() ? `in ${Math.ceil((p.expiresAt - Date.now()) / 60_000)} min` : 'gone';
      tr.append(
        cell('Id', p.id, 'mono'),
        cell('Name', p.name),
        cell('Room', p.site ?? '–'),
        cell('State', p.state),
        cell('Expires', expires),
        cell('Actions', actions),
      );
      return tr;
    }),
  );
}

/** Draws the QR code's modules (row by row, `1` dark) on the canvas, with a quiet zone. */
function drawQr(canvas: HTMLCanvasElement, qr: { size: number; modules: string }): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const cells = qr.size + 8;
  const scale = Math.floor(canvas.width / cells);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#000000';
  const offset = Math.floor((canvas.width - qr.size * scale) / 2);
  for (let i = 0; i < qr.modules.length; i++) {
    if (qr.modules[i] !== '1') continue;
    ctx.fillRect(offset + (i % qr.size) * scale, offset + Math.floor(i / qr.size) * scale, scale, scale);
  }
}

async function makePairing(): Promise<void> {
  const name = ui.pairName.value.trim();
  const room = ui.pairRoom.value.trim();
  try {
    const made = await api<NewPairing>('POST', '/admin/pairings', {
      ...(name === '' ? {} : { name }),
      ...(room === '' ? {} : { room }),
    });
    byId('pair-code').textContent = made.code;
    byId('pair-join').textContent = `hivelink join ${made.code} --url ${made.url}`;
    drawQr(ui.pairQr, made.qr);
    ui.pairNew.hidden = false;
    ui.pairForm.reset();
    showActionError(null);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return loggedOut(err.message);
    showActionError((err as Error).message);
  }
  await load();
}

const enc = encodeURIComponent;

function showActionError(message: string | null): void {
  ui.actionError.hidden = message === null;
  ui.actionError.textContent = message ?? '';
}

/** Does what a button asks, then reads the hub again. */
async function act(method: string, path: string): Promise<void> {
  try {
    await api(method, path);
    showActionError(null);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return loggedOut(err.message);
    showActionError(`${(err as Error).message}`);
  }
  await load();
}

/** Reads everything the page shows. */
async function load(): Promise<void> {
  if (token === null) return;
  try {
    const [summary, connections, clients, rooms, denials, skillList, pairings] = await Promise.all([
      api<Summary>('GET', '/admin/summary'),
      api<{ connections: Connection[] }>('GET', '/admin/connections'),
      api<{ clients: Client[] }>('GET', '/clients'),
      api<{ rooms: Room[] }>('GET', '/rooms').catch(() => ({ rooms: [] })),
      api<{ total: number; capacity: number; denials: Denial[] }>('GET', '/admin/denials'),
      api<{ skills: Skill[] }>('GET', '/admin/skills').catch(() => ({ skills: [] })),
      api<{ pairings: Pairing[] }>('GET', '/admin/pairings').catch(() => ({ pairings: [] })),
    ]);
    skills = skillList.skills.map((s) => s.id).sort();
    callerId = summary.caller.id;
    renderSummary(summary);
    renderConnections(connections.connections);
    renderClients(clients.clients);
    renderRooms(rooms.rooms);
    renderDenials(denials);
    renderPairings(pairings.pairings);
    setState('connected', `connected · updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      return loggedOut(err.message);
    }
    setState('refused', (err as Error).message);
  }
}

function loggedIn(): void {
  ui.loginView.hidden = true;
  ui.dashboard.hidden = false;
  ui.logout.hidden = false;
  ui.refresh.hidden = false;
  if (timer === null) timer = setInterval(() => void load(), REFRESH_MS);
}

function loggedOut(message: string | null): void {
  token = null;
  sessionStorage.removeItem(TOKEN_ITEM);
  if (timer !== null) clearInterval(timer);
  timer = null;
  ui.dashboard.hidden = true;
  ui.logout.hidden = true;
  ui.refresh.hidden = true;
  ui.loginView.hidden = false;
  ui.loginButton.disabled = false;
  ui.loginError.textContent = message ?? '';
  setState(message === null ? 'idle' : 'refused', message === null ? 'not logged in' : 'refused');
  ui.token.focus();
}

async function logIn(given: string): Promise<void> {
  token = given;
  ui.loginButton.disabled = true;
  ui.loginError.textContent = '';
  setState('connecting', 'logging in…');
  try {
    // One admin route first: a wrong or non-admin token is told here, not as a half-drawn page.
    await api('GET', '/admin/summary');
  } catch (err) {
    return loggedOut(err instanceof ApiError ? err.message : String(err));
  }
  sessionStorage.setItem(TOKEN_ITEM, given);
  ui.token.value = '';
  ui.loginButton.disabled = false;
  loggedIn();
  await load();
}

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const given = ui.token.value.trim();
  if (given !== '') void logIn(given);
});
ui.pairForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void makePairing();
});
ui.logout.addEventListener('click', () => {
  ui.pairNew.hidden = true;
  loggedOut(null);
});
ui.refresh.addEventListener('click', () => void load());

const saved = sessionStorage.getItem(TOKEN_ITEM);
if (saved !== null && saved !== '') void logIn(saved);
else loggedOut(null);
