// Certificate and learning account numbers (docs/format.md section 9.1).

export const CERTIFICATE_SHAPE = /^X[0-9]{15}$/;
export const ACCOUNT_SHAPE = /^L[0-9]{11}$/;

export function luhnValid(digits) {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function wellFormedNumber(number) {
  return CERTIFICATE_SHAPE.test(number) && luhnValid(number.slice(1));
}

/** A learning account number: L, ten digits and their Luhn check digit. */
export function wellFormedAccount(account) {
  return ACCOUNT_SHAPE.test(account) && luhnValid(account.slice(1));
}
