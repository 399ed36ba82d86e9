package dev.lockstep.doc;

import java.nio.file.Path;

/**
 * Why a {@link DocumentStore} operation was refused. Every failure a caller may want to branch on
 * is one of the permitted subtypes; each message names the file and, where it applies, the
 * revisions involved. Lock timeouts are reported with the core {@link
 * dev.lockstep.lock.LockTimeoutException}, invalid content with {@link InvalidDocumentException},
 * and I/O failures with {@link java.io.IOException}.
 */
public abstract sealed class DocumentException extends RuntimeException
    permits StaleRevisionException,
        LockLostException,
        RevisionNotFoundException,
        CorruptChangeLogException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  DocumentException(Path file, String message) {
    super(message);
    this.file = file;
  }

  /** The document (or change log) the failure concerns. */
  public Path file() {
    return file;
  }
}
