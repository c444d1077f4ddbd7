/**
 * The browser chat page (served at `GET /chat`, bundled by `scripts/build-chat.mjs` into `dist/chat/app.js`): log in
 * with an access key and password, connect with the browser build of the client SDK over this origin's websocket
 * (`ws:` or `wss:` as the page itself), and chat.
 *
 * - The access key and password stay in this tab (`sessionStorage`, so a reload reconnects); they go nowhere but
 *   into the SDK's handshake. The client's Noise key and the hub's pinned key live in `localStorage`
 *   (`WebStorageStore`): the hub pins the client's key on first contact and refuses a different one later.
 * - Protocol `auto`: v3 (Noise) when the hub offers it, legacy otherwise.
 * - Every `speak` the hub sends is shown as it arrives, answers and unsolicited messages (broadcasts) alike; a line
 *   of the room's conference (§12.10) as what its speaker said, under the speaker's name.
 *
 * @module
 */
import {
  type ClientState,
  createHiveClient,
  type HiveClient,
  type IdentityStore,
  MemoryIdentityStore,
  MemoryPinStore,
  type PinStore,
  WebStorageStore,
} from '../../client/index.browser.js';
import { conferenceLine } from '../../session/conference-line.js';
import { describeRefusal } from './refusal.js';

/** `sessionStorage` key of the login (this tab only). */
const LOGIN_ITEM = 'hivelink:chat:login';
const USERAGENT = 'hivelink-chat';
const LANG = 'en-us';
const UTTERANCE = 'recognizer_loop:utterance';

interface Login {
  accessKey: string;
  password: string;
}

/** What the state indicator shows (`data-state` on `#state`). */
type Indicator = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'disconnected';

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

const ui = {
  state: element<HTMLParagraphElement>('state'),
  stateText: element<HTMLSpanElement>('state-text'),
  logout: element<HTMLButtonElement>('logout'),
  loginView: element<HTMLElement>('login-view'),
  loginForm: element<HTMLFormElement>('login-form'),
  accessKey: element<HTMLInputElement>('access-key'),
  password: element<HTMLInputElement>('password'),
  loginError: element<HTMLParagraphElement>('login-error'),
  loginButton: element<HTMLButtonElement>('login-button'),
  chatView: element<HTMLElement>('chat-view'),
  transcript: element<HTMLOListElement>('transcript'),
  sayForm: element<HTMLFormElement>('say-form'),
  utterance: element<HTMLInputElement>('utterance'),
  send: element<HTMLButtonElement>('send'),
};

let client: HiveClient | null = null;

/** `sessionStorage`, or null where the browser refuses it. */
function tabStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the login lasts as long as the page
  }
}

/** The Noise key and hub pins in `localStorage`; in memory (one page load) where the browser refuses it. */
function keyStores(): { identityStore: IdentityStore; pinStore: PinStore; persistent: boolean } {
  try {
    const store = new WebStorageStore(window.localStorage);
    return { identityStore: store, pinStore: store, persistent: true };
  } catch {
    return { identityStore: new MemoryIdentityStore(), pinStore: new MemoryPinStore(), persistent: false };
  }
}

function savedLogin(): Login | null {
  const raw = tabStorage()?.getItem(LOGIN_ITEM) ?? null;
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<Login>;
    if (typeof value.accessKey === 'string' && typeof value.password === 'string') {
      return { accessKey: value.accessKey, password: value.password };
    }
  } catch {
    // unreadable: forget it below
  }
  tabStorage()?.removeItem(LOGIN_ITEM);
  return null;
}

