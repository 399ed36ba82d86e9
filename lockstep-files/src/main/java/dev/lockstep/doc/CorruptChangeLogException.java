package dev.lockstep.doc;

import java.nio.file.Path;

/**
 * A change-log line other than a torn last line fails its checksum or cannot be parsed, so the
 * history cannot be trusted past it. The store never rewrites such a log on its own: {@link
 * DocumentStore#verify()} reports it, and a person decides (for example by compacting past it).
 */
public final class CorruptChangeLogException extends DocumentException {
  private static final long serialVersionUID = 1L;

  private final long line;

  /**
   * Creates the exception.
   *
   * @param log the change log
   * @param line the 1-based line number of the corrupt line
   * @param problem what is wrong with it
   */
  public CorruptChangeLogException(Path log, long line, String problem) {
    super(log, log + ":" + line + ": corrupt change-log line: " + problem);
    this.line = line;
  }

  /** The 1-based number of the corrupt line. */
  public long line() {
    return line;
  }
}
