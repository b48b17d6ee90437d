// The two ways a verification fails: the record's fault, or nobody's fault.

/** A fault of the record: the verdict is `forged`. */
export class Forged extends Error {
  constructor(zh, en) {
    super(en);
    this.zh = zh;
    this.en = en;
  }
}

/** Not the record's fault: the log, the network or the browser; shown as an error state. */
export class CannotVerify extends Error {
  constructor(kind, zh, en) {
    super(en);
    this.kind = kind;
    this.zh = zh;
    this.en = en;
  }
}
