package dev.lockstep.doc;

import java.nio.file.Path;

/**
 * A {@link DocumentStore#compareAndSet} expected a revision the document no longer has: another
 * writer committed first. Nothing was written. Read again, re-apply the change and retry, or use
 * {@link DocumentStore#update}, which does that under the lock.
 */
public final class StaleRevisionException extends DocumentException {
  private static final long serialVersionUID = 1L;

  private final long expected;
  private final long actual;

  /**
   * Creates the exception.
   *
   * @param document the document's path
   * @param expected the revision the caller expected
   * @param actual the revision the document has
   */
  public StaleRevisionException(Path document, long expected, long actual) {
    super(
        document,
        "stale revision for "
            + document
            + ": expected revision "
            + expected
            + " but the document is at revision "
            + actual
            + "; nothing was written");
    this.expected = expected;
    this.actual = actual;
  }

  /** The revision the caller expected. */
  public long expected() {
    return expected;
  }

  /** The revision the document had when the commit was refused. */
  public long actual() {
    return actual;
  }
}
