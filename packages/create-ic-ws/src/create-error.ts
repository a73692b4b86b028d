/** Why create-ic-ws refused: a code to branch on, and a message that says what to change. */
export type CreateErrorCode = 'INVALID_OPTIONS' | 'UNKNOWN_TEMPLATE' | 'TARGET_NOT_EMPTY' | 'TEMPLATE_MISSING';

/** The one error class of create-ic-ws. */
export class CreateIcWsError extends Error {
  override readonly name = 'CreateIcWsError';

  constructor(
    readonly code: CreateErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
