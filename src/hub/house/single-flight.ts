/**
 * One run at a time, coalescing: what the house services that write or reload in the background (the admin command
 * queue, presence, subscriptions) share, so a burst of triggers costs one run in progress plus at most one more.
 *
 * @module
 */

/** Runs `task` one at a time; a call during a run returns that run and asks for one more run after it. */
export class SingleFlight {
  #running: Promise<void> | null = null;
  #again = false;

  /**
   * @param task - the work; its rejection goes to `onError`, so {@link run} never rejects.
   * @param rerun - called after a run that was asked for again (the owner re-enters its own trigger, with its own
   *   checks, such as not running once stopped).
   */
  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly rerun: () => void,
  ) {}

  /** The run in progress, or null. */
  get running(): Promise<void> | null {
    return this.#running;
  }

  /** Starts a run, or returns the one in progress and asks for one more after it. Never rejects. */
  run(): Promise<void> {
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.task()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.rerun();
        }
      });
    return this.#running;
  }
}
