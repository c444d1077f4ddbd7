/**
 * Password strength as an estimate of its entropy in bits, so the hub can refuse passwords an attacker guesses
 * quickly (HiveMind refuses under 40 bits with zxcvbn; docs/PROTOCOL.md §1.2, §3.2). The legacy handshake lets anyone who
 * saw one exchange test guesses offline (PBKDF2 of each guess), and XXpsk2's second message does the same for v3,
 * so the password itself is the only thing that keeps a captured exchange from being opened.
 *
 * The estimate is modelled on zxcvbn's, without its dictionaries: the password is split into the cheapest sequence
 * of parts, where a common password or word (after undoing l33t substitutions), a keyboard run, an alphabet or digit
 * sequence, a repeated character or a year costs a few bits, and any other character costs the size of its class
 * (26 lower-case letters, 26 upper-case, 10 digits, 33 ASCII symbols, 100 for anything else). 32 random hex
 * characters (the generated default) come out above 100 bits; `a`, `password1` or `qwerty123` far below 40.
 * Estimates stop at 256 bits, which also bounds the work for a long password.
 *
 * @module
 */

/** The floor HiveMind uses (`min_password_bits`), also the default of the `minPasswordBits` limit. */
export const DEFAULT_MIN_PASSWORD_BITS = 40;

/**
 * Common passwords and words, most common first: a match costs log2 of its rank. Short on purpose (it ships in the
 * browser bundle too); the other patterns catch most of what longer lists would.
 */
const COMMON = [
  'password',
  '123456',
  'qwerty',
  'admin',
  'letmein',
  'welcome',
  'iloveyou',
  'monkey',
  'dragon',
  'master',
  'login',
  'princess',
  'football',
  'baseball',
  'shadow',
  'sunshine',
  'trustno',
  'secret',
  'hello',
  'freedom',
  'whatever',
  'starwars',
  'pass',
  'test',
  'guest',
  'root',
  'user',
  'default',
  'changeme',
  'love',
  'money',
  'superman',
  'batman',
  'computer',
  'internet',
  'summer',
  'winter',
  'spring',
  'autumn',
  'hunter',
  'killer',
  'soccer',
  'hockey',
  'ranger',
  'charlie',
  'michael',
  'jordan',
  'thomas',
  'jessica',
  'ashley',
  'daniel',
  'andrew',
  'george',
  'pepper',
  'cookie',
  'cheese',
  'banana',
  'orange',
  'purple',
  'yellow',
  'silver',
  'golden',
  'flower',
  'matrix',
  'access',
  'mustang',
  'secure',
  'private',
  'system',
  'server',
  'network',
  'office',
  'home',
  'house',
  'family',
  'friend',
  'happy',
  'lucky',
  'magic',
  'music',
  'angel',
  'baby',
  'hivemind',
  'hivelink',
  'mycroft',
  'ovos',
  'neon',
  'jarvis',
  'alexa',
  'kitchen',
  'bedroom',
  'living',
  'satellite',
  'voice',
  'word',
  'abc',
  'god',
  'sex',
  'qazwsx',
  'zaq',
] as const;

const RANK = new Map<string, number>(COMMON.map((w, i) => [w, i + 1]));
const MIN_WORD = 3;
const MAX_WORD = Math.max(...COMMON.map((w) => w.length));

/** Estimates stop here: far beyond any floor, and it bounds the work for a long password. */
const CAP_BITS = 256;

const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qazwsxedcrfvtgbyhnujmikolp'];
/** The rows both ways. */
const KEYBOARD_RUNS = KEYBOARD_ROWS.flatMap((row) => [row, [...row].reverse().join('')]);

const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '+': 't',
};

function classBits(ch: string): number {
  if (ch >= 'a' && ch <= 'z') return Math.log2(26);
  if (ch >= 'A' && ch <= 'Z') return Math.log2(26);
  if (ch >= '0' && ch <= '9') return Math.log2(10);
  const code = ch.codePointAt(0)!;
  if (code >= 0x20 && code < 0x7f) return Math.log2(33);
  return Math.log2(100);
}

