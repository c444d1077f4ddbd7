/**
 * The legacy (v1/v2) crypto: password envelopes, salt and session key, and the AEAD framing, against the fixed
 * vectors of docs/PROTOCOL.md §9 and frames produced by the real reference libraries (legacy.json → reference_run).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { browserBackend } from '../../../src/crypto/backend.browser.js';
import { nodeBackend } from '../../../src/crypto/backend.node.js';
import {
  type CryptoBackend,
  decryptBinaryFrame,
  decryptJsonEnvelope,
  deriveSalt,
  deriveSessionKey,
  encryptBinaryFrame,
  encryptJsonEnvelope,
  isEncryptedEnvelope,
  isLegacyCipherName,
  LEGACY_CIPHERS,
  type LegacyCipherName,
  makeEnvelope,
  negotiate,
  PasswordHandshake,
  verifyEnvelope,
} from '../../../src/crypto/index.js';
import { isHiveLinkError } from '../../../src/errors.js';
import { ENCODING_NAMES, type EncodingName } from '../../../src/protocol/encodings.js';
import { pythonJson } from '../../../src/protocol/json.js';
import { hex, loadVectors, unhex } from '../../helpers/vectors.js';

interface Frame {
  ciphertext: string;
  tag: string;
  nonce: string;
}
interface LegacyVectors {
  hsub: { password: string; iv_hex: string; expected_envelope: string };
  pbkdf2: { password: string; salt_hex: string; expected_key_hex: string };
  password_handshake_fixed: {
    password: string;
    client_iv_hex: string;
    server_iv_hex: string;
    client_envelope: string;
    server_envelope: string;
    salt_hex: string;
    key_hex: string;
  };
  aes_gcm: { key_hex: string; nonce_hex: string; plaintext: string; ciphertext_hex: string; tag_hex: string };
  aes_gcm_json_hex_envelope: { key_hex: string; plaintext: string; frame: Frame };
  aes_gcm_binary_frame: { key_hex: string; plaintext: string; frame_hex: string };
  chacha20_json_b64_envelope: { key_hex: string; plaintext: string; frame: Frame };
  reference_run: {
    json_envelopes: {
      cipher: string;
      encoding: string;
      key_hex: string;
      frame: string;
      plaintext: string;
      reference_decrypts_back?: boolean;
      reference_decrypt_error?: string;
    }[];
    password_handshake: {
      password: string;
      client_envelope: string;
      server_envelope: string;
      key_hex: string;
    };
  };
}

const v = loadVectors<LegacyVectors>('legacy.json');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['browser', browserBackend],
];
const KEY32 = unhex(v.password_handshake_fixed.key_hex);

/** Asserts that `fn` throws (or rejects with) nothing but a HiveLinkError. */
function onlyHiveLinkErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    assert.ok(isHiveLinkError(err), `expected a HiveLinkError, got ${String(err)}`);
  }
}

