package dev.lockstep.doc;

import java.nio.file.Path;

/**
 * A revision asked of {@link DocumentStore#at} or {@link DocumentStore#restore} (or a backup asked
 * of {@link DocumentStore#restoreBackup}) is not available: it was never logged, was compacted
 * away, or the backup does not exist. Nothing was changed.
 */
public final class RevisionNotFoundException extends DocumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the change log or backup that was searched
   * @param message what was asked and what is available
   */
  public RevisionNotFoundException(Path file, String message) {
    super(file, message);
  }
}
