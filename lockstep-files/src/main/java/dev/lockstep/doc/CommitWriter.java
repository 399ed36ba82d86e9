package dev.lockstep.doc;

import dev.lockstep.file.FileLockHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Commits a batch the durable way, under the document's lock: temp file (the spare, see below, or a
 * new file; with the document's permissions as read under the same lock, fsynced on the descriptor
 * that wrote it), check the lock, rotate backups (the oldest moves to a new spare name, older ones
 * move up by renames onto the names so freed, and the old document becomes {@code NAME.backup.1} by
 * a hard link: nothing is copied, unlinked or freed), rename the temp file over the document, check
 * the lock again, append the batch's change-log lines, and then sync the directory and the log
 * <em>at the same time</em>: the directory's fsync on a helper thread while the committing thread
 * fdatasyncs the log. The caller returns only once both are on the disk.
 *
 * <p>Implementation notes. The two syncs are independent (one makes the rename durable, the other
 * the log line), so running them together saves one of the two waits for the disk (on ext4 they
 * often share one journal commit). The price is the order in which they may reach the disk if the
 * machine loses power in between: the log line may be durable while the rename is not (the log
 * names a revision the document never reached) or the other way round (a document revision the log
 * lacks); {@code recover()} repairs both (it moves the first kind of line to {@code LOG.discarded}
 * and logs the second kind as recovered). A process crash (SIGKILL) cannot reorder them: the page
 * cache keeps what was written, and the line is written after the rename. If either sync (or the
 * log's write) fails, the commit is undone: the log is cut back to where it was (and that cut
 * fsynced), the document renamed back from {@code NAME.backup.1}, the directory fsynced again, and
 * the caller gets the IOException (a second failure suppressed in it); only the undo's own failure
 * leaves something for {@code recover()}.
 *
 * <p>The rotation comes after the temp file's fsync, not beside it: rotating on a helper thread
 * while the committing thread wrote and fsynced the temp file (no new crash state: the rotation
 * only renames backups and links the old document) was measured slower on ext4, in alternating 1 s
 * rounds on one store: 3.5 % with 8 threads (5,357 vs 5,551 updates/s), 10 % with one (1,258 vs
 * 1,399/s). Probably a rename or link that starts while an fsync commits the journal waits for that
 * commit, so nothing overlaps and the hand-off to the helper is added. Two more measured no's
 * (session 10, alternating JMH jars, 8 threads): syncing the log first and the directory after it
 * on the committing thread (on ext4 the log's commit carries the renames, and a block the log's
 * writeback allocates would then never need a second commit) was 0.90–0.93x; and flushing the spare
 * with fdatasync instead of fsync measured the same on this disk (130–139 µs either way in a probe
 * of this commit's cycle: the spare's length does not change, so only its times differ).
 *
 * <p>Spares. The oldest backup that a rotation drops is not unlinked but kept, as {@code
 * .NAME.spare-<16 hex>}, and the next commit of this writer overwrites it in place as its temp file
 * ({@link DocumentFiles#rewrite}): no inode or block is allocated or freed on the commit path
 * (measured on ext4 mounted with {@code discard}: a freed inode and its block cost ~150 µs in the
 * rename that frees them and in the next fsync, a new inode and block ~100 µs in the temp file's
 * fsync). A spare is reused only if it has no other name and no one else has it open (a reader of
 * an old document or backup never sees it change); otherwise it is unlinked and a new temp file
 * made. It lives from one commit to the next of this writer (one per engine, so one per JVM and
 * document unless stores differ in options), is deleted when the engine closes, and what a killed
 * process leaves is deleted, like temp files, by {@code recover()} and by an engine's first commit
 * (not by opening a store, so that reading and verifying change nothing). Deleting another writer's
 * spare is harmless: that writer then makes a new temp file. A failure before the rename over the
 * document puts the backups back as they were (the dropped one too); a failure after it, which
 * undoes the rename, also does.
 *
 * <p>Tried and dropped (session 17): checking and opening the spare while the batch fills (its
 * stat, the open-elsewhere check and the open right after the load, 19 µs p50 with the disk fast;
 * only the {@code pwrite}, fsync and close after the operators; the lock is held throughout). In
 * {@code DocsCeiling}, old and new library alternating, the five pairs with fast rounds on both
 * sides: Lockstep 8t over fsync-rename 4.39x → 4.39x, 4.33x → 5.00x, 4.29x → 4.16x, 3.92x → 4.90x,
 * 4.77x → 4.12x (better in 2, worse in 2; pooled 4.39x → 4.53x), over the plain 8-caller floor of
 * the same rounds better in 3 and even in 2 (pooled 0.750 → 0.774); {@code DocsPaired} had no fast
 * round for the new code and read lower in the slow state (6.11x, 6.63x against 8.08x, 7.19x). Not
 * better in most pairs on the target's own ratio, for ~100 lines more: reverted.
 */
final class CommitWriter {
  private static final int CREATE_ATTEMPTS = 8;

  /**
   * Runs a commit's side work while the committing thread waits for the disk: directory fsyncs
   * beside the log's, and a batch's log lines beside the temp file's ({@link BatchLines}); idle
   * threads expire.
   */
  static final ExecutorService HELPERS =
      Executors.newCachedThreadPool(
          task -> {
            Thread t = new Thread(task, "lockstep-commit-helper");
            t.setDaemon(true);
            return t;
          });

  /** The change-log lines of a batch, and the last change they hold. */
  record LogLines(ChangeLog log, List<byte[]> lines, Change last) {}

  /**
   * What a backup rotation did, to undo it: the renames in order (from, to), whether the document
   * got its {@code backup.1} link, and the spare the oldest backup became ({@code null}: none).
   */
  private record Rotation(List<Path[]> moves, boolean linked, Path freed) {
    static final Rotation NONE = new Rotation(List.of(), false, null);
  }

  private final DocumentFilesLayout layout;
  private final DocumentFiles files;
  private final boolean sync;
  private Path spare; // the next commit's temp file, a former backup; used under the engine's state

  CommitWriter(DocumentFilesLayout layout, DocumentFiles files, boolean sync) {
    this.layout = layout;
    this.files = files;
    this.sync = sync;
  }

  /**
   * Commits a batch: replaces the document with {@code content} (unless {@code null}: the batch
   * only logs, e.g. an external edit found on load), appends the batch's log lines and, when
   * durable, syncs the directory and the log together.
   *
   * @param existed whether the document existed before (then it becomes backup 1)
   * @param permissions the document's permissions, read under the same lock, for the new content
   *     ({@code null}: new document or no POSIX permissions: the creation default)
   * @param lines the batch's log lines, asked for once the temp file is durable and before the lock
   *     check and the rename (they may be computed meanwhile: {@link BatchLines}); a failure to get
   *     them leaves nothing written
   * @throws LockLostException if the lock file was deleted or replaced
   * @throws IOException if a step failed; the document and the log are then as they were (unless
   *     the message says the undo failed too: then run recover())
   */
  void commit(
      byte[] content,
      boolean existed,
      Set<PosixFilePermission> permissions,
      FileLockHandle lock,
      Supplier<LogLines> lines)
      throws IOException {
    Rotation rotation = Rotation.NONE;
    LogLines log;
    if (content != null) {
      // the document and its backups are as they were if this throws
      LogLines[] got = new LogLines[1];
      rotation = write(content, existed, permissions, lock, () -> got[0] = lines.get());
      log = got[0];
    } else {
      log = lines.get();
    }
    CompletableFuture<Void> directory = null;
    boolean appending = false;
    long logStart = -1;
    try {
      if (content != null && sync) {
        directory = syncDirectoryInBackground();
      }
      if (!lock.isValid()) {
        throw new LockLostException(layout.document(), lock.path());
      }
      appending = true;
      logStart = log.log().append(log.lines(), log.last());
      if (sync) {
        log.log().sync();
      }
      if (directory != null) {
        CompletableFuture<Void> pending = directory;
        directory = null;
        await(pending);
      }
      keepSpare(rotation);
    } catch (IOException | RuntimeException e) {
      if (directory != null) {
        try {
          await(directory); // never undo while the directory's fsync may still run
        } catch (IOException | RuntimeException also) {
          e.addSuppressed(also);
        }
      }
      if (appending) {
        cutBack(log.log(), logStart, e);
      }
      if (content != null && e instanceof IOException io) {
        throw undoAfter(io, existed, rotation);
      }
      keepSpare(rotation); // not undone: the rotation stands
      throw e;
    }
  }

  private void keepSpare(Rotation rotation) {
    if (rotation.freed() != null) {
      spare = rotation.freed();
    }
  }

  /** Deletes this writer's spare (when the engine closes); a failure leaves it for recover(). */
  void close() {
    Path s = spare;
    spare = null;
    if (s != null) {
      try {
        files.delete(s);
      } catch (IOException | RuntimeException leftForRecover) {
        // removed by recover() or the next engine's first commit
      }
    }
  }

  /**
   * Deletes the spares of every writer of this document (under its lock: crash leftovers, or live
   * ones, whose writers then make new temp files).
   *
   * @return the spares deleted
   */
  static List<Path> removeSpares(DocumentFilesLayout layout, DocumentFiles files)
      throws IOException {
    List<Path> removed = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(
            layout.directory(), p -> layout.isSpare(p.getFileName().toString()))) {
      for (Path spare : entries) {
        if (files.delete(spare)) {
          removed.add(spare);
        }
      }
    }
    return removed;
  }

  /** Cuts the log back to {@code start} ({@code -1}: its append failed and cut itself back). */
  private void cutBack(ChangeLog log, long start, Exception cause) {
    try {
      if (start >= 0) {
        log.cutBack(start, sync);
      }
    } catch (IOException | RuntimeException cut) {
      cause.addSuppressed(cut);
    } finally {
      log.reset();
    }
  }

  private CompletableFuture<Void> syncDirectoryInBackground() throws IOException {
    Path dir = layout.directory();
    try {
      return CompletableFuture.runAsync(
          () -> {
            try {
              files.syncDirectory(dir);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          },
          HELPERS);
    } catch (RejectedExecutionException noThread) {
      files.syncDirectory(dir); // no helper thread to be had: in series
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Waits (uninterruptibly) for a directory sync, rethrowing its failure. */
  private static void await(CompletableFuture<Void> sync) throws IOException {
    try {
      sync.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * Replaces the document with {@code content}, without syncing the directory ({@link #commit} does
   * that, together with the log).
   *
   * @param existed whether the document existed before (then it becomes backup 1)
   * @param permissions the document's permissions, read under the same lock, for the new content
   *     ({@code null}: new document or no POSIX permissions: the creation default)
   * @param afterTemp run once the temp file is durable, before the lock check (a failure there
   *     leaves nothing written)
   * @return what the backup rotation did (to undo it, or to keep its spare)
   * @throws LockLostException if the lock file was deleted or replaced (nothing written)
   * @throws IOException if a step failed; the document and its backups are then as they were
   */
  private Rotation write(
      byte[] content,
      boolean existed,
      Set<PosixFilePermission> permissions,
      FileLockHandle lock,
      Runnable afterTemp)
      throws IOException {
    Path doc = layout.document();
    Path temp = null;
    Rotation rotation = Rotation.NONE;
    try {
      temp = createTemp(content, permissions);
      afterTemp.run();
      if (!lock.isValid()) {
        throw new LockLostException(doc, lock.path());
      }
      if (existed) {
        rotation = rotateBackups();
      }
      files.rename(temp, doc);
      return rotation;
    } catch (IOException | RuntimeException | Error e) {
      try {
        unrotate(rotation, false);
      } catch (IOException | RuntimeException putBack) {
        e.addSuppressed(putBack);
      }
      if (temp != null) {
        deleteAfter(e, temp);
      }
      throw e;
    }
  }

  /**
   * Undoes a write whose follow-up failed, if backups allow it, and returns the exception to throw
   * (with the undo's own failure suppressed in it).
   */
  private IOException undoAfter(IOException cause, boolean existed, Rotation rotation) {
    Path doc = layout.document();
    try {
      if (!existed) {
        files.delete(doc);
      } else if (layout.backups() > 0) {
        unrotate(rotation, true);
      } else {
        return new IOException(
            "commit of "
                + doc
                + " failed after the rename ("
                + cause.getMessage()
                + "); with no backups it cannot be undone: the document holds the new content"
                + " but its change-log line is missing (recover() logs it)",
            cause);
      }
      if (sync) {
        files.syncDirectory(layout.directory());
      }
      return new IOException(
          "commit of " + doc + " failed (" + cause.getMessage() + "); the write was undone", cause);
    } catch (IOException | RuntimeException undo) {
      IOException e =
          new IOException(
              "commit of "
                  + doc
                  + " failed ("
                  + cause.getMessage()
                  + ") and could not be undone: run recover()",
              cause);
      e.addSuppressed(undo);
      return e;
    }
  }

  /**
   * Rotates the backups: the oldest becomes a new spare, each other moves up one number, the
   * document gets a {@code backup.1} link. Puts everything back if a step fails.
   */
  private Rotation rotateBackups() throws IOException {
    int n = layout.backups();
    if (n == 0) {
      return Rotation.NONE;
    }
    List<Path[]> moves = new ArrayList<>(n);
    Path freed = null;
    try {
      Path oldest = layout.backup(n);
      Path free = layout.newSpare(); // a free name: the rename frees nothing
      try {
        files.rename(oldest, free);
        moves.add(new Path[] {oldest, free});
        freed = free;
      } catch (NoSuchFileException missing) {
        // fewer backups so far
      }
      for (int i = n - 1; i >= 1; i--) {
        try {
          files.rename(layout.backup(i), layout.backup(i + 1));
          moves.add(new Path[] {layout.backup(i), layout.backup(i + 1)});
        } catch (NoSuchFileException missing) {
          if (i == n - 1 && freed != null) {
            // nothing moves up onto the oldest: it stays (as when renames went over it)
            files.rename(freed, oldest);
            moves.clear();
            freed = null;
          }
        }
      }
      try {
        files.link(layout.backup(1), layout.document());
      } catch (NoSuchFileException documentGone) {
        // deleted outside Lockstep since it was read: nothing to keep
        return new Rotation(moves, false, freed);
      } catch (FileAlreadyExistsException stray) {
        files.delete(layout.backup(1));
        files.link(layout.backup(1), layout.document());
      }
      return new Rotation(moves, true, freed);
    } catch (IOException | RuntimeException | Error e) {
      try {
        unrotate(new Rotation(moves, false, freed), false);
      } catch (IOException | RuntimeException putBack) {
        e.addSuppressed(putBack);
      }
      throw e;
    }
  }

  /**
   * Undoes a rotation: before the rename over the document ({@code renamed} false) by dropping the
   * {@code backup.1} link; after it by renaming {@code backup.1} back over the document (or, if
   * there was no document left to link, deleting the new one); then moves every backup back.
   */
  private void unrotate(Rotation rotation, boolean renamed) throws IOException {
    if (renamed) {
      if (rotation.linked()) {
        files.rename(layout.backup(1), layout.document());
      } else {
        files.delete(layout.document());
      }
    } else if (rotation.linked()) {
      files.delete(layout.backup(1)); // the document keeps its own name
    }
    List<Path[]> moves = rotation.moves();
    for (int i = moves.size() - 1; i >= 0; i--) {
      files.rename(moves.get(i)[1], moves.get(i)[0]);
    }
  }

  /** The spare, overwritten with {@code content}, or else a new temp file with it. */
  private Path createTemp(byte[] content, Set<PosixFilePermission> permissions) throws IOException {
    Path reused = spare;
    spare = null;
    if (reused != null) {
      boolean rewritten;
      try {
        rewritten = files.rewrite(reused, content, permissions, sync);
      } catch (IOException | RuntimeException e) {
        deleteAfter(e, reused);
        throw e;
      }
      if (rewritten) {
        return reused;
      }
      files.delete(reused); // not to be reused (or gone): a new temp file instead
    }
    for (int attempt = 1; ; attempt++) {
      Path candidate =
          layout
              .directory()
              .resolve(
                  layout.tempPrefix()
                      + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
      try {
        if (sync) {
          files.createSynced(candidate, content, permissions); // fsync on the writing descriptor
        } else if (permissions == null) {
          files.create(candidate, content);
        } else {
          files.create(candidate, content, permissions);
        }
        return candidate;
      } catch (FileAlreadyExistsException taken) {
        if (attempt == CREATE_ATTEMPTS) {
          throw taken;
        }
      } catch (IOException | RuntimeException e) {
        deleteAfter(e, candidate);
        throw e;
      }
    }
  }

  /** Deletes {@code file} after {@code failure}, adding a failure to delete it to that one. */
  private void deleteAfter(Throwable failure, Path file) {
    try {
      files.delete(file);
    } catch (IOException | RuntimeException cleanup) {
      failure.addSuppressed(cleanup);
    }
  }
}
