package dev.lockstep.doc;

import dev.lockstep.file.FileLockHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Commits a batch the durable way, under the document's lock: temp file (created with the
 * document's permissions as read under the same lock, fsynced on the descriptor that wrote it),
 * check the lock, rotate backups (the old document becomes {@code NAME.backup.1} by a hard link, so
 * nothing is copied; older ones move up by renames over the next name, so nothing is unlinked),
 * rename over the document, check the lock again, append the batch's change-log lines, and then
 * sync the directory and the log <em>at the same time</em>: the directory's fsync on a helper
 * thread while the committing thread fdatasyncs the log. The caller returns only once both are on
 * the disk.
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
 */
final class CommitWriter {
  private static final int CREATE_ATTEMPTS = 8;

  /** Runs directory fsyncs while the committing thread syncs the log; idle threads expire. */
  private static final ExecutorService DIRECTORY_SYNCS =
      Executors.newCachedThreadPool(
          task -> {
            Thread t = new Thread(task, "lockstep-directory-sync");
            t.setDaemon(true);
            return t;
          });

  /** The change-log lines of a batch, and the last change they hold. */
  record LogLines(ChangeLog log, List<byte[]> lines, Change last) {}

  private final DocumentFilesLayout layout;
  private final DocumentFiles files;
  private final boolean sync;

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
   * @throws LockLostException if the lock file was deleted or replaced
   * @throws IOException if a step failed; the document and the log are then as they were (unless
   *     the message says the undo failed too: then run recover())
   */
  void commit(
      byte[] content,
      boolean existed,
      Set<PosixFilePermission> permissions,
      FileLockHandle lock,
      LogLines log)
      throws IOException {
    if (content != null) {
      write(content, existed, permissions, lock); // the document is as it was if this throws
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
        throw undoAfter(io, existed);
      }
      throw e;
    }
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
          DIRECTORY_SYNCS);
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
   * @throws LockLostException if the lock file was deleted or replaced (nothing written)
   * @throws IOException if a step failed; the document is then as it was
   */
  private void write(
      byte[] content, boolean existed, Set<PosixFilePermission> permissions, FileLockHandle lock)
      throws IOException {
    Path doc = layout.document();
    Path temp = null;
    try {
      temp = createTemp(content, permissions);
      if (!lock.isValid()) {
        throw new LockLostException(doc, lock.path());
      }
      if (existed) {
        rotateBackups();
      }
      files.rename(temp, doc);
      temp = null;
    } catch (IOException | RuntimeException | Error e) {
      if (temp != null) {
        try {
          files.delete(temp);
        } catch (IOException | RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
  }

  /**
   * Undoes a write whose follow-up failed, if backups allow it, and returns the exception to throw
   * (with the undo's own failure suppressed in it).
   */
  private IOException undoAfter(IOException cause, boolean existed) {
    Path doc = layout.document();
    try {
      if (!existed) {
        files.delete(doc);
      } else if (layout.backups() > 0) {
        files.rename(layout.backup(1), doc);
        for (int i = 2; i <= layout.backups(); i++) {
          try {
            files.rename(layout.backup(i), layout.backup(i - 1));
          } catch (NoSuchFileException missing) {
            break;
          }
        }
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

  private void rotateBackups() throws IOException {
    int n = layout.backups();
    if (n == 0) {
      return;
    }
    for (int i = n - 1; i >= 1; i--) {
      try {
        files.rename(layout.backup(i), layout.backup(i + 1));
      } catch (NoSuchFileException missing) {
        // fewer backups so far
      }
    }
    if (n == 1) {
      files.delete(layout.backup(1));
    }
    try {
      files.link(layout.backup(1), layout.document());
    } catch (NoSuchFileException documentGone) {
      // deleted outside Lockstep since it was read: nothing to keep
    } catch (FileAlreadyExistsException stray) {
      files.delete(layout.backup(1));
      files.link(layout.backup(1), layout.document());
    }
  }

  private Path createTemp(byte[] content, Set<PosixFilePermission> permissions) throws IOException {
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
        try {
          files.delete(candidate);
        } catch (IOException | RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
    }
  }
}