/** This page's origin as a websocket URL: `wss:` under `https:`, `ws:` otherwise. */
function hubUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}/`;
}

/** Adds a line to the transcript: yours, the hub's, a note, or what `speaker` said in the room's conference. */
function addLine(kind: 'you' | 'hub' | 'note' | 'conference', text: string, speaker = ''): void {
  const item = document.createElement('li');
  item.className = `msg ${kind}`;
  if (kind !== 'note') {
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = kind === 'you' ? 'You' : kind === 'hub' ? 'Hub' : speaker;
    item.append(who);
  }
  const body = document.createElement('p');
  body.className = 'text';
  body.textContent = text;
  item.append(body);
  ui.transcript.append(item);
  item.scrollIntoView({ block: 'end' });
}

function setIndicator(indicator: Indicator, text: string): void {
  ui.state.dataset.state = indicator;
  ui.stateText.textContent = text;
  ui.stateText.title = text;
}

function describeOpen(state: Extract<ClientState, { type: 'open' }>): string {
  const protocol = state.protocolVersion === 3 ? `Noise ${state.pattern ?? ''}`.trim() : 'legacy';
  return `connected (${protocol}, ${state.cipher})`;
}

function showState(state: ClientState): void {
  switch (state.type) {
    case 'idle':
      setIndicator('idle', 'not connected');
      break;
    case 'connecting':
    case 'handshaking':
      setIndicator(
        'connecting',
        state.attempt > 1 ? `connecting (attempt ${state.attempt})…` : 'connecting…',
      );
      break;
    case 'open':
      setIndicator('connected', describeOpen(state));
      ui.send.disabled = false;
      break;
    case 'reconnecting':
      setIndicator(
        'reconnecting',
        `reconnecting in ${Math.max(1, Math.round(state.delayMs / 1000))} s: ${state.error.message}`,
      );
      ui.send.disabled = true;
      break;
    case 'closed':
      ui.send.disabled = true;
      if (state.error === null) {
        setIndicator('disconnected', 'disconnected');
      } else {
        const why = describeRefusal(state.error);
        setIndicator('refused', `refused: ${why}`);
        showLogin(`The hub refused the connection: ${why}.`);
      }
      break;
  }
}

function showLogin(error = ''): void {
  ui.chatView.hidden = true;
  ui.loginView.hidden = false;
  ui.logout.hidden = true;
  ui.loginButton.disabled = false;
  ui.loginError.textContent = error;
  if (error !== '') tabStorage()?.removeItem(LOGIN_ITEM);
  ui.password.value = '';
  (ui.accessKey.value === '' ? ui.accessKey : ui.password).focus();
}

function showChat(): void {
  ui.loginView.hidden = true;
  ui.chatView.hidden = false;
  ui.logout.hidden = false;
  ui.utterance.focus();
}

function start(login: Login): void {
  client?.close();
  const stores = keyStores();
  let next: HiveClient;
  try {
    next = createHiveClient({
      url: hubUrl(),
      accessKey: login.accessKey,
      password: login.password,
      useragent: USERAGENT,
      lang: LANG,
      protocol: 'auto',
      identityStore: stores.identityStore,
      pinStore: stores.pinStore,
    });
  } catch (err) {
    showLogin(err instanceof Error ? err.message : String(err));
    return;
  }
  client = next;
  next.onState((state) => {
    if (client === next) showState(state);
  });
  const spoken = (m: { type: string; data: Record<string, unknown> }) => {
    const said = conferenceLine(m);
    if (said !== null) addLine('conference', said.text, said.speaker);
    else if (typeof m.data.utterance === 'string') addLine('hub', m.data.utterance);
  };
  next.onBus('speak', spoken);
  next.onBus('ovos.utterance.speak', spoken);
  next.onBus('complete_intent_failure', () => addLine('note', 'The hub did not understand that.'));
  next.onBus('hive.policy.denied', (m) =>
    addLine('note', `The hub refused that: ${String(m.data.reason ?? m.data.code ?? 'no reason given')}`),
  );
  ui.send.disabled = true;
  showChat();
  if (!stores.persistent) {
    addLine(
      'note',
      'This browser keeps no local storage: the hub may refuse this browser on the next visit.',
    );
  }
  next.connect().catch(() => {
    // the state listener shows why (closed with the refusal)
  });
}

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const login: Login = { accessKey: ui.accessKey.value.trim(), password: ui.password.value };
  if (login.accessKey === '' || login.password === '') {
    ui.loginError.textContent = 'Enter the access key and the password.';
    return;
  }
  ui.loginButton.disabled = true;
  ui.loginError.textContent = '';
  tabStorage()?.setItem(LOGIN_ITEM, JSON.stringify(login));
  start(login);
});

ui.sayForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.utterance.value.trim();
  if (text === '' || client === null) return;
  try {
    client.emitBus(UTTERANCE, { utterances: [text], lang: LANG });
  } catch (err) {
    addLine('note', `Not sent: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  addLine('you', text);
  ui.utterance.value = '';
});

ui.logout.addEventListener('click', () => {
  const old = client;
  client = null;
  old?.close();
  tabStorage()?.removeItem(LOGIN_ITEM);
  ui.transcript.replaceChildren();
  setIndicator('idle', 'not connected');
  showLogin();
});

const remembered = savedLogin();
if (remembered === null) {
  showLogin();
} else {
  ui.accessKey.value = remembered.accessKey;
  start(remembered);
}
