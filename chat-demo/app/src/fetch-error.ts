/** fetch hides the reason in `cause` (ECONNREFUSED, ENOTFOUND...): a short reason for messages. */
export function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError')
      return 'no answer in time'
    const cause = (error as Error & { cause?: { code?: string, message?: string } }).cause
    if (cause?.code)
      return cause.code
    if (cause?.message)
      return cause.message
    return error.message
  }
  return String(error)
}
