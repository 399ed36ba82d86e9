package dev.lockstep.doc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A durable state document — {@code state.yaml}, {@code state.json}, {@code STATE.md} — that many
 * threads and processes, Java or not, update safely: under a lock file, with a revision inside the
 * document, atomic fsync'd writes, rotated backups and an append-only, checksummed change log.
 *
 * <pre>{@code
 * try (DocumentStore<ObjectNode> store =
 *     DocumentStore.open(Path.of("state.yaml"), DocumentCodecs.yaml())) {
 *   Versioned<ObjectNode> v = store.update(doc -> doc.put("done", doc.path("done").asInt() + 1));
 *   store.compareAndSet(v.revision(), v.value().put("phase", "review"));  // or StaleRevisionException
 *   store.history();                                                       // every logged change
 * }
 * }</pre>
 *
 * <h2>Files</h2>
 *
 * Beside {@code NAME}: {@code NAME.lock} (the lock file, never deleted; Python's {@code
 * filelock.FileLock("NAME.lock")} takes the same lock), {@code NAME.backup.1..N} (the previous
 * versions, newest first), {@code NAME.changes.jsonl} (the change log, unless {@link
 * DocumentOptions#changeLog()} says otherwise) and, only while a commit runs or after a crash,
 * {@code .NAME.tmp-RANDOM}.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>No lost update</b> among writers that take the lock: {@link #update} reads, applies,
 *       validates and commits under {@code NAME.lock}, across threads and processes.
 *   <li><b>Atomic and durable commits</b>: under the lock the new content is encoded and decoded
 *       again (so invalid content is refused before anything is written), the revision is bumped,
 *       the content goes to a temp file that is fsync'd, backups rotate, the temp file is renamed
 *       over the document, one log line per commit is appended, and the directory and the log are
 *       fsync'd (at the same time) — all before the caller is told the commit succeeded. A crash at
 *       any instant leaves the old or the new document, never a mix; a power loss between the two
 *       syncs can leave the log one commit ahead of the document or behind it, which {@link
 *       #recover} repairs. With {@link dev.lockstep.file.Durability#NONE} the fsyncs are skipped.
 *   <li><b>Revisions</b>: each commit gets its own revision, one more than the highest of the
 *       document's revision and the log's last; the revision lives inside the document ({@code
 *       revision:} in YAML and JSON, {@code **Revision:**} in Markdown), so other tools see it.
 *   <li><b>Nothing changes silently</b>: content changed outside Lockstep is noticed at the next
 *       commit (its SHA-256 differs from the last logged one) and logged as an {@code
 *       external-edit} with its full content before the new commit.
 *   <li><b>Lock checked at the commit point</b>: if the lock file was deleted or replaced while
 *       held, the commit is refused with a {@link LockLostException} and nothing is written.
 *   <li><b>Group commit</b>: concurrent updates of one document in one JVM (through any number of
 *       stores on the same path with equal codecs and options) are applied one after another under
 *       one lock hold, written with one document fsync and one log fsync; each caller still gets
 *       its own revision and log line and is answered only once its change is durable. A failing
 *       operator fails only its own caller.
 *   <li><b>Crash leftovers are cleaned by writers, reported by readers</b>: temp files left by a
 *       crash are removed by the first commit of a store (under the lock) and by {@link
 *       #recover()}; {@link #verify()} reports them.
 *   <li><b>Reading changes nothing</b>: opening a store, {@link #read()}, {@link #history()},
 *       {@link #at} and {@link #verify()} create, change and delete no file (no lock file for a
 *       document that does not exist either; {@link #open} only creates a missing change-log
 *       directory).
 * </ul>
 *
 * <h2>Non-guarantees</h2>
 *
 * <ul>
 *   <li>The lock is advisory: a program that writes the document without taking {@code NAME.lock}
 *       may lose updates; its edits are still noticed and logged, never silently lost.
 *   <li>{@link #read()} takes no lock: it sees the last committed document (renames are atomic),
 *       which may be stale by the time it returns.
 *   <li>Group commit orders the updates of one batch by arrival, not by any fairness between
 *       processes; the kernel's lock has no queue.
 *   <li>A commit renames a new file over the document (as Python's {@code os.replace} does), so
 *       other hard links to the document keep the old content. A symbolic link at {@code NAME} is
 *       followed instead, once, when the store is opened: the document is the link's final target,
 *       which commits replace (the link stays a link), and the lock file, backups and change log
 *       are the target's ({@code TARGET.lock} beside the target, the lock a store opened on the
 *       target takes too; programs that lock {@code NAME.lock} beside the link are not excluded). A
 *       link changed to point elsewhere after the open is not followed there.
 * </ul>
 *
 * <h2>Threading</h2>
 *
 * A store is thread-safe; share one per document. All methods block (file I/O, fsync, lock waits).
 * Operators passed to {@link #update} run on some caller's thread while the lock is held: keep them
 * short, and do not call the store from inside them.
 *
 * <h2>Exceptions</h2>
 *
 * {@link dev.lockstep.lock.LockTimeoutException}: the lock could not be had within the retry policy
 * of {@link DocumentOptions} (the message names the lock file and the holder's pid when known);
 * {@link StaleRevisionException}: a compare-and-set lost; {@link LockLostException}: the lock file
 * was deleted while held; {@link InvalidDocumentException}: the new (or current) content does not
 * validate; {@link RevisionNotFoundException}: a revision or backup is not available; {@link
 * CorruptChangeLogException}: the change log is damaged before its last line; {@link
 * IllegalArgumentException}: the new value cannot be encoded ({@link DocumentCodec#encode}: NaN or
 * an infinite number in JSON or YAML), nothing written; {@link IOException}: a file could not be
 * read or written (the message names it; a failed commit leaves the previous revision in place);
 * {@link InterruptedException}: interrupted while waiting for the lock, nothing written. A {@link
 * RuntimeException} thrown by an operator is passed to its caller unchanged, and nothing of that
 * caller's change is written.
 *
 * @param <T> the document model
 */
public interface DocumentStore<T> extends AutoCloseable {

  /**
   * Opens the document at {@code path} with {@link DocumentOptions#defaults()}. The file need not
   * exist yet (see {@link #createIfAbsent} and {@link #compareAndSet}).
   *
   * @throws IOException if the document's directory does not exist
   */
  static <T> DocumentStore<T> open(Path path, DocumentCodec<T> codec) throws IOException {
    return open(path, codec, DocumentOptions.defaults());
  }

  /**
   * Opens the document at {@code path} (a symbolic link: its final target, see the class
   * documentation), creating the change log's directory if it is missing (the document's directory
   * must exist); nothing else on disk is touched: the lock file is created by the first operation
   * that takes the lock, and what crashed writers left (temp and spare files) is removed by this
   * store's first commit, under the lock, or by {@link #recover()} (a torn last log line is cut off
   * by the next commit or by {@link #recover()}). A lock file that cannot be opened or created (a
   * read-only directory, say) does not stop the store from opening: {@link #read()}, {@link
   * #history()} and {@link #at} work without the lock, {@link #verify()} works while the lock file
   * does not exist, and whatever needs it fails with an {@link IOException} naming the lock file.
   *
   * @throws IOException if the document's directory does not exist, the log's directory cannot be
   *     created, or {@code path} is a loop of symbolic links
   */
  static <T> DocumentStore<T> open(Path path, DocumentCodec<T> codec, DocumentOptions options)
      throws IOException {
    return FileDocumentStore.open(path, codec, options, DocumentFiles.REAL);
  }

  /** The document's path, as given to {@link #open}. */
  Path path();

  /** The codec the document is read and written with. */
  DocumentCodec<T> codec();

  /**
   * Reads the last committed document without taking the lock.
   *
   * @throws java.nio.file.NoSuchFileException if the document does not exist
   * @throws InvalidDocumentException if it does not parse
   */
  Versioned<T> read() throws IOException;

  /**
   * Applies {@code change} to the current document under the lock and commits the result as the
   * next revision (the revision the operator sets is ignored). The operator gets a value of its own
   * that it may mutate and return; if it throws, nothing of its change is written and the exception
   * reaches this caller only. It must not call this store's (or another store's on the same
   * document) updating methods: that fails with an {@link IllegalStateException} or a {@link
   * dev.lockstep.lock.DeadlockException} rather than waiting for itself.
   *
   * @return the committed value and its revision
   * @throws java.nio.file.NoSuchFileException if the document does not exist
   */
  Versioned<T> update(UnaryOperator<T> change) throws IOException, InterruptedException;

  /**
   * Commits {@code value} as the next revision if the document is still at {@code expectedRevision}
   * ({@code 0}: the document does not exist yet, so this creates it).
   *
   * @throws StaleRevisionException if the document is at another revision (nothing written)
   */
  Versioned<T> compareAndSet(long expectedRevision, T value)
      throws IOException, InterruptedException;

  /**
   * Creates the document with {@code initial} as revision 1 unless it exists; returns the document
   * as it is after the call.
   */
  Versioned<T> createIfAbsent(T initial) throws IOException, InterruptedException;

  /**
   * Every change in the log, oldest first (including snapshots and external edits).
   *
   * @throws CorruptChangeLogException if a line before the last is damaged
   */
  List<Change> history() throws IOException;

  /** The last {@code n} changes in the log, oldest first. */
  List<Change> recentChanges(int n) throws IOException;

  /**
   * Rebuilds the document as it was at {@code revision} from the change log (the newest line with
   * that revision, when an external edit repeated one).
   *
   * @throws RevisionNotFoundException if the log does not reach back to it (never logged, or
   *     compacted away)
   */
  Versioned<T> at(long revision) throws IOException;

  /**
   * Commits the document as it was at {@code revision} as a new revision (operation {@code
   * restore}).
   *
   * @throws RevisionNotFoundException if the revision is not in the log
   */
  Versioned<T> restore(long revision) throws IOException, InterruptedException;

  /**
   * Commits the content of {@code NAME.backup.n} (1 = the newest) as a new revision (operation
   * {@code restore-backup}).
   *
   * @throws RevisionNotFoundException if that backup does not exist
   * @throws InvalidDocumentException if the backup does not validate
   */
  Versioned<T> restoreBackup(int n) throws IOException, InterruptedException;

  /**
   * Rewrites the change log keeping what {@code retention} says, under the lock. The first kept
   * line is preceded by a {@code snapshot} of the revision before it, so {@link #at} keeps working
   * for every kept revision. The new log replaces the old one atomically.
   *
   * @return how many lines were dropped
   * @throws CorruptChangeLogException if the log is damaged before its last line
   */
  int compact(Retention retention) throws IOException, InterruptedException;

  /**
   * Checks, under the lock and without changing anything, what a crash or a foreign program may
   * have left: temp files, a torn last log line, a log ahead of the document, a commit the log
   * lacks, an external edit, an invalid document, a corrupt log line. While the lock file does not
   * exist, the check runs without it and does not create it (no writer that takes the lock has
   * written then: it creates the lock file first, and lock files are never deleted; if one appears
   * during the check, the check is made again under the lock).
   *
   * @throws IOException if the lock file exists but cannot be opened (the message names it;
   *     checking without the lock would not be safe), or a file cannot be read
   * @throws dev.lockstep.lock.LockTimeoutException if the lock could not be had in time
   */
  VerifyReport verify() throws IOException, InterruptedException;

  /**
   * Repairs, under the lock, every {@linkplain Finding#repairable() repairable} finding of {@link
   * #verify()} and reports the others without touching the document.
   */
  RecoveryReport recover() throws IOException, InterruptedException;

  /** Releases this store's resources; the files stay. Idempotent; never throws. */
  @Override
  void close();
}
