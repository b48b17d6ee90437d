// The three ways a verification fails: a damaged link, a forged record, or nobody's fault.

/** A fault of the record itself: the verdict is `forged`. */
export class Forged extends Error {
  constructor(zh, en) {
    super(en);
    this.zh = zh;
    this.en = en;
  }
}

/**
 * Not a record at all: cut short or garbled on the way (a QR code read in part, a link
 * copied without its end). The verdict is `damaged`: rescan, nothing was forged.
 */
export class Damaged extends Error {
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
