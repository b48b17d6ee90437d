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

/**
 * What is wrong with a certificate number, as [zh, en], or null when it is well formed.
 * Tells a wrong length or character from a mistyped digit (a failing check digit).
 */
export function numberProblem(number) {
  if (CERTIFICATE_SHAPE.test(number)) {
    if (luhnValid(number.slice(1))) return null;
    return [
      "校验位不符：编号中有一位数字输错了，请逐位核对",
      "the check digit does not match: a digit is mistyped; compare each digit",
    ];
  }
  const digits = number.startsWith("X") ? number.slice(1) : number;
  if (!number.startsWith("X")) {
    return ["证书编号以字母 X 开头", "a certificate number starts with the letter X"];
  }
  if (/[^0-9]/.test(digits)) {
    return ["X 之后只能是数字", "only digits follow the X"];
  }
  return [
    `X 之后应有 15 位数字，这里有 ${digits.length} 位`,
    `15 digits follow the X; this has ${digits.length}`,
  ];
}
