// The record's inclusion proof against the signed checkpoint (RFC 9162 section 2.1.3.2).

import { concatBytes, decodeBase64, equalBytes, isObject, sha256 } from "./encoding.js";
import { CannotVerify, Forged } from "./errors.js";
import { fetchJson } from "./fetching.js";

async function nodeHash(left, right) {
  return sha256(concatBytes(Uint8Array.of(0x01), left, right));
}

export async function rootFromInclusionProof(index, size, leafHash, path) {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export async function checkInclusion(index, leafHash, checkpoint) {
  const notInLog = () =>
    new Forged("记录对应的条目不在账本中", "the record's entry is not in the log");
  if (index >= checkpoint.size) throw notInLog();
  const proof = await fetchJson(
    `/log/proof/inclusion?index=${index}&size=${checkpoint.size}`,
    ["包含证明", "the inclusion proof"],
  );
  const malformed = new CannotVerify("log", "账本的包含证明格式错误", "the log's inclusion proof is malformed");
  if (!isObject(proof) || proof.index !== index || proof.tree_size !== checkpoint.size) {
    throw malformed;
  }
  if (!Array.isArray(proof.hashes)) throw malformed;
  const path = proof.hashes.map(decodeBase64);
  if (path.some((hash) => hash === null || hash.length !== 32)) throw malformed;
  const served = decodeBase64(proof.leaf_hash);
  if (served === null || !equalBytes(served, leafHash)) {
    throw new Forged(
      `账本第 ${index} 条不是此记录的条目`,
      `the log's entry ${index} is not the record's entry`,
    );
  }
  const root = await rootFromInclusionProof(index, checkpoint.size, leafHash, path);
  if (root === null || !equalBytes(root, checkpoint.root)) throw notInLog();
}
