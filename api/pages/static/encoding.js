// Bytes, UTF-8, SHA-256 and canonical base64 / base64url (RFC 4648 sections 4 and 5).

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const utf8 = new TextEncoder();
export const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

export function encodeBase64(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function encodeBase64url(bytes) {
  return encodeBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function binaryToBytes(binary) {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Canonical unpadded base64url (RFC 7515 section 2); null when it is not. */
export function decodeBase64url(text) {
  if (typeof text !== "string" || !BASE64URL.test(text) || text.length % 4 === 1) return null;
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  let bytes;
  try {
    bytes = binaryToBytes(atob(standard + "=".repeat((4 - (standard.length % 4)) % 4)));
  } catch {
    return null;
  }
  return encodeBase64url(bytes) === text ? bytes : null;
}

/** Canonical padded standard base64 (RFC 4648 section 4); null when it is not. */
export function decodeBase64(text) {
  if (typeof text !== "string" || !BASE64.test(text) || text.length % 4 !== 0) return null;
  let bytes;
  try {
    bytes = binaryToBytes(atob(text));
  } catch {
    return null;
  }
  return encodeBase64(bytes) === text ? bytes : null;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
