package dev.lockstep.doc;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a document's change log: one committed revision (or an edit the store noticed).
 *
 * <p>A line carries either a {@link #patch()} — an RFC 6902 JSON Patch from the previous logged
 * revision to this one, for tree formats (JSON, YAML) — or the full {@link #content()} of the
 * document, for other formats (Markdown), for the first line of a log, for snapshots written by
 * compaction, and for edits made outside Lockstep.
 *
 * @param revision the revision the document carries after this change
 * @param time when the change was committed
 * @param pid the committing process (for an external edit: the process that noticed it)
 * @param host the committing host
 * @param owner the owner tag of the committing store ({@link DocumentOptions#owner()})
 * @param operation what made the change
 * @param patch the RFC 6902 patch as JSON text, when the line holds a patch
 * @param content the full document text (UTF-8), when the line holds the content
 * @param sha256 the SHA-256 of the document's bytes after the change, lower-case hex
 */
public record Change(
    long revision,
    Instant time,
    long pid,
    String host,
    String owner,
    Operation operation,
    Optional<String> patch,
    Optional<String> content,
    String sha256) {

  /** Checks the components. */
  public Change {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(patch, "patch");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(sha256, "sha256");
  }

  /** What made a change; {@link #wireName()} is how the change log spells it. */
  public enum Operation {
    /** The store created the document. */
    CREATE,
    /** {@link DocumentStore#update}. */
    UPDATE,
    /** {@link DocumentStore#compareAndSet}. */
    CAS,
    /** {@link DocumentStore#restore}: an old revision committed again. */
    RESTORE,
    /** {@link DocumentStore#restoreBackup}: a backup committed again. */
    RESTORE_BACKUP,
    /**
     * Content changed outside Lockstep (by hand, or by a tool that does not log), noticed later.
     */
    EXTERNAL_EDIT,
    /**
     * A commit whose log line a crash prevented (the crash fell between the rename and the append),
     * rebuilt from the previous backup by recovery.
     */
    RECOVERED,
    /** The full content at a revision: the first line of a log, or written by compaction. */
    SNAPSHOT;

    /** The name in the change log: lower case, words joined by {@code -}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The operation a change log spells {@code name}. */
    public static Operation fromWireName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }
}
