package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.file.AtomicFile;
import dev.lockstep.file.Durability;
import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import dev.lockstep.lock.LockTimeoutException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit algorithm of one document in this JVM, shared by every store opened on the same path
 * with the same codec and file options.
 *
 * <p>Implementation notes. {@link GroupCommitter} forms the batches; a batch takes the file lock,
 * runs every body in arrival order (each on the previous one's result, each with its own revision
 * and log line), writes the final content once, appends all lines with one fsync and completes
 * every caller. Per queued commit the work is: run the operator, set the revision, encode (with a
 * trusted encoder — {@link TreeCodec#encodeTrusted} — without decoding the result again, copying
 * the previous state's unchanged fields from its encoding instead of writing them again; otherwise
 * encode and decode to validate; a trusted encoder's tree is a normalized copy of the operator's
 * result sharing the previous state's unchanged nodes, never the caller's, so no state's tree is
 * ever changed and the diff and the encoder skip the shared nodes by identity); then, on a helper
 * thread while the temp file is written ({@link BatchLines}), hash, diff against the previous tree
 * ({@link TreeDiff}) and format the log line. The last committed tree is kept ({@link #cache},
 * keyed by the document's SHA-256), so the next batch decodes the file only if its hash changed.
 * Each operator's input is a private copy of the state's tree. An untyped document's is a {@link
 * LazyTrees} copy: it copies a mapping or sequence only when the operator opens it, and the encoder
 * keeps every container the operator never opened by identity, so bumping one field of a large
 * document copies, normalizes and encodes only the path to that field (session 19: a JFR profile of
 * 8 updaters of the 4 KiB benchmark document put about a third of the process's samples in the full
 * copies this replaced). A typed model's input is decoded from a copy made ahead: while a batch
 * waits for the disk, a helper thread copies the tree it commits once per commit of the batch, and
 * the next batch's operators take those copies, brought up to date by identity with what changed
 * since ({@link TreeCopies}). If the file lock cannot be had, only the leader's own commit fails;
 * the others stay queued, each waiting on its own deadline. All mutable state ({@link #cache},
 * {@link #permissions}, the {@link ChangeLog}) is used only while holding {@code state} together
 * with the file lock.
 *
 * <p>System calls per batch (Durability.NONE, 3 backups; FULL adds an fsync of the temp file on its
 * writing descriptor, an open, fsync and close of the directory on a helper thread, and at the same
 * time an fdatasync of the log: see {@link CommitWriter}): the lock file is kept open for the
 * engine's life ({@link FileLock#keepOpen()}), so locking is {@code flock} and one {@code stat} of
 * the lock path (the replaced-file check); loading is one {@code stat} of the document (size and
 * permissions), open, read, read to the end, close, and one {@code stat} of the log (identity and
 * size: no {@code fstat}); writing is, for a new temp file, its open (with the document's
 * permissions), a {@code chmod} (a directory's default ACL overrides the umask at creation), write
 * and close, or, in the steady state, the spare's {@code stat}, the open-elsewhere check (open, two
 * {@code fcntl}, close), open, {@code pwrite}, close ({@code chmod} only if the permissions
 * changed); then a {@code stat} of the lock path ({@code isValid}), the backup rotation (three
 * renames and a link for 3 backups: the oldest to a new spare name, the others up), the rename over
 * the document, another {@code isValid}, the log line at its known offset ({@code pwrite}) and the
 * unlock. The spare costs four system calls more than a new temp file but spares allocating and
 * freeing an inode and its blocks, which cost far more in the fsyncs (see {@link CommitWriter}).
 *
 * <p>Tried and dropped (session 17, old and new library alternating in {@code DocsCeiling}, the
 * disk's fast state; docs/benchmarks.md "Session 17 runs: documents"): fewer helper hops by
 * spinning. (1) The directory's fsync helper, back from its fsync, spun up to 250 µs for the
 * batch's wake-ups and ran them itself (no waker thread woken): Lockstep 8t over fsync-rename 3.83x
 * and 4.07x against 4.40x and 4.23x for the old code, over the plain 8-caller floor of the same
 * rounds 0.676 and 0.756 against 0.771 and 0.771. (2) That plus a helper woken at the drain,
 * spinning up to 300 µs until the operators handed it the lines: 4.28x and 4.13x against 4.78x and
 * 4.98x, the slow state too (4.85x, 5.64x against 6.21x, 5.75x). On these 2 vCPUs a spinning helper
 * costs more than the hop it saves (the syncs and the callers' wake-ups run beside it). Not tried:
 * encoding only the batch's last state on the leader: the log's content must stay exact, and
 * whether an intermediate state's YAML can be written by the trusted emitter (else the state is
 * encoded and decoded by the codec, which changes the tree the next operator gets) is only known by
 * emitting it.
 */
final class DocumentEngine<T> {
  private static final Logger LOG = LoggerFactory.getLogger(DocumentEngine.class);

  private final DocumentFilesLayout layout;
  private final DocumentCodec<T> codec;
  private final DocumentOptions options;
  private final DocumentFiles files;
  private final FileLock lock;
  private final FileLock.KeepOpen lockFileOpen; // no open/close of the lock file per commit
  private final ChangeLog log;
  private final CommitWriter writer;
  private final String source;
  private final ReentrantLock state = new ReentrantLock();
  private final GroupCommitter<T> committer = new GroupCommitter<>();
  private final TreeCopies copies = new TreeCopies(); // the operators' inputs, made ahead
  private Staged<T> cache;
  private Set<PosixFilePermission> permissions; // the document's, as the last load read them
  private boolean leftoversRemoved; // by the first batch; under state and the file lock

  DocumentEngine(
      DocumentFilesLayout layout,
      DocumentCodec<T> codec,
      DocumentOptions options,
      DocumentFiles files,
      FileLock lock) {
    this.layout = layout;
    this.codec = codec;
    this.options = options;
    this.files = files;
    this.lock = lock;
    this.lockFileOpen = lock.keepOpen();
    this.log = new ChangeLog(layout.changeLog(), files);
    this.writer = new CommitWriter(layout, files, options.durability() == Durability.FULL);
    this.source = layout.document().toString();
  }

  DocumentFilesLayout layout() {
    return layout;
  }

  DocumentCodec<T> codec() {
    return codec;
  }

  DocumentOptions options() {
    return options;
  }

  DocumentFiles files() {
    return files;
  }

  ChangeLog log() {
    return log;
  }

  /** Commits {@code op} (batched with concurrent ones when group commit is on). */
  Versioned<T> submit(PendingCommit<T> op) throws IOException, InterruptedException {
    if (!options.groupCommit()) {
      runBatch(() -> List.of(op), op);
      return op.answer();
    }
    return committer.submit(
        op,
        op.startNanos + options.retryDeadline().toNanos(),
        this::runBatch,
        () ->
            new LockTimeoutException(
                "document " + layout.document(),
                layout.lockFile(),
                options.retryDeadline(),
                "another thread of this JVM committing to the same document"));
  }

  /** Runs {@code task} under the file lock (with the retry policy) and the engine's state lock. */
  <R> R locked(long startNanos, LockedTask<R> task) throws IOException, InterruptedException {
    try (FileLockHandle h = acquire(startNanos)) {
      state.lock();
      try {
        return task.run(h);
      } finally {
        state.unlock();
      }
    }
  }

  /** Work done under the document's lock. */
  @FunctionalInterface
  interface LockedTask<R> {
    R run(FileLockHandle handle) throws IOException;
  }

  /**
   * Runs one batch: takes the file lock, loads the document, and only then takes the queued commits
   * ({@code drain}), so that callers arriving while the lock is taken still join.
   */
  private void runBatch(Supplier<List<PendingCommit<T>>> drain, PendingCommit<T> leaderOp) {
    FileLockHandle handle;
    try {
      handle = acquire(leaderOp.startNanos);
    } catch (IOException | InterruptedException | RuntimeException e) {
      committer.remove(leaderOp); // the others stay queued, each on its own deadline
      leaderOp.fail(e);
      return;
    }
    List<PendingCommit<T>> batch = new ArrayList<>();
    try (handle) {
      state.lock();
      try {
        commitBatch(drain, batch, handle);
      } finally {
        state.unlock();
      }
    } catch (RuntimeException | Error e) {
      if (batch.isEmpty()) {
        batch.addAll(drain.get()); // failed before taking the queue: fail it, or it would retry
      }
      for (PendingCommit<T> op : batch) {
        op.fail(e);
      }
    }
  }

  private void commitBatch(
      Supplier<List<PendingCommit<T>>> drain, List<PendingCommit<T>> batch, FileLockHandle handle) {
    removeLeftoversOnce();
    List<byte[]> lines = new ArrayList<>();
    Change[] lastChange = new Change[1];
    Staged<T> start;
    try {
      start = load(lines, lastChange);
    } catch (IOException | RuntimeException e) {
      cache = null;
      batch.addAll(drain.get());
      batch.forEach(op -> op.fail(e));
      return;
    }
    batch.addAll(drain.get());
    Staged<T> current = start;
    List<PendingCommit<T>> accepted = new ArrayList<>();
    List<Versioned<T>> replies = new ArrayList<>();
    List<BatchLines.Planned> planned = new ArrayList<>();
    for (PendingCommit<T> op : batch) {
      try {
        Step<T> step = step(op, current);
        if (step.line != null) {
          planned.add(step.line);
        }
        current = step.next;
        accepted.add(op);
        replies.add(step.reply);
      } catch (IOException | RuntimeException e) {
        op.fail(e);
      }
    }
    boolean changed = !planned.isEmpty();
    if (changed && start.invalidLine != null) {
      lines.add(0, start.invalidLine);
    }
    if (changed
        && current.tree != null
        && !(codec instanceof TreeCodec<T> tc && tc.valueIsTree())) {
      // a typed model's next inputs, copied while this batch waits for the disk
      copies.prepare(current.tree, accepted.size(), current.bytes.length);
    }
    BatchLines batchLines = new BatchLines(log, lines, lastChange[0], planned, this::change);
    try {
      if (!batchLines.isEmpty()) {
        // the lines' hashes, diffs and formatting run beside the temp file's write
        writer.commit(
            changed ? current.bytes : null,
            start.exists(),
            permissions,
            handle,
            batchLines.start());
      }
    } catch (IOException | RuntimeException e) {
      cache = null;
      accepted.forEach(op -> op.fail(e));
      return;
    }
    if (changed) {
      current.sha = batchLines.lastSha();
    }
    cache = current;
    for (int i = 0; i < accepted.size(); i++) {
      accepted.get(i).complete(replies.get(i));
    }
  }

  /**
   * Removes, at this engine's first commit, the temp files crashed writes of the document left and
   * the spare files of every writer (of dead ones, which would pile up; live ones' writers make a
   * new temp file instead). Under the lock every such temp file is a leftover, not a write in
   * progress. Done here, not when a store opens, so that opening a store to read or verify changes
   * nothing (verify reports temp files); recover() removes them too. A failure is only logged: the
   * commit goes on, and the next engine or recover() tries again.
   */
  private void removeLeftoversOnce() {
    if (leftoversRemoved) {
      return;
    }
    leftoversRemoved = true;
    try {
      List<Path> removed = AtomicFile.removeLeftovers(layout.document(), Duration.ZERO);
      if (!removed.isEmpty()) {
        LOG.warn("removed temp files left by a crashed write of {}: {}", source, removed);
      }
      List<Path> spares = CommitWriter.removeSpares(layout, files);
      if (!spares.isEmpty()) {
        LOG.debug("removed spare files of {}: {}", source, spares);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot remove what crashed writes of {} left", source, e);
    }
  }

  /** A commit's next state, its log line to compute (null: nothing changed) and its answer. */
  private record Step<T>(Staged<T> next, BatchLines.Planned line, Versioned<T> reply) {}

  private Step<T> step(PendingCommit<T> op, Staged<T> cur) throws IOException {
    T input = null;
    if (cur.exists() && op.needsCurrent) {
      if (cur.invalid != null) {
        throw cur.invalid;
      }
      input = cur.take();
      if (input == null) {
        input =
            cur.tree != null && codec instanceof TreeCodec<T> tc
                ? tc.fromTree(
                    tc.valueIsTree() ? LazyTrees.copyOf(cur.tree) : copies.copyOf(cur.tree), source)
                : codec.decode(cur.bytes, source);
      }
      if (cur.tree == null && codec instanceof TreeCodec<T> tc) {
        cur.tree = storedTree(tc, input);
      }
    }
    T out = op.body.apply(input, cur.revision);
    if (out == null) {
      if (input == null) {
        throw new NoSuchFileException(source, null, "the document does not exist");
      }
      return new Step<>(cur, null, new Versioned<>(input, cur.revision));
    }
    if (cur.floor == Long.MAX_VALUE) {
      throw new InvalidDocumentException(
          source,
          List.of(
              new InvalidDocumentException.Problem(
                  0, "revision " + Long.MAX_VALUE + " is the last one: no commit can follow it")));
    }
    long next = cur.floor + 1;
    // the operator's private copy, returned: no need to copy it again to set the revision
    T withRevision =
        out == input && codec instanceof TreeCodec<T> tc
            ? tc.withRevisionOwned(out, next)
            : codec.withRevision(out, next);
    TreeCodec.Encoded trusted =
        codec instanceof TreeCodec<T> tc ? tc.encodeTrusted(withRevision, cur.encoded) : null;
    byte[] bytes;
    T fresh;
    JsonNode tree;
    long kept;
    if (trusted != null) {
      // a trusted encoder: decoding the bytes would give this tree, so skip the decode
      bytes = trusted.bytes();
      tree = trusted.tree();
      fresh = null; // rebuilt from a copy of the tree when the next commit needs it
      JsonNode revision = tree.get(JacksonCodec.REVISION);
      kept = revision != null && revision.canConvertToLong() ? revision.asLong() : 0;
    } else {
      bytes = codec.encode(withRevision);
      fresh = codec.decode(bytes, source);
      tree = codec instanceof TreeCodec<T> tc ? storedTree(tc, fresh) : null;
      kept = codec.revision(fresh);
    }
    if (kept != next) {
      throw new IllegalStateException(
          codec
              + " does not keep the revision of "
              + source
              + " (a typed model needs a revision property)");
    }
    // hash, patch and line are computed later, beside the temp file's write (BatchLines)
    boolean diffable = tree != null && cur.tree != null && cur.invalid == null;
    BatchLines.Planned line =
        new BatchLines.Planned(
            next, op.operation, bytes, diffable ? cur.tree : null, diffable ? tree : null);
    Staged<T> staged = new Staged<>(bytes, null, next, next, fresh, tree);
    staged.encoded = trusted; // its unchanged fields are copied by the next commit's encoding
    return new Step<>(staged, line, new Versioned<>(withRevision, next));
  }

  /**
   * The tree kept for a decoded value, a private copy that never changes. An untyped one is
   * normalized ({@link YamlEmitter#normalized(JsonNode)}: the integer kinds the emitter's output
   * decodes to): {@link LazyTrees} copies of it become operators' inputs, and their unopened parts
   * are kept by identity in the next state's tree, which must equal what decoding its bytes gives
   * (a hand-written {@code 0000000000000000001} decodes to a {@code LongNode}, the committed {@code
   * 1} to an {@code IntNode}).
   */
  private JsonNode storedTree(TreeCodec<T> tc, T value) {
    return tc.valueIsTree() ? YamlEmitter.normalized((JsonNode) value) : tc.tree(value);
  }

  /**
   * Reads the document and catches up with the log under the lock; when the document's hash is not
   * the last logged one, adds the line that records why (snapshot, recovered, external edit).
   */
  private Staged<T> load(List<byte[]> lines, Change[] lastChange) throws IOException {
    byte[] bytes;
    permissions = null;
    try {
      DocumentFiles.Content content = files.readWithPermissions(layout.document());
      bytes = content.bytes();
      permissions = content.permissions();
    } catch (NoSuchFileException missing) {
      bytes = null;
    }
    log.refresh(true);
    Optional<Change> last = log.last();
    long loggedRevision = last.map(Change::revision).orElse(0L);
    Staged<T> cached = cache;
    cache = null;
    if (bytes == null) {
      return new Staged<>(null, null, 0, loggedRevision, null, null);
    }
    // the bytes this engine committed or read last (compared in full): their hash is known
    String sha =
        cached != null && Arrays.equals(bytes, cached.bytes) ? cached.sha : Hashes.sha256(bytes);
    boolean logged = last.isPresent() && sha.equals(last.get().sha256());
    if (logged && cached != null && sha.equals(cached.sha)) {
      return cached.withFloor(Math.max(cached.revision, loggedRevision));
    }
    T value;
    try {
      value = codec.decode(bytes, source);
    } catch (InvalidDocumentException invalid) {
      // updates fail with this; a restore may replace it, logging the content first
      long revision = loggedRevision + 1;
      Change edit = change(revision, Change.Operation.EXTERNAL_EDIT, null, bytes, sha);
      return new Staged<>(bytes, sha, 0, revision, null, null, invalid, ChangeLog.format(edit));
    }
    long revision = codec.revision(value);
    JsonNode tree = codec instanceof TreeCodec<T> tc ? storedTree(tc, value) : null;
    if (!logged) {
      Change change = reconcile(bytes, sha, revision, tree, last, lines);
      lastChange[0] = change;
    }
    return new Staged<>(bytes, sha, revision, Math.max(revision, loggedRevision), value, tree);
  }

  /**
   * The line explaining a document whose hash the log does not end with; added to {@code lines}.
   */
  Change reconcile(
      byte[] bytes,
      String sha,
      long revision,
      JsonNode tree,
      Optional<Change> last,
      List<byte[]> lines)
      throws IOException {
    Change.Operation operation;
    String patch = null;
    if (last.isEmpty()) {
      operation = Change.Operation.SNAPSHOT;
    } else {
      Optional<byte[]> previous = backupMatching(last.get());
      if (previous.isPresent() && revision > last.get().revision()) {
        operation = Change.Operation.RECOVERED;
        if (tree != null && codec instanceof TreeCodec<T> tc) {
          patch = TreeDiff.diff(tc.tree(codec.decode(previous.get(), source)), tree);
        }
      } else {
        operation = Change.Operation.EXTERNAL_EDIT;
      }
    }
    Change change = change(revision, operation, patch, bytes, sha);
    lines.add(ChangeLog.format(change));
    return change;
  }

  private Optional<byte[]> backupMatching(Change last) throws IOException {
    if (layout.backups() == 0) {
      return Optional.empty();
    }
    try {
      byte[] backup = files.read(layout.backup(1));
      return Hashes.sha256(backup).equals(last.sha256()) ? Optional.of(backup) : Optional.empty();
    } catch (NoSuchFileException missing) {
      return Optional.empty();
    }
  }

  Change change(long revision, Change.Operation operation, String patch, byte[] bytes, String sha) {
    return new Change(
        revision,
        Instant.now(),
        ProcessHandle.current().pid(),
        Hashes.HOST,
        options.owner(),
        operation,
        Optional.ofNullable(patch),
        patch == null
            ? Optional.of(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
            : Optional.empty(),
        sha);
  }

  /** Forgets the cached document (after recovery or compaction changed the files). */
  void invalidate() {
    cache = null;
    copies.clear();
    log.reset();
  }

  void close() {
    state.lock();
    try {
      log.close();
      writer.close();
      cache = null;
      copies.clear();
    } finally {
      state.unlock();
      lockFileOpen.close();
    }
  }

  private long remainingNanos(long startNanos) {
    return Math.max(0, startNanos + options.retryDeadline().toNanos() - System.nanoTime());
  }

  /** The file lock, retrying timeouts with exponential backoff and jitter up to the deadline. */
  private FileLockHandle acquire(long startNanos) throws IOException, InterruptedException {
    long backoff = options.initialBackoff().toNanos();
    for (int attempt = 0; ; attempt++) {
      long remaining = remainingNanos(startNanos);
      Duration timeout = Duration.ofNanos(Math.min(options.lockTimeout().toNanos(), remaining));
      try {
        return lock.acquire(timeout);
      } catch (LockTimeoutException e) {
        remaining = remainingNanos(startNanos);
        if (attempt >= options.retries() || remaining <= 0) {
          throw e;
        }
        long capped = Math.min(backoff, options.maxBackoff().toNanos());
        long sleep = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        TimeUnit.NANOSECONDS.sleep(Math.min(sleep, remaining));
        backoff = Math.min(Long.MAX_VALUE / 2, backoff * 2);
      }
    }
  }
}
