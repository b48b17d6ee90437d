// Ed25519 signature checks: WebCrypto where the browser has Ed25519, else @noble/ed25519.
//
// Many phones' built-in and in-app browsers have WebCrypto without Ed25519. There the page
// loads noble-ed25519.js (the npm package @noble/ed25519, pinned, served by this service:
// see noble-ed25519.json) and verifies with it, under RFC 8032's strict rules (zip215:
// false), as WebCrypto does. `implementationUsed` says which one verified.

export const NOBLE = "@noble/ed25519 3.2.0";
export const WEBCRYPTO = "WebCrypto";

let used = null;
let noble = null;

async function loadNoble() {
  noble ??= await import("./noble-ed25519.js");
  return noble;
}

function note(name) {
  // A page mixing both (a key WebCrypto refused) reports the fallback.
  if (used !== NOBLE) used = name;
}

/** Which implementation verified the signatures so far (null: none yet). */
export function implementationUsed() {
  return used;
}

/** A verifier of one raw 32-byte public key: a WebCrypto key when the browser has one. */
export async function verifierOf(raw) {
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      raw,
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    return { raw, key };
  } catch {
    return { raw, key: null };
  }
}

/** Whether `signature` over `message` verifies under `verifier` (from verifierOf). */
export async function ed25519Verify(verifier, signature, message) {
  if (verifier.key !== null) {
    try {
      const verdict = await crypto.subtle.verify({ name: "Ed25519" }, verifier.key, signature, message);
      note(WEBCRYPTO);
      return verdict;
    } catch (error) {
      if (error?.name !== "NotSupportedError") return false;
      // Ed25519 keys import but do not verify here: fall back as if import had failed.
    }
  }
  const ed = await loadNoble();
  try {
    const verdict = await ed.verifyAsync(signature, message, verifier.raw, { zip215: false });
    note(NOBLE);
    return verdict;
  } catch {
    note(NOBLE);
    return false;
  }
}
