/**
 * Every error hivelink raises is a {@link HiveLinkError} with a stable `code` from {@link ERROR_CODES}.
 * Codes never change meaning once released; `docs/ERRORS.md` lists each one and a unit test keeps the two in step.
 *
 * `closeCode` is the WebSocket close code a connection uses when this error ends it (RFC 6455 §7.4):
 * 1008 policy violation (authentication, tampering, protocol abuse), 1009 message too big, 1011 internal error,
 * 1013 try again later (overload). Errors without a close code are reported to the peer without closing.
 *
 * @module
 */

/** What the registry knows about one error code. */
export interface ErrorCodeInfo {
  /** WebSocket close code used when this error ends a connection; absent when it does not. */
  readonly closeCode?: number;
  /** One sentence: what went wrong. Mirrored in docs/ERRORS.md. */
  readonly summary: string;
}

export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
export const CLOSE_INTERNAL_ERROR = 1011;
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** The registry of error codes. Add new codes at the end of their group and to docs/ERRORS.md. */
export const ERROR_CODES = {
  // -- generic
  HL_ERR_INVALID_ARGUMENT: { summary: 'A function or option was given a value it does not accept.' },
  HL_ERR_INTERNAL: { closeCode: CLOSE_INTERNAL_ERROR, summary: 'An unexpected internal failure.' },

  // -- protocol: message model
  HL_ERR_INVALID_JSON: { summary: 'A frame or payload is not valid UTF-8 JSON.' },
  HL_ERR_INVALID_MESSAGE: {
    summary: 'A HiveMessage is not an object, or one of its eight keys has the wrong type.',
  },
  HL_ERR_UNKNOWN_MSG_TYPE: { summary: 'The msg_type (or 5-bit type code) is not a known HiveMessage type.' },
  HL_ERR_EXTRA_KEY: { summary: 'A HiveMessage carries a top-level key outside the eight wire keys.' },
  HL_ERR_INVALID_PAYLOAD: { summary: 'The payload does not have the shape its msg_type requires.' },
  HL_ERR_INVALID_WRAPPER: {
    summary:
      'A wrapper message (broadcast, propagate, escalate, query, cascade) does not nest a HiveMessage.',
  },

  // -- protocol: bitstring codec and encodings
  HL_ERR_BITSTRING_INVALID: {
    summary: 'A bitstring frame is malformed: no start bit, truncated header, or a reserved field value.',
  },
  HL_ERR_BITSTRING_VERSION: {
    summary: 'A versioned bitstring names a format version this codec cannot read.',
  },
  HL_ERR_METADATA_TOO_LARGE: { summary: 'Bitstring metadata is larger than 255 bytes.' },
  HL_ERR_DECOMPRESS_FAILED: { summary: 'A compressed bitstring field is not a valid zlib stream.' },
  HL_ERR_DECOMPRESSED_TOO_LARGE: {
    closeCode: CLOSE_MESSAGE_TOO_BIG,
    summary: 'A compressed field inflates beyond the decompression limit.',
  },
  HL_ERR_FRAME_TOO_LARGE: {
    closeCode: CLOSE_MESSAGE_TOO_BIG,
    summary: 'A frame is larger than the frame limit.',
  },
  HL_ERR_UNKNOWN_ENCODING: { summary: 'The named binary-to-text encoding is not supported.' },
  HL_ERR_INVALID_ENCODING: { summary: 'A string is not valid in the binary-to-text encoding it claims.' },

  // -- crypto: legacy (v1/v2)
  HL_ERR_UNKNOWN_CIPHER: { summary: 'The named cipher is not supported.' },
  HL_ERR_INVALID_KEY: { summary: 'A key has the wrong length or form for its cipher.' },
  HL_ERR_INVALID_ENVELOPE: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'An encrypted frame lacks ciphertext, tag or nonce, or they have impossible lengths.',
  },
  HL_ERR_DECRYPT_FAILED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'Authenticated decryption failed: wrong key, or the frame was tampered with.',
  },
  HL_ERR_HANDSHAKE_VERIFY_FAILED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: "The peer's password envelope does not prove knowledge of the password.",
  },
  HL_ERR_NEGOTIATION_FAILED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'The peers share no encoding, cipher, Noise pattern or suite.',
  },

  // -- session: opening, handshake and channel
  HL_ERR_HANDSHAKE_UNEXPECTED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      'A message arrived that the handshake does not allow at this point, or a handshake field is malformed.',
  },
  HL_ERR_PROTOCOL_VERSION: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'The handshake is below the minimum protocol version configured for the hub or this client.',
  },
  HL_ERR_CLEARTEXT_REJECTED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      'A cleartext frame arrived after the handshake (a legacy HANDSHAKE is passed on only until the peer sent an encrypted frame); crypto is required.',
  },
  HL_ERR_REPLAYED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'A legacy frame was replayed: its nonce was already seen in this session.',
  },
  HL_ERR_HANDSHAKE_TIMEOUT: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'The handshake did not complete within the handshake timeout.',
  },

  // -- crypto: Noise (v3)
  HL_ERR_NOISE_UNSUPPORTED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'The Noise pattern or suite is not one this side supports or offered.',
  },
  HL_ERR_NOISE_HANDSHAKE_FAILED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      'A Noise handshake message failed to authenticate (wrong PSK, tampered prologue or bad static key).',
  },
  HL_ERR_NOISE_STATE: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'A Noise handshake message arrived out of order, or was malformed.',
  },
  HL_ERR_NOISE_KEY_MISMATCH: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: "The peer's Noise static key differs from the pinned one.",
  },
  HL_ERR_TLS_FINGERPRINT_MISMATCH: {
    summary: "The hub's TLS certificate is not the one its pinned SHA-256 fingerprint (--fingerprint) names.",
  },
  HL_ERR_NOISE_DECRYPT: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'A Noise transport frame failed to decrypt: tampered, replayed or reordered.',
  },
  HL_ERR_NONCE_EXHAUSTED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'A cipher state reached its nonce limit; the session must be re-established.',
  },
  HL_ERR_CHUNK_SEQUENCE: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'A v3 chunk marker arrived out of sequence, or the marker byte is unknown.',
  },
  HL_ERR_REASSEMBLY_TOO_LARGE: {
    closeCode: CLOSE_MESSAGE_TOO_BIG,
    summary: 'A chunked v3 message grew beyond the reassembly limit.',
  },
  HL_ERR_PSK_DERIVATION: {
    summary: 'The Noise PSK could not be derived (bad password, node id or parameters).',
  },

  // -- store: client database, secrets at rest, admin CLI
  HL_ERR_STORE_UNAVAILABLE: {
    summary:
      'The data dir or its client database could not be opened, read or written (permissions, locked, corrupt, newer schema).',
  },
  HL_ERR_CLUSTER_UNAVAILABLE: {
    summary:
      'The cluster (NATS with JetStream, --cluster) could not be reached, or has no key-value store: the hub does not start.',
  },
  HL_ERR_SECRET_UNREADABLE: {
    summary: 'A secret sealed at rest could not be opened: wrong or missing secrets key, or tampered data.',
  },
  HL_ERR_NOT_FOUND: { summary: 'No client, IP rule or token matches the given id, access key or value.' },
  HL_ERR_ALREADY_EXISTS: { summary: 'The access key (or other unique value) is already taken.' },

  // -- bus: OVOS messagebus server, client and in-process bus
  HL_ERR_BUS_QUEUE_FULL: {
    summary:
      'A bus already holds as many undelivered or unsent messages as its limit allows; the message was refused.',
  },
  HL_ERR_BUS_CLOSED: { summary: 'The bus client or server was closed, so the call cannot complete.' },
  HL_ERR_BUS_CONNECT_FAILED: { summary: 'The bus client could not connect to the messagebus.' },
  HL_ERR_BUS_LISTEN_FAILED: {
    summary: 'The bus server could not listen on its host and port (in use, or not permitted).',
  },

  // -- assistant: skills and intents
  HL_ERR_SKILL_LOAD: {
    summary:
      'A skill could not be loaded: its module failed to import, it is not a valid skill definition, or its id is taken.',
  },
  HL_ERR_SKILL_FAILED: {
    summary:
      'A skill handler or canHandle hook threw or rejected; the assistant reported it (a handler also on the bus as mycroft.skill.handler.error) and carried on.',
  },
  HL_ERR_SKILL_BUNDLE_INVALID: {
    summary:
      'A skill bundle (.hlskill) is not one: bad magic or framing, a malformed manifest, a file the manifest does not list, or larger than skillBundleMaxBytes.',
  },
  HL_ERR_SKILL_TAMPERED: {
    summary:
      "A skill bundle's signature does not verify over its manifest, or a file's SHA-256 or size differs from the manifest's.",
  },
  HL_ERR_SKILL_UNSIGNED: { summary: 'A skill bundle carries no signature; it is never installed.' },
  HL_ERR_SKILL_UNTRUSTED: {
    summary:
      "A skill bundle's publisher key is not among this hub's trusted keys (hivelink skills trust), or this hub accepts no skills from where it came.",
  },
  HL_ERR_SKILL_DOWNGRADE: {
    summary:
      'A skill bundle is older than (or the same as) the installed version; an older one installs only with --allow-downgrade.',
  },
  HL_ERR_SKILL_ROLLED_BACK: {
    summary:
      'A newly installed skill version failed to load or its self-check failed; the previous version (or none) was restored.',
  },
  HL_ERR_SKILL_TIMEOUT: {
    summary:
      "A sandboxed skill's worker stopped answering for skillSandboxTimeoutMs (a loop, a long computation) or ran out of its memory limit; it was stopped.",
  },
  HL_ERR_SKILL_PERMISSION: {
    summary: 'A sandboxed skill used what its manifest does not declare (a bus request type, a module).',
  },
  HL_ERR_UNKNOWN_SKILL: {
    summary: 'No loaded or installed skill has this id or name (hivelink skills list shows them).',
  },
  HL_ERR_UNKNOWN_INTENT: {
    summary:
      'No loaded or installed skill has this intent (hivelink skills list shows them as skill:intent).',
  },
  HL_ERR_LANG_UNSUPPORTED: {
    summary:
      'No loaded skill speaks the utterance\'s language; the assistant answered "language not supported" (dialog language_not_supported) instead of not understood.',
  },
  // -- hub: connections and policy
  HL_ERR_AUTH_INVALID: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'The connect request has no valid authorization token, or its access key is unknown or revoked.',
  },
  HL_ERR_CLIENT_REVOKED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'The client was revoked or removed while connected.',
  },
  HL_ERR_IP_DENIED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'The IP rules (global or for this client) deny the connecting address.',
  },
  HL_ERR_TOO_MANY_CONNECTIONS: {
    closeCode: CLOSE_TRY_AGAIN_LATER,
    summary: 'The hub, or this IP address, already has as many connections as its limit allows.',
  },
  HL_ERR_QUEUE_FULL: {
    closeCode: CLOSE_TRY_AGAIN_LATER,
    summary:
      'A connection sent frames faster than they can be processed, or reads too slowly for what it is sent.',
  },
  HL_ERR_PING_TIMEOUT: {
    closeCode: 1006,
    summary: 'The peer did not answer a keepalive ping in time; the connection was cut.',
  },
  HL_ERR_HUB_BUSY: {
    closeCode: CLOSE_TRY_AGAIN_LATER,
    summary:
      'More legacy handshakes are waiting for key derivation than the hub can finish before they time out, or than one address or access key may have waiting (legacyKdfPerIp, legacyKdfPerKey); try again later.',
  },
  HL_ERR_RATE_LIMITED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'A client kept sending above its message rate limit after being refused.',
  },
  HL_ERR_RATE_EXCEEDED: {
    summary:
      'The hub refused a message because the client is over its message rate (hive.policy.denied rate_limited); the connection stays open.',
  },
  HL_ERR_POLICY_DENIED: {
    summary: 'A message is not allowed for this client, or is malformed; the hub answers hive.policy.denied.',
  },
  // -- hub: authentication
  HL_ERR_PASSWORD_WEAK: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      "A password's estimated entropy is below minPasswordBits (40): refused when a client is added, and at connect unless the client allows a weak password.",
  },
  HL_ERR_AUTH_THROTTLED: {
    closeCode: CLOSE_TRY_AGAIN_LATER,
    summary:
      'Too many failed authentications from this address or with this access key: the connection is refused until the delay (doubling per failure, at most authThrottleMaxDelayMs) has passed.',
  },
  HL_ERR_HANDSHAKE_REPLAYED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      'A legacy client envelope another connection already sent (a captured handshake replayed): refused before any key derivation.',
  },

  // -- hub: the house (subscriptions)
  HL_ERR_BAD_SCHEDULE: {
    summary:
      'A subscription schedule is not a duration (30s, 15m, 1h, 1d) or a cron expression, or ticks more often than minSubscriptionIntervalMs.',
  },
  HL_ERR_NO_SUBSCRIPTION: { summary: 'No subscription has the given name.' },
  HL_ERR_TOO_MANY_SUBSCRIPTIONS: {
    summary: 'The hub already has maxSubscriptions subscriptions; remove one first.',
  },
  HL_ERR_TOO_MANY_SUBSCRIBERS: {
    summary: 'The subscription already has maxSubscribersPerSubscription subscribers.',
  },

  // -- client SDK
  HL_ERR_CONNECT_FAILED: {
    summary: 'The client could not reach the hub, or the socket closed before the session was open.',
  },
  HL_ERR_CONNECTION_LOST: {
    summary: 'An open connection to the hub closed; the client reconnects unless told not to.',
  },
  HL_ERR_AUTH_REFUSED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      "The hub closed the connection with 1008 (unknown key, wrong password, revoked, denied); the message carries the hub's reason and the client stops retrying.",
  },
  HL_ERR_NOT_CONNECTED: { summary: 'A message was sent while the client was not open.' },
  HL_ERR_CLIENT_CLOSED: {
    summary: 'The client was closed; pending calls are rejected and nothing more is sent.',
  },
  HL_ERR_SEND_QUEUE_FULL: {
    summary: 'The socket is backed up and the client send queue is at its limit; the message was not sent.',
  },
  HL_ERR_ASK_TIMEOUT: { summary: 'No answer to an utterance arrived within the ask timeout.' },
  HL_ERR_NOT_UNDERSTOOD: {
    summary:
      "The hub's assistant did not understand the utterance (complete_intent_failure) and spoke no fallback.",
  },
  HL_ERR_DOWNGRADE_REFUSED: {
    summary:
      'A hub whose Noise key the client pinned offered no Noise handshake it supports; with protocol auto the client refuses to fall back to the legacy handshake unless allowLegacyFallback (--allow-legacy-fallback).',
  },
  HL_ERR_KEY_FILE: {
    summary:
      'A client key file (Noise identity or pinned hub keys) could not be read or written, or is malformed.',
  },

  // -- http: REST API and pages
  HL_ERR_BAD_REQUEST: {
    summary:
      'An HTTP request body is not valid JSON, not the documented shape, or not of a supported content type.',
  },
  HL_ERR_TOKEN_INVALID: {
    summary:
      'An HTTP request carries no bearer token, or its token is unknown, revoked, or of a revoked client.',
  },
  HL_ERR_BODY_TOO_LARGE: { summary: 'An HTTP request body is larger than restMaxBodyBytes.' },
  HL_ERR_HUB_UNAVAILABLE: {
    summary: 'The hub is not running (not started yet, or shutting down), so it cannot take the request.',
  },

  // -- house: timers, alarms and reminders (issue 11)
  HL_ERR_TIMER_LIMIT: {
    summary: 'The client already has maxTimersPerClient timers, alarms and reminders; one must go first.',
  },
  HL_ERR_TIMER_TOO_LONG: {
    summary: 'A timer, alarm or reminder is due further ahead than maxTimerDurationMs.',
  },
  HL_ERR_TIMER_NOT_FOUND: {
    summary: 'The client has no timer with that id (it fired, was cancelled, or belongs to another client).',
  },
  HL_ERR_TIMER_NO_CLIENT: {
    summary:
      'A hive.timer.* request does not come from a connected client (its hub-set context.peer names no open connection).',
  },

  // -- hub: the house (rooms, relayed orders, announcements, the admin command queue)
  HL_ERR_ROOM_UNKNOWN: {
    summary:
      'No client record, connected client or room setting names this room (rooms are site ids: hivelink clients set ID --site ROOM).',
  },
  HL_ERR_ROOM_EMPTY: {
    summary: 'The room exists (a room setting names it) but no client belongs to it, or only the asker does.',
  },
  HL_ERR_ROOM_OFFLINE: {
    summary: 'Clients belong to the room, but none of them (other than the asker) is connected.',
  },
  HL_ERR_RELAY_TIMEOUT: {
    summary: 'A relayed question ("ask the kitchen …") got no answer from the room within relayAskTimeoutMs.',
  },
  HL_ERR_RELAY_BUSY: {
    summary:
      'As many relayed questions are waiting for their rooms as maxPendingRelays allows; try again later.',
  },
  HL_ERR_RELAY_LOOP: {
    summary:
      'A relayed utterance asked to relay again (the kitchen asked to ask the office): refused, never looped.',
  },
  HL_ERR_ADMIN_REQUIRED: {
    summary:
      "Announcing, changing a room's conference (by voice, REST or SDK) or managing subscriptions over REST needs an admin client (hivelink clients add --admin, or clients set ID --admin true).",
  },
  HL_ERR_ADMIN_QUEUE_FULL: {
    summary:
      'The admin command queue already holds adminQueueMaxPending commands the hub has not carried out; the command was not queued.',
  },
  HL_ERR_ADMIN_COMMAND_TIMEOUT: {
    summary:
      'The running hub did not carry out a queued admin command within the wait (adminCommandWaitMs or --wait); it was withdrawn.',
  },
  HL_ERR_ADMIN_COMMAND_EXPIRED: {
    summary:
      'A queued admin command was older than adminCommandTtlMs when the hub read it (the hub was down or busy), so it was dropped, not run late.',
  },
  HL_ERR_ADMIN_COMMAND_UNKNOWN: {
    summary: 'The hub has no handler for a queued admin command (written by a newer hivelink).',
  },

  // -- hub: the house (consent, intercom lines)
  HL_ERR_CONSENT_PENDING: {
    summary:
      'The recipient has not allowed the sender to message it directly yet: it was asked, and the message is held until it answers (delivered on yes, dropped on no or after consentTimeoutMs).',
  },
  HL_ERR_CONSENT_DENIED: {
    summary:
      'The recipient refused direct messages from the sender (its answer, hivelink consent deny, or its setting --consent deny); the recipient is told an attempt was made.',
  },
  HL_ERR_CONSENT_TIMEOUT: {
    summary:
      'The recipient did not answer whether it allows the sender within consentTimeoutMs; the held message was dropped.',
  },
  HL_ERR_CONSENT_HELD_FULL: {
    summary:
      'As many messages wait for consent as maxHeldMessages (hub-wide) or maxHeldMessagesPerClient (for this recipient) allow; this one was not held.',
  },
  HL_ERR_CONSENT_NONE_PENDING: {
    summary: "A consent answer without a sender, and no one is waiting for this client's consent.",
  },
  HL_ERR_INTERCOM_LIMIT: {
    summary: 'As many intercom lines are open as maxIntercomLines allows; one must end first.',
  },
  HL_ERR_INTERCOM_BUSY: {
    summary: 'The caller or the called side is already on an intercom line, or is being asked for one.',
  },
  HL_ERR_INTERCOM_NOT_OPEN: {
    summary: 'An end of an intercom line was asked for, but no line is open for this connection.',
  },

  // -- sealed messages and the end-to-end key directory (relay mode, issue 12; docs/PROTOCOL.md §13)
  HL_ERR_SEALED_TOO_LARGE: { summary: 'A sealed envelope is larger than maxSealedBytes.' },
  HL_ERR_SEALED_UNKNOWN_RECIPIENT: {
    summary: 'A sealed message names a recipient client the hub does not know (or that is revoked).',
  },
  HL_ERR_SEALED_NO_KEY: {
    summary: 'The recipient of a sealed message has published no end-to-end keys to the hub yet.',
  },
  HL_ERR_SEALED_WRONG_RECIPIENT: {
    summary: "A sealed envelope is addressed to another key than the recipient's pinned end-to-end key.",
  },
  HL_ERR_SEALED_REPLAY: {
    summary: 'A sealed message id was already relayed to (or received by) this recipient.',
  },
  HL_ERR_SEALED_STALE: {
    summary: 'A sealed envelope carries a timestamp outside the sealedMaxSkewMs window around the clock.',
  },
  HL_ERR_SEALED_BAD_ENVELOPE: {
    summary:
      'A sealed envelope is not one: bad base64, wrong magic or flags, or too short to hold its parts.',
  },
  HL_ERR_SEALED_OPEN_FAILED: {
    summary:
      'A sealed envelope did not decrypt for the recipient: tampered, truncated or sealed to another key.',
  },
  HL_ERR_SEALED_BAD_SIGNATURE: {
    summary:
      "A signed sealed message's Ed25519 signature does not verify, or its key is no client's in the directory.",
  },
  HL_ERR_SEALED_REPLY_HANDLE: {
    summary: 'A reply handle is unknown, expired or already used (each one carries one reply).',
  },
  HL_ERR_SEALED_ANONYMOUS_REFUSED: {
    summary:
      'The recipient accepts no anonymous sealed messages (hivelink clients set ID --accept-anonymous no, or its consent is deny).',
  },
  HL_ERR_SEALED_OFFLINE: {
    summary: 'The recipient of a sealed message has no open connection and no mailbox took it.',
  },
  HL_ERR_RELAY_KEY_MISMATCH: {
    summary:
      'A client published end-to-end keys other than those pinned to it, or keys another client holds; an admin resets the pin (hivelink clients reset-relay-keys ID).',
  },
  HL_ERR_RELAY_ROUTE: {
    summary:
      'A route across the mesh to a client of another hub is unknown, expired (maxRelayRoutes) or its next hub is gone: look the recipient up in the directory again.',
  },
  HL_ERR_RELAY_HOP_TIMEOUT: {
    summary:
      'The next hub of the mesh did not answer a relayed sealed message within relayHopTimeoutMs; it may or may not have reached the recipient.',
  },

  // -- client and hub: HiveMind INTERCOM envelopes and the mailbox (issue 12)
  HL_ERR_INTERCOM_ENVELOPE: {
    summary:
      'A HiveMind INTERCOM payload is not one of its two shapes (hybrid or RSA-only, every field padded base64), or what it decrypts to is not a HiveMessage.',
  },
  HL_ERR_INTERCOM_SIGNATURE: {
    summary:
      'A HiveMind INTERCOM signature verifies against no key the client trusts for a sender; nothing was decrypted.',
  },
  HL_ERR_INTERCOM_DECRYPT: {
    summary:
      "A signed HiveMind INTERCOM does not decrypt with the client's key (addressed to another key, or tampered with).",
  },
  HL_ERR_INTERCOM_NO_KEY: {
    summary:
      'INTERCOM needs a key the client does not have: its own RSA key (option intercom.privateKeyPem), or the public key of the named recipient.',
  },
  HL_ERR_INTERCOM_TOO_LARGE: {
    summary:
      'A message is too long for the INTERCOM shape asked for (one RSA block for RSA-only, 256 KiB for hybrid).',
  },
  HL_ERR_MAILBOX_FULL: {
    summary:
      "The recipient's mailbox holds as many messages (mailboxMaxMessages) or bytes (mailboxMaxBytes) as allowed; the deposit was refused.",
  },
  HL_ERR_MAILBOX_REFUSED: {
    summary:
      'The hub refused a RENDEZVOUS request (the reason names why: an unknown recipient, a payload that is not a valid INTERCOM, missing fields).',
  },

  // -- hub: the mesh (nested hubs, issue 13)
  HL_ERR_MESH_PARENT_UNAVAILABLE: {
    summary:
      'No parent link is open (or it closed during a climb): the utterance or QUERY is answered by this hub alone.',
  },
  HL_ERR_MESH_CLIMB_TIMEOUT: {
    summary:
      'The parent did not finish a climbed utterance within meshClimbTimeoutMs; the satellite got the local answer.',
  },
  HL_ERR_MESH_LOOP: {
    summary:
      'A relayed message already names this hub in its route (a cycle in the mesh): it is dropped, or answered locally.',
  },
  HL_ERR_MESH_ROUTE_TOO_LONG: {
    summary: 'A relayed message carries maxMeshHops hops already: it is dropped, or answered locally.',
  },

  // -- hub and satellite: the voice path (speech in and out, Wyoming; issue 14)
  HL_ERR_AUDIO_FORMAT: {
    summary:
      'Audio is not in a form the voice path takes: PCM s16le mono (sample_width 2) at 8000 to 48000 Hz, or a 16-bit PCM WAV file.',
  },
  HL_ERR_AUDIO_TOO_LONG: {
    summary:
      'One utterance of audio is longer than voiceMaxUtteranceMs; it was refused and its bytes dropped.',
  },
  HL_ERR_AUDIO_NO_END: {
    summary:
      'A RAW_AUDIO stream went on for voiceMaxUtteranceMs without an end of speech; its buffer was dropped and the stream refused.',
  },
  HL_ERR_VOICE_OFF: {
    summary: 'Audio was sent to a hub that has no speech engine for it (hivelink hub --stt / --tts).',
  },
  HL_ERR_VOICE_BUSY: {
    summary: 'As many speech jobs wait or run as voiceMaxJobs allows; the audio or text was refused.',
  },
  HL_ERR_VOICE_ENGINE: {
    summary:
      'A speech engine failed: the program is missing or exited with an error, or a Wyoming server refused or closed the connection.',
  },
  HL_ERR_VOICE_ENGINE_TIMEOUT: {
    summary: 'A speech engine did not finish within voiceEngineTimeoutMs; its process was killed.',
  },
  HL_ERR_VOICE_OUTPUT_TOO_LARGE: {
    summary:
      'A speech engine produced more than voiceMaxSynthBytes of audio or text; the output was dropped.',
  },
  HL_ERR_WYOMING_PROTOCOL: {
    summary:
      'A Wyoming peer sent something the protocol does not allow: a header line that is not a JSON event, an oversized header or payload, or the wrong event.',
  },
  // -- files and jobs (issue 15, docs/PROTOCOL.md "Files and jobs")
  HL_ERR_FILE_TOO_LARGE: {
    summary: 'A file offered to the hub is larger than maxFileBytes; nothing was stored.',
  },
  HL_ERR_FILE_BAD_NAME: {
    summary:
      'A file name holds a path (a slash, a backslash, "." or ".."), a control character, or is empty or longer than 255 bytes; the file was refused.',
  },
  HL_ERR_FILE_TOO_MANY_TRANSFERS: {
    summary: 'The client already sends maxParallelTransfers files to the hub at once; one must finish first.',
  },
  HL_ERR_FILE_QUOTA: {
    summary:
      "The client's files on the hub (stored, arriving and job outputs) would pass fileQuotaBytes; the file was refused and any partial data removed.",
  },
  HL_ERR_FILE_HASH_MISMATCH: {
    summary:
      'A file arrived whole but its SHA-256 is not the one offered; it was not reported and its data was removed.',
  },
  HL_ERR_FILE_UNKNOWN: {
    summary:
      'No file (or transfer) with this id belongs to the client: unknown, removed, expired or finished.',
  },
  HL_ERR_FILE_TRANSFER: {
    summary:
      'A file transfer broke off: the stream or the temporary file failed, or the other side gave up; the partial data may be resumed or was removed.',
  },
  HL_ERR_JOB_UNKNOWN_KIND: { summary: 'No job kind of this name is registered on the hub.' },
  HL_ERR_JOB_BAD_PARAMS: {
    summary: "A job's parameters do not match its kind's schema; the job was not queued.",
  },
  HL_ERR_JOB_NOT_FOUND: { summary: 'No job with this id belongs to the client.' },
  HL_ERR_JOB_QUEUE_FULL: {
    summary: 'The client already has maxQueuedJobsPerClient jobs queued or running; one must finish first.',
  },
  HL_ERR_JOB_TIMEOUT: {
    summary: 'A job ran longer than jobTimeoutMs; its worker was stopped and the job failed.',
  },
  HL_ERR_JOB_MEMORY: {
    summary:
      'A job needed more memory than jobMaxMemoryBytes; its worker (or child process) was stopped and the job failed.',
  },
  HL_ERR_JOB_FAILED: { summary: "A job's own work failed (its message says why); the job is failed." },
  HL_ERR_JOB_INTERRUPTED: {
    summary:
      'A job was running when the hub stopped, and its kind does not run again after a restart: it is failed by the restart.',
  },
  HL_ERR_JOB_CANCELLED: {
    summary: 'The job was cancelled by its owner before it finished; it has no result.',
  },
  HL_ERR_JOB_FINISHED: { summary: 'The job is already done, failed or cancelled: it cannot be cancelled.' },

  // -- pairing without typing secrets (issue 17, docs/PROTOCOL.md §17)
  HL_ERR_PAIRING_CODE_INVALID: {
    summary:
      'Not a pairing code: hivelink join takes the 12 letters and digits hivelink pair printed (ABCD-EFGH-JKMN), or its hivelink://join link.',
  },
  HL_ERR_PAIRING_UNKNOWN: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      'No pairing of this code waits on the hub: it was cancelled, never made here, or expired more than a day ago; run hivelink pair again.',
  },
  HL_ERR_PAIRING_EXPIRED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      'The pairing code expired (pair --expires, at most pairingLifetimeMs after it was made); run hivelink pair again.',
  },
  HL_ERR_PAIRING_USED: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary: 'The pairing code was used already: a code pairs one satellite, once.',
  },
  HL_ERR_PAIRING_ATTEMPTS: {
    closeCode: CLOSE_POLICY_VIOLATION,
    summary:
      'The pairing code answered pairingMaxAttempts handshakes without pairing (wrong codes typed, or someone guessing) and is burnt; run hivelink pair again.',
  },
  HL_ERR_PAIRING_WRONG_CODE: {
    summary:
      "The hub's handshake did not verify with this code (a typo, or not the hub that made it); each wrong try uses one of the code's pairingMaxAttempts.",
  },
  HL_ERR_PAIRING_LIMIT: {
    summary:
      'maxPendingPairings pairing codes wait already; cancel one (hivelink pair cancel ID) or let it expire.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface HiveLinkErrorOptions extends ErrorOptions {
  /** Overrides the registry's close code for this instance. */
  closeCode?: number;
  /** The stage that failed, e.g. `noise.readMessage2`, for logs and tests. */
  stage?: string;
}

/** The one error class of hivelink: a stable code, a message for people, and an optional close code. */
export class HiveLinkError extends Error {
  override readonly name = 'HiveLinkError';
  readonly code: ErrorCode;
  readonly closeCode: number | undefined;
  readonly stage: string | undefined;

  constructor(code: ErrorCode, message: string, options: HiveLinkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    const info: ErrorCodeInfo = ERROR_CODES[code];
    this.closeCode = options.closeCode ?? info.closeCode;
    this.stage = options.stage;
  }
}

/** True when `err` is a {@link HiveLinkError}, optionally with the given code. */
export function isHiveLinkError(err: unknown, code?: ErrorCode): err is HiveLinkError {
  return err instanceof HiveLinkError && (code === undefined || err.code === code);
}
