/** A failure message, announced to screen readers as it appears. */
export function Alert({ message }: { readonly message: string | undefined }) {
  return message === undefined ? null : (
    <p role="alert" class="alert">
      {message}
    </p>
  );
}

/** Minor units (cents) as a price, e.g. `12.50 EUR`. */
export const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency}`;
