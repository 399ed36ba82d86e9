package dev.lockstep.doc;

import java.nio.file.Path;

/**
 * The document's lock file was deleted or replaced while this writer held it, so the hold no longer
 * excluded other writers: the commit was refused just before its commit point and nothing was
 * written (the document and its change log are as they were). The next update locks the file now at
 * the path and may succeed. Someone is deleting lock files: find and stop them.
 */
public final class LockLostException extends DocumentException {
  private static final long serialVersionUID = 1L;

  private final transient Path lockFile;

  /**
   * Creates the exception.
   *
   * @param document the document whose commit was refused
   * @param lockFile the lock file that was deleted or replaced
   */
  public LockLostException(Path document, Path lockFile) {
    super(
        document,
        "commit of "
            + document
            + " refused: its lock file "
            + lockFile
            + " was deleted or replaced while held, so the lock no longer excluded other writers;"
            + " nothing was written");
    this.lockFile = lockFile;
  }

  /** The lock file that was deleted or replaced. */
  public Path lockFile() {
    return lockFile;
  }
}
