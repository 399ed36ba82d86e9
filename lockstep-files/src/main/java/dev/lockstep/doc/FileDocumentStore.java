package dev.lockstep.doc;

import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockMode;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/** A {@link DocumentStore} on the local file system; the algorithm is in {@link DocumentEngine}. */
final class FileDocumentStore<T> implements DocumentStore<T> {
  private final Path path;
  private final EngineRegistry.Key key;
  private final DocumentEngine<T> engine;
  private final AtomicBoolean closed = new AtomicBoolean();

  private FileDocumentStore(Path path, EngineRegistry.Key key, DocumentEngine<T> engine) {
    this.path = path;
    this.key = key;
    this.engine = engine;
  }

  /** How a store gets its lock; tests substitute broken locks to show their tests can fail. */
  @FunctionalInterface
  interface Locks {
    Locks REAL = FileLock::of;

    FileLock of(Path lockFile, FileLockMode mode);
  }

  static <T> DocumentStore<T> open(
      Path path, DocumentCodec<T> codec, DocumentOptions options, DocumentFiles files)
      throws IOException {
    return open(path, codec, options, files, Locks.REAL);
  }

  static <T> DocumentStore<T> open(
      Path path, DocumentCodec<T> codec, DocumentOptions options, DocumentFiles files, Locks locks)
      throws IOException {
    Objects.requireNonNull(path, "path must not be null");
    Objects.requireNonNull(codec, "codec must not be null");
    Objects.requireNonNull(options, "options must not be null");
    Path absolute = path.toAbsolutePath().normalize();
    if (absolute.getFileName() == null) {
      throw new IllegalArgumentException("not a file path: " + path);
    }
    Path document = followLinks(absolute);
    DocumentFilesLayout layout = DocumentFilesLayout.of(document, options);
    Files.createDirectories(layout.changeLog().getParent()); // e.g. .parac/memory/logs/
    EngineRegistry.Key key = new EngineRegistry.Key(document, codec, options, files, locks);
    DocumentEngine<T> engine =
        EngineRegistry.acquire(
            key,
            () ->
                new DocumentEngine<>(
                    layout,
                    codec,
                    options,
                    files,
                    locks.of(layout.lockFile(), options.lockMode())));
    // Nothing else is written or deleted here, so that a store opened to read changes nothing: what
    // crashed writers left is removed by the engine's first commit (under the lock) and recover().
    return new FileDocumentStore<>(path, key, engine);
  }

  /** Most links followed, as Linux's path resolution allows (MAXSYMLINKS). */
  private static final int MAX_LINKS = 40;