/** The bits of the part `chars[start, end)` when it matches a pattern; Infinity when it matches none. */
function patternBits(chars: readonly string[], start: number, end: number): number {
  const len = end - start;
  if (len < MIN_WORD) return Number.POSITIVE_INFINITY;
  const part = chars.slice(start, end);
  let best = Number.POSITIVE_INFINITY;
  // A repeated character: "aaaa".
  if (part.every((c) => c === part[0])) best = Math.min(best, classBits(part[0]!) + Math.log2(len));
  // An alphabet or digit sequence, either way: "abcd", "4321", "zyx".
  const codes = part.map((c) => c.toLowerCase().codePointAt(0)!);
  const step = codes[1]! - codes[0]!;
  if ((step === 1 || step === -1) && codes.every((c, i) => i === 0 || c - codes[i - 1]! === step)) {
    best = Math.min(best, Math.log2(26) + Math.log2(len) + 1);
  }
  const lower = part.join('').toLowerCase();
  // A keyboard run, either way: "qwerty", "asdf", "0987".
  if (KEYBOARD_RUNS.some((row) => row.includes(lower))) {
    best = Math.min(best, Math.log2(KEYBOARD_ROWS.length * 10) + Math.log2(len) + 1);
  }
  // A year 1900–2099.
  if (len === 4 && /^(19|20)\d\d$/.test(lower)) best = Math.min(best, Math.log2(200));
  // A common password or word, maybe capitalised or in l33t.
  if (len <= MAX_WORD) {
    const plain = [...lower].map((c) => LEET[c] ?? c).join('');
    const rank = RANK.get(plain);
    if (rank !== undefined) {
      const upper = part.some((c) => c !== c.toLowerCase()) ? 1 : 0;
      const leet = plain !== lower ? 1 : 0;
      best = Math.min(best, Math.log2(rank + 1) + upper + leet);
    }
  }
  return best;
}

/**
 * The estimated entropy of `password`, in bits: the cost of its cheapest split into patterns and single characters
 * (see the module documentation); a password that is one block repeated costs the block and the count. 0 for the
 * empty string, at most 256.
 */
export function estimatePasswordBits(password: string): number {
  const chars = [...password];
  const block = repeatedBlock(chars);
  if (block !== null) return Math.min(CAP_BITS, splitBits(block) + Math.log2(chars.length / block.length));
  return splitBits(chars);
}

/** The shortest block `chars` is two or more copies of ("abab" → "ab"), or null. */
function repeatedBlock(chars: readonly string[]): string[] | null {
  const n = chars.length;
  for (let size = 1; size <= n / 2; size++) {
    if (n % size !== 0) continue;
    let same = true;
    for (let i = size; i < n && same; i++) same = chars[i] === chars[i - size];
    if (same) return chars.slice(0, size);
  }
  return null;
}

/** The cheapest split of `chars` into patterns and single characters, in bits (at most {@link CAP_BITS}). */
function splitBits(chars: readonly string[]): number {
  const n = chars.length;
  const cost = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  cost[0] = 0;
  // Patterns are tried over the last maxPart characters (words are shorter; keyboard rows too); a run of one
  // character or a sequence is also tried whole, however long.
  const maxPart = Math.max(MAX_WORD, 26);
  let run = 0;
  let seq = 0;
  for (let end = 1; end <= n; end++) {
    const ch = chars[end - 1]!;
    const prev = end >= 2 ? chars[end - 2]! : null;
    run = prev === ch ? run + 1 : 1;
    const step = prev === null ? 0 : ch.toLowerCase().codePointAt(0)! - prev.toLowerCase().codePointAt(0)!;
    const before = end >= 3 ? chars[end - 3]! : null;
    const prevStep =
      prev === null || before === null
        ? 0
        : prev.toLowerCase().codePointAt(0)! - before.toLowerCase().codePointAt(0)!;
    seq = step === 1 || step === -1 ? (step === prevStep ? seq + 1 : 2) : 1;
    let best = cost[end - 1]! + classBits(ch);
    for (let start = Math.max(0, end - maxPart); start <= end - MIN_WORD; start++) {
      best = Math.min(best, cost[start]! + patternBits(chars, start, end));
    }
    if (run >= MIN_WORD) best = Math.min(best, cost[end - run]! + classBits(ch) + Math.log2(run));
    if (seq >= MIN_WORD) best = Math.min(best, cost[end - seq]! + Math.log2(26) + Math.log2(seq) + 1);
    cost[end] = best;
    // Every later cost is at least the smallest of the last maxPart ones, unless a long run or sequence goes on.
    if (end >= maxPart && run < MIN_WORD && seq < MIN_WORD) {
      let floor = Number.POSITIVE_INFINITY;
      for (let i = end - maxPart + 1; i <= end; i++) floor = Math.min(floor, cost[i]!);
      if (floor >= CAP_BITS) return CAP_BITS;
    }
  }
  return Math.min(CAP_BITS, cost[n]!);
}

/** True when `password` has at least `minBits` of estimated entropy ({@link estimatePasswordBits}). */
export function isStrongPassword(password: string, minBits: number = DEFAULT_MIN_PASSWORD_BITS): boolean {
  return estimatePasswordBits(password) >= minBits;
}
