package dev.lockstep.doc;

import java.util.Objects;

/**
 * A document's value together with the revision it carries. Revision {@code 0} means the document
 * does not exist yet (or has never carried a revision).
 *
 * <p>The value belongs to the caller: the store never keeps or mutates it after handing it out.
 *
 * @param value the decoded document
 * @param revision the revision stored inside the document
 * @param <T> the document model
 */
public record Versioned<T>(T value, long revision) {
  /** Checks the components. */
  public Versioned {
    Objects.requireNonNull(value, "value must not be null");
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be >= 0: " + revision);
    }
  }
}