describe('password envelopes', () => {
  it('makes the hSub vector and verifies it', () => {
    const envelope = makeEnvelope(nodeBackend, v.hsub.password, unhex(v.hsub.iv_hex));
    assert.equal(envelope, v.hsub.expected_envelope);
    assert.equal(verifyEnvelope(nodeBackend, v.hsub.password, envelope), true);
    assert.equal(verifyEnvelope(nodeBackend, 'test-password-124', envelope), false);
  });

  it('makes a fresh 48-hex envelope when no IV is given', () => {
    const a = makeEnvelope(nodeBackend, 'pw');
    const b = makeEnvelope(nodeBackend, 'pw');
    assert.match(a, /^[0-9a-f]{48}$/);
    assert.notEqual(a.slice(0, 16), b.slice(0, 16));
    assert.ok(verifyEnvelope(nodeBackend, 'pw', a));
  });

  it('accepts envelopes of 48 to 80 hex characters, like the reference verifier', () => {
    const iv = unhex(v.hsub.iv_hex);
    const full = hex(iv) + hex(nodeBackend.sha256(new Uint8Array([...iv, ...utf8(v.hsub.password)])));
    assert.equal(full.length, 80);
    for (let len = 48; len <= 80; len++) {
      assert.equal(verifyEnvelope(nodeBackend, v.hsub.password, full.slice(0, len)), true, `length ${len}`);
    }
    assert.equal(verifyEnvelope(nodeBackend, v.hsub.password, full.slice(0, 47)), false);
    assert.equal(verifyEnvelope(nodeBackend, v.hsub.password, `${full}0`), false);
  });

  it('rejects any changed character, and junk, with false (never a throw)', () => {
    const good = v.hsub.expected_envelope;
    for (let i = 0; i < good.length; i++) {
      const c = good[i] === '0' ? '1' : '0';
      const bad = good.slice(0, i) + c + good.slice(i + 1);
      assert.equal(verifyEnvelope(nodeBackend, v.hsub.password, bad), false, `changed char ${i}`);
    }
    for (const junk of [
      undefined,
      null,
      42,
      {},
      [],
      '',
      'zz'.repeat(24),
      `xyz${good.slice(3)}`,
      good.toUpperCase(),
    ]) {
      assert.equal(verifyEnvelope(nodeBackend, v.hsub.password, junk), false, String(junk));
    }
    fc.assert(
      fc.property(fc.anything(), fc.string(), (junk, pw) => {
        assert.equal(typeof verifyEnvelope(nodeBackend, pw, junk), 'boolean');
      }),
    );
  });

  it('refuses an IV that is not 8 bytes', () => {
    assert.throws(() => makeEnvelope(nodeBackend, 'pw', new Uint8Array(7)), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
  });
});

describe('salt, session key and negotiation', () => {
  for (const [name, backend] of BACKENDS) {
    it(`derives the PBKDF2 session key vector (${name})`, async () => {
      const key = await deriveSessionKey(backend, v.pbkdf2.password, unhex(v.pbkdf2.salt_hex));
      assert.equal(hex(key), v.pbkdf2.expected_key_hex);
    });
  }

  it('reproduces password_handshake_fixed: envelopes, salt (either order) and key', async () => {
    const f = v.password_handshake_fixed;
    const clientEnv = makeEnvelope(nodeBackend, f.password, unhex(f.client_iv_hex));
    const serverEnv = makeEnvelope(nodeBackend, f.password, unhex(f.server_iv_hex));
    assert.equal(clientEnv, f.client_envelope);
    assert.equal(serverEnv, f.server_envelope);
    assert.equal(hex(deriveSalt(clientEnv, serverEnv)), f.salt_hex);
    assert.equal(hex(deriveSalt(serverEnv, clientEnv)), f.salt_hex);
    assert.equal(hex(await deriveSessionKey(nodeBackend, f.password, unhex(f.salt_hex))), f.key_hex);
  });

  it('refuses to derive a salt from an envelope without a hex IV', () => {
    const good = v.password_handshake_fixed.client_envelope;
    assert.throws(() => deriveSalt('nothex!!nothex!!', good), { code: 'HL_ERR_HANDSHAKE_VERIFY_FAILED' });
    assert.throws(() => deriveSalt(good, 'abc'), { code: 'HL_ERR_HANDSHAKE_VERIFY_FAILED' });
  });

  it('negotiates the first client entry the hub allows, in client order', () => {
    const hubAllows = ['JSON-HEX', 'JSON-B64', 'JSON-B32'] as const;
    const reference = [
      'JSON-B91',
      'JSON-Z85B',
      'JSON-Z85P',
      'JSON-B64',
      'JSON-URLSAFE-B64',
      'JSON-B32',
      'JSON-HEX',
    ];
    assert.equal(negotiate(reference, hubAllows, 'encoding'), 'JSON-B64');
    assert.equal(negotiate(['JSON-HEX', 'JSON-B64'], hubAllows, 'encoding'), 'JSON-HEX');
    assert.equal(negotiate(['CHACHA20-POLY1305', 'AES-GCM'], LEGACY_CIPHERS, 'cipher'), 'CHACHA20-POLY1305');
  });

  it('fails negotiation with HL_ERR_NEGOTIATION_FAILED when nothing is shared', () => {
    assert.throws(() => negotiate(['JSON-B91'], ['JSON-HEX'], 'encoding'), {
      code: 'HL_ERR_NEGOTIATION_FAILED',
      closeCode: 1008,
    });
    assert.throws(() => negotiate([], ['JSON-HEX'], 'encoding'), { code: 'HL_ERR_NEGOTIATION_FAILED' });
    const notAList = 'JSON-HEX' as unknown as string[];
    assert.throws(() => negotiate(notAList, ['JSON-HEX'], 'encoding'), { code: 'HL_ERR_NEGOTIATION_FAILED' });
  });
});

describe('PasswordHandshake', () => {
  it('runs password_handshake_fixed on both roles with fixed IVs', async () => {
    const f = v.password_handshake_fixed;
    const client = new PasswordHandshake({
      backend: nodeBackend,
      role: 'client',
      password: f.password,
      iv: unhex(f.client_iv_hex),
    });
    const hub = new PasswordHandshake({
      backend: browserBackend,
      role: 'hub',
      password: f.password,
      iv: unhex(f.server_iv_hex),
    });
    const clientEnv = client.createEnvelope();
    assert.equal(clientEnv, f.client_envelope);
    const hubKey = await hub.receiveEnvelope(clientEnv);
    assert.equal(hub.createEnvelope(), f.server_envelope);
    const clientKey = await client.receiveEnvelope(hub.createEnvelope());
    assert.equal(hex(hubKey), f.key_hex);
    assert.equal(hex(clientKey), f.key_hex);
  });

  it('agrees with random IVs', async () => {
    const client = new PasswordHandshake({ backend: nodeBackend, role: 'client', password: 'correct horse' });
    const hub = new PasswordHandshake({ backend: nodeBackend, role: 'hub', password: 'correct horse' });
    const hubKey = await hub.receiveEnvelope(client.createEnvelope());
    assert.deepEqual(await client.receiveEnvelope(hub.createEnvelope()), hubKey);
  });

  it('derives the key of the reference run from its two envelopes', async () => {
    const r = v.reference_run.password_handshake;
    assert.ok(verifyEnvelope(nodeBackend, r.password, r.client_envelope));
    assert.ok(verifyEnvelope(nodeBackend, r.password, r.server_envelope));
    const salt = deriveSalt(r.client_envelope, r.server_envelope);
    assert.equal(hex(await deriveSessionKey(nodeBackend, r.password, salt)), r.key_hex);
  });

  it('hub and client both refuse a wrong password with HL_ERR_HANDSHAKE_VERIFY_FAILED and the stage', async () => {
    const hub = new PasswordHandshake({ backend: nodeBackend, role: 'hub', password: 'right' });
    await assert.rejects(hub.receiveEnvelope(makeEnvelope(nodeBackend, 'wrong')), {
      code: 'HL_ERR_HANDSHAKE_VERIFY_FAILED',
      closeCode: 1008,
      stage: 'password.hub.verifyPeerEnvelope',
    });
    const client = new PasswordHandshake({ backend: nodeBackend, role: 'client', password: 'right' });
    client.createEnvelope();
    await assert.rejects(client.receiveEnvelope(makeEnvelope(nodeBackend, 'wrong')), {
      code: 'HL_ERR_HANDSHAKE_VERIFY_FAILED',
      stage: 'password.client.verifyPeerEnvelope',
    });
  });

  it('refuses junk envelopes and a second envelope', async () => {
    for (const junk of [null, 7, '', 'x'.repeat(48), { envelope: 'a' }]) {
      const hub = new PasswordHandshake({ backend: nodeBackend, role: 'hub', password: 'pw' });
      await assert.rejects(hub.receiveEnvelope(junk), { code: 'HL_ERR_HANDSHAKE_VERIFY_FAILED' });
    }
    const hub = new PasswordHandshake({ backend: nodeBackend, role: 'hub', password: 'pw' });
    const env = makeEnvelope(nodeBackend, 'pw');
    await hub.receiveEnvelope(env);
    await assert.rejects(hub.receiveEnvelope(env), { code: 'HL_ERR_INVALID_ARGUMENT' });
  });

  it('refuses an unknown role', () => {
    const role = 'peer' as 'hub';
    assert.throws(() => new PasswordHandshake({ backend: nodeBackend, role, password: 'pw' }), {
      code: 'HL_ERR_INVALID_ARGUMENT',
    });
  });
});

describe('legacy AEAD frames: known answers', () => {
  for (const [name, backend] of BACKENDS) {
    it(`AES-GCM with a 16-byte nonce matches the vector (${name})`, () => {
      const a = v.aes_gcm;
      const envelope = JSON.parse(
        encryptJsonEnvelope(
          backend,
          'AES-GCM',
          'JSON-HEX',
          unhex(a.key_hex),
          utf8(a.plaintext),
          unhex(a.nonce_hex),
        ),
      );
      assert.deepEqual(envelope, { ciphertext: a.ciphertext_hex, tag: a.tag_hex, nonce: a.nonce_hex });
      const plaintext = decryptJsonEnvelope(backend, 'AES-GCM', 'JSON-HEX', unhex(a.key_hex), envelope);
      assert.equal(text(plaintext), a.plaintext);
    });

    it(`AES-GCM JSON-HEX envelope: exact text with Python spacing (${name})`, () => {
      const e = v.aes_gcm_json_hex_envelope;
      const frameText = encryptJsonEnvelope(
        backend,
        'AES-GCM',
        'JSON-HEX',
        unhex(e.key_hex),
        utf8(e.plaintext),
        unhex(e.frame.nonce),
      );
      assert.equal(frameText, pythonJson(e.frame));
      assert.equal(frameText.slice(0, 16), '{"ciphertext": "');
      assert.equal(
        text(decryptJsonEnvelope(backend, 'AES-GCM', 'JSON-HEX', unhex(e.key_hex), e.frame)),
        e.plaintext,
      );
    });

    it(`AES-GCM binary frame nonce ‖ ct ‖ tag (${name})`, () => {
      const b = v.aes_gcm_binary_frame;
      const frame = unhex(b.frame_hex);
      const built = encryptBinaryFrame(
        backend,
        'AES-GCM',
        unhex(b.key_hex),
        utf8(b.plaintext),
        frame.subarray(0, 16),
      );
      assert.equal(hex(built), b.frame_hex);
      assert.equal(text(decryptBinaryFrame(backend, 'AES-GCM', unhex(b.key_hex), frame)), b.plaintext);
    });

    it(`ChaCha20-Poly1305 JSON-B64 envelope: exact text (${name})`, () => {
      const c = v.chacha20_json_b64_envelope;
      const nonce = new Uint8Array(Buffer.from(c.frame.nonce, 'base64'));
      const frameText = encryptJsonEnvelope(
        backend,
        'CHACHA20-POLY1305',
        'JSON-B64',
        unhex(c.key_hex),
        utf8(c.plaintext),
        nonce,
      );
      assert.equal(
        frameText,
        '{"ciphertext": "Q9RkKrb1l8fhqZ8b7EmI3j60ertFP8RiiDLJH1DLme6GPi8=", "tag": "p8hN8+mus9elg/uymqg5+w==", "nonce": "AAECAwQFBgcICQoL"}',
      );
      const plaintext = decryptJsonEnvelope(
        backend,
        'CHACHA20-POLY1305',
        'JSON-B64',
        unhex(c.key_hex),
        c.frame,
      );
      assert.equal(text(plaintext), c.plaintext);
    });
  }

  describe('frames made by the reference libraries', () => {
    for (const [i, row] of v.reference_run.json_envelopes.entries()) {
      const note = row.reference_decrypt_error ? ' (the reference itself fails on this one)' : '';
      it(`#${i} ${row.cipher} ${row.encoding} decrypts to the plaintext${note}`, () => {
        assert.ok(isLegacyCipherName(row.cipher));
        const encoding = row.encoding as EncodingName;
        assert.ok(ENCODING_NAMES.includes(encoding));
        const parsed: unknown = JSON.parse(row.frame);
        assert.ok(isEncryptedEnvelope(parsed));
        const plaintext = decryptJsonEnvelope(nodeBackend, row.cipher, encoding, unhex(row.key_hex), parsed);
        assert.equal(text(plaintext), row.plaintext);
      });
    }

    it('JSON-Z85P round-trips through our own encoder, leading pad byte and all', () => {
      for (const cipher of LEGACY_CIPHERS) {
        for (const len of [0, 1, 2, 3, 4, 5, 95]) {
          const pt = nodeBackend.randomBytes(len);
          const frameText = encryptJsonEnvelope(nodeBackend, cipher, 'JSON-Z85P', KEY32, pt);
          const parsed = JSON.parse(frameText) as Record<string, string>;
          assert.equal(parsed.ciphertext!.charCodeAt(0), (4 - (len % 4)) % 4, 'leading raw pad-count byte');
          assert.deepEqual(decryptJsonEnvelope(nodeBackend, cipher, 'JSON-Z85P', KEY32, parsed), pt);
        }
      }
    });
  });
});

describe('legacy AEAD frames: behaviour', () => {
  it('draws a fresh nonce per message: 16 bytes for AES-GCM, 12 for ChaCha20', () => {
    const pt = utf8('same plaintext');
    const a = JSON.parse(encryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', KEY32, pt)) as Frame;
    const b = JSON.parse(encryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', KEY32, pt)) as Frame;
    assert.equal(a.nonce.length, 32);
    assert.notEqual(a.nonce, b.nonce);
    assert.notEqual(a.ciphertext, b.ciphertext);
    const c = JSON.parse(
      encryptJsonEnvelope(nodeBackend, 'CHACHA20-POLY1305', 'JSON-HEX', KEY32, pt),
    ) as Frame;
    assert.equal(c.nonce.length, 24);
    assert.equal(encryptBinaryFrame(nodeBackend, 'AES-GCM', KEY32, pt).length, 16 + pt.length + 16);
    assert.equal(encryptBinaryFrame(nodeBackend, 'CHACHA20-POLY1305', KEY32, pt).length, 12 + pt.length + 16);
  });

  it('accepts the tag-less Web Crypto form (tag at the end of ciphertext), and a 12-byte AES-GCM nonce', () => {
    const e = v.aes_gcm_json_hex_envelope;
    const joined = { ciphertext: e.frame.ciphertext + e.frame.tag, nonce: e.frame.nonce };
    assert.equal(text(decryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', KEY32, joined)), e.plaintext);
    const nullTag = { ...joined, tag: null };
    assert.equal(text(decryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', KEY32, nullTag)), e.plaintext);
    const nonce12 = new Uint8Array(12).fill(7);
    const webCrypto = encryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-B64', KEY32, utf8('hi'), nonce12);
    assert.equal(
      text(decryptJsonEnvelope(browserBackend, 'AES-GCM', 'JSON-B64', KEY32, JSON.parse(webCrypto))),
      'hi',
    );
  });

  it('is encrypted exactly when the parsed frame has a ciphertext key', () => {
    assert.equal(isEncryptedEnvelope({ ciphertext: '' }), true);
    assert.equal(isEncryptedEnvelope({ ciphertext: 'ab', tag: 'cd', nonce: 'ef' }), true);
    for (const no of [null, undefined, 'ciphertext', ['ciphertext'], { msg_type: 'bus' }, 42]) {
      assert.equal(isEncryptedEnvelope(no), false);
    }
  });

  it('HL_ERR_DECRYPT_FAILED for one changed byte in ciphertext, tag or nonce, or the wrong key', () => {
    const e = v.aes_gcm_json_hex_envelope;
    for (const field of ['ciphertext', 'tag', 'nonce'] as const) {
      const bytes = unhex(e.frame[field]);
      for (const pos of [0, bytes.length - 1]) {
        const changed = bytes.slice();
        changed[pos]! ^= 0x01;
        const frame = { ...e.frame, [field]: hex(changed) };
        assert.throws(() => decryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', KEY32, frame), {
          code: 'HL_ERR_DECRYPT_FAILED',
          closeCode: 1008,
        });
      }
    }
    const wrongKey = KEY32.slice();
    wrongKey[31]! ^= 0x80;
    assert.throws(() => decryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', wrongKey, e.frame), {
      code: 'HL_ERR_DECRYPT_FAILED',
    });
    assert.throws(
      () =>
        decryptJsonEnvelope(nodeBackend, 'CHACHA20-POLY1305', 'JSON-HEX', KEY32, {
          ...e.frame,
          nonce: e.frame.nonce.slice(8),
        }),
      {
        code: 'HL_ERR_DECRYPT_FAILED',
      },
    );
    const frame = unhex(v.aes_gcm_binary_frame.frame_hex);
    for (let pos = 0; pos < frame.length; pos++) {
      const changed = frame.slice();
      changed[pos]! ^= 0x40;
      assert.throws(
        () => decryptBinaryFrame(browserBackend, 'AES-GCM', KEY32, changed),
        { code: 'HL_ERR_DECRYPT_FAILED' },
        `byte ${pos}`,
      );
    }
  });

  it('HL_ERR_INVALID_ENVELOPE for truncated binary frames', () => {
    const frame = unhex(v.aes_gcm_binary_frame.frame_hex);
    for (let len = 0; len < 32; len++) {
      assert.throws(() => decryptBinaryFrame(nodeBackend, 'AES-GCM', KEY32, frame.subarray(0, len)), {
        code: 'HL_ERR_INVALID_ENVELOPE',
        closeCode: 1008,
      });
    }
    for (let len = 0; len < 28; len++) {
      assert.throws(() => decryptBinaryFrame(nodeBackend, 'CHACHA20-POLY1305', KEY32, new Uint8Array(len)), {
        code: 'HL_ERR_INVALID_ENVELOPE',
      });
    }
    // Nonce and tag with an empty ciphertext is well formed: it just does not authenticate.
    assert.throws(() => decryptBinaryFrame(nodeBackend, 'AES-GCM', KEY32, frame.subarray(0, 32)), {
      code: 'HL_ERR_DECRYPT_FAILED',
    });
  });

  it('HL_ERR_INVALID_ENVELOPE for missing, mistyped, undecodable or impossibly sized fields', () => {
    const f = v.aes_gcm_json_hex_envelope.frame;
    const bad: unknown[] = [
      null,
      'text',
      [f.ciphertext],
      {},
      { tag: f.tag, nonce: f.nonce },
      { ciphertext: 42, tag: f.tag, nonce: f.nonce },
      { ciphertext: f.ciphertext, tag: f.tag },
      { ciphertext: f.ciphertext, tag: f.tag, nonce: null },
      { ciphertext: f.ciphertext, tag: 7, nonce: f.nonce },
      { ciphertext: f.ciphertext, tag: f.tag.slice(2), nonce: f.nonce },
      { ciphertext: f.ciphertext, tag: `${f.tag}00`, nonce: f.nonce },
      { ciphertext: f.ciphertext, tag: f.tag, nonce: f.nonce.slice(10) },
      { ciphertext: f.ciphertext, tag: f.tag, nonce: f.nonce.slice(2) },
      { ciphertext: f.ciphertext, tag: f.tag, nonce: `${f.nonce}00` },
      { ciphertext: 'zz', tag: f.tag, nonce: f.nonce },
      { ciphertext: f.ciphertext, tag: f.tag, nonce: `${f.nonce.slice(1)}` },
      { ciphertext: f.tag.slice(2), nonce: f.nonce },
    ];
    for (const envelope of bad) {
      assert.throws(
        () => decryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', KEY32, envelope),
        { code: 'HL_ERR_INVALID_ENVELOPE', closeCode: 1008 },
        JSON.stringify(envelope),
      );
    }
  });

  it('HL_ERR_INVALID_KEY for impossible keys, HL_ERR_UNKNOWN_CIPHER for unknown ciphers', () => {
    const pt = utf8('x');
    for (const len of [0, 15, 17, 31, 33]) {
      assert.throws(() => encryptJsonEnvelope(nodeBackend, 'AES-GCM', 'JSON-HEX', new Uint8Array(len), pt), {
        code: 'HL_ERR_INVALID_KEY',
      });
    }
    for (const len of [16, 24]) {
      assert.throws(() => encryptBinaryFrame(nodeBackend, 'CHACHA20-POLY1305', new Uint8Array(len), pt), {
        code: 'HL_ERR_INVALID_KEY',
      });
      assert.throws(
        () => decryptBinaryFrame(nodeBackend, 'CHACHA20-POLY1305', new Uint8Array(len), new Uint8Array(40)),
        {
          code: 'HL_ERR_INVALID_KEY',
        },
      );
    }
    const unknown = 'AES-CBC' as LegacyCipherName;
    assert.equal(isLegacyCipherName('AES-CBC'), false);
    assert.equal(isLegacyCipherName('aes-gcm'), false);
    assert.throws(() => encryptJsonEnvelope(nodeBackend, unknown, 'JSON-HEX', KEY32, pt), {
      code: 'HL_ERR_UNKNOWN_CIPHER',
    });
    assert.throws(() => decryptBinaryFrame(nodeBackend, unknown, KEY32, new Uint8Array(40)), {
      code: 'HL_ERR_UNKNOWN_CIPHER',
    });
  });

  it('AES-128-GCM (the v0 pre-shared 16-character key) works', () => {
    const v0Key = utf8('0123456789abcdef');
    const frameText = encryptJsonEnvelope(
      nodeBackend,
      'AES-GCM',
      'JSON-HEX',
      v0Key,
      utf8('{"msg_type": "bus"}'),
    );
    const opened = decryptJsonEnvelope(browserBackend, 'AES-GCM', 'JSON-HEX', v0Key, JSON.parse(frameText));
    assert.equal(text(opened), '{"msg_type": "bus"}');
  });
});

function backendNonce(cipher: (typeof LEGACY_CIPHERS)[number]): Uint8Array {
  return nodeBackend.randomBytes(cipher === 'AES-GCM' ? 16 : 12);
}

describe('legacy AEAD frames: properties', () => {
  const cipherArb = fc.constantFrom(...LEGACY_CIPHERS);
  const encodingArb = fc.constantFrom(...ENCODING_NAMES);
  const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('round-trips cipher × encoding × JSON/binary, sealed by one backend and opened by the other', () => {
    fc.assert(
      fc.property(
        cipherArb,
        encodingArb,
        fc.boolean(),
        keyArb,
        fc.uint8Array({ maxLength: 512 }),
        (cipher, encoding, binary, key, pt) => {
          if (binary) {
            const frame = encryptBinaryFrame(nodeBackend, cipher, key, pt);
            assert.deepEqual(decryptBinaryFrame(browserBackend, cipher, key, frame), pt);
          } else {
            const frameText = encryptJsonEnvelope(browserBackend, cipher, encoding, key, pt);
            assert.deepEqual(
              decryptJsonEnvelope(nodeBackend, cipher, encoding, key, JSON.parse(frameText)),
              pt,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes every envelope exactly as Python json.dumps writes {ciphertext, tag, nonce}, in every encoding', () => {
    fc.assert(
      fc.property(
        cipherArb,
        encodingArb,
        keyArb,
        fc.uint8Array({ maxLength: 300 }),
        (cipher, encoding, key, pt) => {
          const nonce = backendNonce(cipher);
          const text = encryptJsonEnvelope(nodeBackend, cipher, encoding, key, pt, nonce);
          const parsed = JSON.parse(text) as Record<string, string>;
          assert.deepEqual(Object.keys(parsed), ['ciphertext', 'tag', 'nonce']);
          assert.equal(text, pythonJson(parsed));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('junk envelopes and frames throw only HiveLinkError', () => {
    const fieldArb = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything());
    fc.assert(
      fc.property(
        cipherArb,
        encodingArb,
        fc.oneof(
          fc.anything(),
          fc.record(
            { ciphertext: fieldArb, tag: fieldArb, nonce: fieldArb },
            { requiredKeys: ['ciphertext'] },
          ),
        ),
        fc.uint8Array({ maxLength: 80 }),
        (cipher, encoding, envelope, frame) => {
          onlyHiveLinkErrors(() => decryptJsonEnvelope(nodeBackend, cipher, encoding, KEY32, envelope));
          onlyHiveLinkErrors(() => decryptBinaryFrame(browserBackend, cipher, KEY32, frame));
          onlyHiveLinkErrors(() => deriveSalt(envelope as string, v.hsub.expected_envelope));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a tampered frame never decrypts', () => {
    fc.assert(
      fc.property(
        cipherArb,
        keyArb,
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (cipher, key, pt, where, mask) => {
          const frame = encryptBinaryFrame(nodeBackend, cipher, key, pt);
          const pos = where % frame.length;
          frame[pos]! ^= mask;
          assert.throws(() => decryptBinaryFrame(nodeBackend, cipher, key, frame), {
            code: 'HL_ERR_DECRYPT_FAILED',
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