  /**
   * The document a path names: its directory's real path and, if the file itself is a symbolic link
   * (to another link, ...), its final target, whether or not that exists yet. Commits then replace
   * the target and leave the link in place, and the lock file, backups and log are the target's,
   * whichever name a store was opened with.
   */
  static Path followLinks(Path absolute) throws IOException {
    Path p = absolute;
    for (int links = 0; ; links++) {
      Path candidate = p.getParent().toRealPath().resolve(p.getFileName().toString());
      if (!Files.isSymbolicLink(candidate)) {
        return candidate;
      }
      if (links == MAX_LINKS) {
        throw new FileSystemException(
            absolute.toString(), null, "too many levels of symbolic links");
      }
      p = candidate.resolveSibling(Files.readSymbolicLink(candidate)); // absolute or relative
      if (p.getFileName() == null || p.getParent() == null) {
        throw new IllegalArgumentException(
            "not a file path: " + absolute + " (a symbolic link to " + p + ")");
      }
    }
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public DocumentCodec<T> codec() {
    return engine.codec();
  }

  @Override
  public Versioned<T> read() throws IOException {
    ensureOpen();
    Path doc = engine.layout().document();
    T value = engine.codec().decode(engine.files().read(doc), doc.toString());
    return new Versioned<>(value, engine.codec().revision(value));
  }

  @Override
  public Versioned<T> update(UnaryOperator<T> change) throws IOException, InterruptedException {
    Objects.requireNonNull(change, "change must not be null");
    return submit(
        Change.Operation.UPDATE,
        (current, revision) -> {
          if (current == null) {
            throw new NoSuchFileException(
                engine.layout().document().toString(),
                null,
                "cannot update a document that does not exist (use createIfAbsent)");
          }
          return Objects.requireNonNull(change.apply(current), "the update returned null");
        });
  }

  @Override
  public Versioned<T> compareAndSet(long expectedRevision, T value)
      throws IOException, InterruptedException {
    Objects.requireNonNull(value, "value must not be null");
    return submit(
        Change.Operation.CAS,
        (current, revision) -> {
          if (revision != expectedRevision) {
            throw new StaleRevisionException(
                engine.layout().document(), expectedRevision, revision);
          }
          return value;
        });
  }

  @Override
  public Versioned<T> createIfAbsent(T initial) throws IOException, InterruptedException {
    Objects.requireNonNull(initial, "initial must not be null");
    return submit(Change.Operation.CREATE, (current, revision) -> current == null ? initial : null);
  }

  @Override
  public List<Change> history() throws IOException {
    ensureOpen();
    return lines().stream().map(ChangeLog.Line::change).toList();
  }

  @Override
  public List<Change> recentChanges(int n) throws IOException {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0: " + n);
    }
    List<Change> all = history();
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  @Override
  public Versioned<T> at(long revision) throws IOException {
    ensureOpen();
    List<ChangeLog.Line> lines = lines();
    int index = History.indexOf(lines, revision, engine.log().path());
    T value = History.replay(lines, index, engine.codec(), path.toString(), engine.log().path());
    return new Versioned<>(value, engine.codec().revision(value));
  }

  @Override
  public Versioned<T> restore(long revision) throws IOException, InterruptedException {
    return submit(Change.Operation.RESTORE, false, (current, r) -> at(revision).value());
  }

  @Override
  public Versioned<T> restoreBackup(int n) throws IOException, InterruptedException {
    if (n < 1) {
      throw new IllegalArgumentException("backups are numbered from 1: " + n);
    }
    return submit(
        Change.Operation.RESTORE_BACKUP,
        false,
        (current, r) -> {
          Path backup = engine.layout().backup(n);
          byte[] bytes;
          try {
            bytes = engine.files().read(backup);
          } catch (NoSuchFileException missing) {
            throw new RevisionNotFoundException(
                backup,
                "backup "
                    + n
                    + " of "
                    + path
                    + " does not exist ("
                    + backup
                    + "; up to "
                    + engine.layout().backups()
                    + " are kept)");
          }
          return engine.codec().decode(bytes, backup.toString());
        });
  }

  @Override
  public int compact(Retention retention) throws IOException, InterruptedException {
    Objects.requireNonNull(retention, "retention must not be null");
    ensureOpen();
    return engine.locked(
        System.nanoTime(), h -> new Compaction<>(engine, path.toString()).run(retention, h));
  }

  /**
   * Verifies under the lock; but while the lock file does not exist, without it, so that verifying
   * creates nothing (a missing document, a read-only directory). That is safe because a writer that
   * takes the lock creates the lock file before it writes anything, and nobody deletes lock files:
   * if the file is still missing after the inspection, no such writer wrote during it. If it
   * appeared meanwhile, the inspection is done again under the lock.
   */
  @Override
  public VerifyReport verify() throws IOException, InterruptedException {
    ensureOpen();
    Path lockFile = engine.layout().lockFile();
    if (Files.notExists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
      VerifyReport report = new DocumentRecovery<>(engine).verify();
      if (Files.notExists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
        return report;
      }
    }
    return engine.locked(System.nanoTime(), h -> new DocumentRecovery<>(engine).verify());
  }

  @Override
  public RecoveryReport recover() throws IOException, InterruptedException {
    ensureOpen();
    return engine.locked(System.nanoTime(), h -> new DocumentRecovery<>(engine).recover(h));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      EngineRegistry.release(key);
    }
  }

  @Override
  public String toString() {
    return "DocumentStore[" + path + ", " + engine.codec() + "]";
  }

  private List<ChangeLog.Line> lines() throws IOException {
    ChangeLog.Scan scan = engine.log().readAll();
    if (!scan.corrupt().isEmpty()) {
      ChangeLog.Corrupt first = scan.corrupt().get(0);
      throw new CorruptChangeLogException(engine.log().path(), first.line(), first.problem());
    }
    return scan.lines();
  }

  private Versioned<T> submit(Change.Operation operation, PendingCommit.Body<T> body)
      throws IOException, InterruptedException {
    return submit(operation, true, body);
  }

  private Versioned<T> submit(
      Change.Operation operation, boolean needsCurrent, PendingCommit.Body<T> body)
      throws IOException, InterruptedException {
    ensureOpen();
    return engine.submit(new PendingCommit<>(operation, needsCurrent, body));
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the document store of " + path + " is closed");
    }
  }
}
