package dev.lockstep.doc;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing {@link DocumentStore#verify()} found wrong with a document, its backups, temp files or
 * change log.
 *
 * @param kind what is wrong
 * @param file the file concerned
 * @param message a sentence for people, naming the file, line and revisions involved
 */
public record Finding(Kind kind, Path file, String message) {
  /** Checks the components. */
  public Finding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }

  /** Whether {@link DocumentStore#recover()} repairs this kind of finding. */
  public boolean repairable() {
    return kind.repairable;
  }

  /** What can be wrong, and whether recovery repairs it. */
  public enum Kind {
    /** A temporary file left by a crashed write. Repaired: removed. */
    TEMP_FILE(true),
    /** The log's last line was cut short or garbled by a crash. Repaired: cut off. */
    TORN_LOG_TAIL(true),
    /**
     * The log names revisions the document never reached (the document's rename was lost).
     * Repaired: those lines are cut off, keeping the log up to the document's revision.
     */
    LOG_AHEAD_OF_DOCUMENT(true),
    /**
     * The document is at a revision the log lacks, because a crash fell between the rename and the
     * append. Repaired: a {@code recovered} line is rebuilt from the previous backup.
     */
    UNLOGGED_COMMIT(true),
    /** The content changed outside Lockstep. Repaired: logged as an {@code external-edit}. */
    EXTERNAL_EDIT(true),
    /** The document does not parse or validate. Not repaired: the document is never touched. */
    INVALID_DOCUMENT(false),
    /** A log line before the last fails its checksum or does not parse. Not repaired. */
    CORRUPT_LOG_LINE(false);

    private final boolean repairable;

    Kind(boolean repairable) {
      this.repairable = repairable;
    }
  }
}
