/**
 * The answers of the house's bus requests (docs/PROTOCOL.md §12.2) in their typed form: what the hub's house service
 * returns (`src/hub/house/`) and what an SDK client reads from `<type>.response` (`src/client/house.ts`), one
 * definition for both sides of the bus.
 *
 * @module
 */

/** `hive.house.tell`: where the message was spoken. */
export interface HouseTellAnswer {
  readonly room: string;
  /** Connections the message was spoken on. */
  readonly delivered: number;
  /** Their client names, each once. */
  readonly clients: readonly string[];
}

/** `hive.house.ask`: what the room said. */
export interface HouseAskAnswer {
  readonly room: string;
  /** What the room said, in order. */
  readonly answers: readonly string[];
  /** `client`: a full-assistant client of the room answered; `hub`: the hub's assistant in the room's session. */
  readonly by: 'client' | 'hub';
  /** The client that answered, or whose session was used. */
  readonly responder: string;
  /** The room asked a question back (`expect_response`). */
  readonly expectsResponse: boolean;
}

/** `hive.house.announce`: where the announcement was spoken. */
export interface HouseAnnounceAnswer extends Omit<HouseTellAnswer, 'room'> {
  /** The room, or null for every room. */
  readonly room: string | null;
}
