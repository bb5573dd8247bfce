/** What a guarded call settles to: the (guarded) data and the HTTP response it came from. */
export interface GuardedResult<T> {
  readonly data: T;
  /** The upstream response (its body already read by the SDK), or a synthetic one when no request was sent. */
  readonly response: Response;
  /** Builds a response whose body is the guarded data, for `asResponse()`. */
  readonly toResponse: () => Response;
}

/**
 * Stands in for the SDK's `APIPromise`: awaitable, with `withResponse()` and `asResponse()`. The input check
 * has to finish before the request is sent, so the SDK's own promise (whose request starts on creation)
 * cannot be returned; this one settles with the guarded result instead. `MessageStream` builds on
 * `withResponse()`, which is how `messages.stream()` ends up reading a guarded event stream.
 */
export class GuardedAPIPromise<T> extends Promise<T> {
  // Promise methods called on this object create plain promises, never this class.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly #result: Promise<GuardedResult<T>>;
  #data: Promise<T> | undefined;

  constructor(result: Promise<GuardedResult<T>>) {
    super((resolve) => resolve(undefined as T));
    this.#result = result;
  }

  #parsed(): Promise<T> {
    if (this.#data === undefined) this.#data = this.#result.then((result) => result.data);
    return this.#data;
  }

  // biome-ignore lint/suspicious/noThenProperty: this class is a promise on purpose (it stands in for APIPromise).
  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#parsed().then(onfulfilled, onrejected);
  }

  override catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#parsed().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#parsed().finally(onfinally);
  }

  /** The guarded data with the upstream `Response` (its body belongs to the SDK) and the request ids. */
  async withResponse(): Promise<{
    data: T;
    response: Response;
    request_id: string | null | undefined;
    workspace_id: string | null | undefined;
  }> {
    const { data, response } = await this.#result;
    return {
      data,
      response,
      request_id: response.headers.get('request-id'),
      workspace_id: response.headers.get('anthropic-workspace-id'),
    };
  }

  /**
   * A `Response` whose body is the guarded result (JSON for a message, server-sent events for a stream), with
   * the upstream status and headers: the raw upstream body would bypass output scanning.
   */
  async asResponse(): Promise<Response> {
    const result = await this.#result;
    return result.toResponse();
  }
}
