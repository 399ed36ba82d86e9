package dev.lockstep.doc;

import java.time.Instant;
import java.util.Objects;

/**
 * Which part of a change log {@link DocumentStore#compact} keeps. The kept revisions stay available
 * to {@link DocumentStore#at}: compaction writes a snapshot of the revision just before the first
 * kept line.
 */
public sealed interface Retention {

  /** Keep the last {@code lines} lines (at least 1). */
  static Retention keepLast(int lines) {
    return new KeepLast(lines);
  }

  /** Drop the lines written before {@code cutoff} (the last line is always kept). */
  static Retention olderThan(Instant cutoff) {
    return new OlderThan(cutoff);
  }

  /**
   * Keep the last {@code lines} lines.
   *
   * @param lines how many lines to keep, at least 1
   */
  record KeepLast(int lines) implements Retention {
    /** Checks the count. */
    public KeepLast {
      if (lines < 1) {
        throw new IllegalArgumentException("keepLast needs at least 1 line: " + lines);
      }
    }
  }

  /**
   * Drop lines older than {@code cutoff}.
   *
   * @param cutoff lines written before it are dropped (the last line is always kept)
   */
  record OlderThan(Instant cutoff) implements Retention {
    /** Checks the cutoff. */
    public OlderThan {
      Objects.requireNonNull(cutoff, "cutoff must not be null");
    }
  }
}
