/**
 * A `fetch` for the agents of these tests that retries once when the request died on a kept-alive socket
 * the devnet had just closed. The devnet runs canisters synchronously in this same process, so a long run
 * of direct calls stalls the event loop past the server's keep-alive timeout; undici may then hand the next
 * request an idle socket the server closes at that very moment ("fetch failed", `UND_ERR_SOCKET`). Nothing
 * reached the devnet, so sending again is safe. Every other failure is passed on.
 */
export const staleSocketRetryingFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (error) {
    if (!isStaleSocket(error)) throw error;
    return fetch(input, init);
  }
};

function isStaleSocket(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return error instanceof TypeError && (cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET');
}
