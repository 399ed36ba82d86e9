package dev.lockstep.doc;

import dev.lockstep.file.FileLockHandle;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a document's new content the durable way, under its lock: temp file (created with the
 * document's permissions as read under the same lock, fsynced on the descriptor that wrote it),
 * check the lock, rotate backups (the old document becomes {@code NAME.backup.1} by a hard link, so
 * nothing is copied; older ones move up by renames over the next name, so nothing is unlinked),
 * rename over the document, fsync the directory. Can undo a write whose log line could not be
 * appended, by renaming {@code NAME.backup.1} back.
 */
final class CommitWriter {
  private static final int CREATE_ATTEMPTS = 8;

  private final DocumentFilesLayout layout;
  private final DocumentFiles files;
  private final boolean sync;

  CommitWriter(DocumentFilesLayout layout, DocumentFiles files, boolean sync) {
    this.layout = layout;
    this.files = files;
    this.sync = sync;
  }

  /**
   * Replaces the document with {@code content}.
   *
   * @param existed whether the document existed before (then it becomes backup 1)
   * @param permissions the document's permissions, read under the same lock, for the new content
   *     ({@code null}: new document or no POSIX permissions: the creation default)
   * @throws LockLostException if the lock file was deleted or replaced (nothing written)
   * @throws IOException if a step failed; the document is then as it was
   */
  void write(
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
    if (sync) {
      try {
        files.syncDirectory(layout.directory());
      } catch (IOException e) {
        throw undoAfter(e, existed);
      }
    }
  }

  /**
   * Undoes a write whose follow-up failed, if backups allow it, and returns the exception to throw
   * (with the undo's own failure suppressed in it).
   */
  IOException undoAfter(IOException cause, boolean existed) {
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
