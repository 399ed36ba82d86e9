package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.file.Durability;
import dev.lockstep.file.FileLockHandle;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@link DocumentStore#verify()} and {@link DocumentStore#recover()}, run under the document's
 * lock. Recovery never modifies the document itself: it removes temp files, cuts a torn log tail,
 * moves log lines the document never reached to {@code LOG.discarded}, and appends the line a
 * commit the log lacks (or an external edit) should have had.
 */
final class DocumentRecovery<T> {
  private final DocumentEngine<T> engine;
  private final DocumentFilesLayout layout;
  private final DocumentFiles files;
  private final Path logPath;

  DocumentRecovery(DocumentEngine<T> engine) {
    this.engine = engine;
    this.layout = engine.layout();
    this.files = engine.files();
    this.logPath = engine.log().path();
  }

  VerifyReport verify() throws IOException {
    List<Finding> findings = new ArrayList<>();
    long[] revisions = inspect(findings, null, null);
    return new VerifyReport(layout.document(), revisions[0], revisions[1], findings);
  }

  RecoveryReport recover(FileLockHandle handle) throws IOException {
    List<Finding> repaired = new ArrayList<>();
    List<Finding> unrepaired = new ArrayList<>();
    try {
      inspect(repaired, unrepaired, handle);
    } finally {
      engine.invalidate();
    }
    return new RecoveryReport(layout.document(), repaired, unrepaired);
  }

  /**
   * Finds (and, when {@code handle} is given, repairs) what is wrong. Without a handle everything
   * goes to {@code found}; with one, repaired findings go to {@code found}, the rest to {@code
   * left}.
   *
   * @return the document's revision and the last logged revision
   */
  private long[] inspect(List<Finding> found, List<Finding> left, FileLockHandle handle)
      throws IOException {
    boolean repair = handle != null;
    boolean sync = engine.options().durability() == Durability.FULL;
    // 1. temp files of crashed writes (of the document and of a compaction of the log)
    for (Path temp : temps()) {
      found.add(
          new Finding(Finding.Kind.TEMP_FILE, temp, "temp file left by a crashed write: " + temp));
      if (repair) {
        files.delete(temp);
      }
    }
    if (repair) {
      // spare files are no fault (a live writer keeps one; verify() does not report them), but
      // those of dead writers would pile up: remove them all (live writers make new temp files)
      CommitWriter.removeSpares(layout, files);
    }
    // 2. the log: corrupt lines (never repaired), a torn tail (cut)
    ChangeLog log = engine.log();
    ChangeLog.Scan scan = log.readAll();
    for (ChangeLog.Corrupt c : scan.corrupt()) {
      Finding f =
          new Finding(
              Finding.Kind.CORRUPT_LOG_LINE,
              logPath,
              logPath + ":" + c.line() + ": corrupt change-log line: " + c.problem());
      (repair ? left : found).add(f);
    }
    if (scan.tornBytes() > 0) {
      found.add(
          new Finding(
              Finding.Kind.TORN_LOG_TAIL,
              logPath,
              logPath + ": the last " + scan.tornBytes() + " bytes are a torn line (cut off)"));
      if (repair) {
        cut(scan.validEnd(), sync);
      }
    }
    List<ChangeLog.Line> lines = scan.lines();
    Optional<Change> last =
        lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(lines.size() - 1).change());
    long logged = last.map(Change::revision).orElse(0L);
    // 3. the document against the log
    byte[] bytes;
    try {
      bytes = files.read(layout.document());
    } catch (NoSuchFileException missing) {
      return new long[] {0, logged};
    }
    T value;
    try {
      value = engine.codec().decode(bytes, layout.document().toString());
    } catch (InvalidDocumentException e) {
      Finding f = new Finding(Finding.Kind.INVALID_DOCUMENT, layout.document(), e.getMessage());
      (repair ? left : found).add(f);
      return new long[] {0, logged};
    }
    long revision = engine.codec().revision(value);
    String sha = Hashes.sha256(bytes);
    if (last.isEmpty() || sha.equals(last.get().sha256())) {
      return new long[] {revision, logged};
    }
    if (logged > revision) {
      int match = lastLineWith(lines, sha, revision);
      if (match >= 0) {
        ChangeLog.Line keep = lines.get(match);
        found.add(
            new Finding(
                Finding.Kind.LOG_AHEAD_OF_DOCUMENT,
                logPath,
                logPath
                    + " names revisions "
                    + lines.get(match + 1).change().revision()
                    + ".."
                    + logged
                    + " that "
                    + layout.document()
                    + " (at revision "
                    + revision
                    + ") never reached; they are moved to "
                    + discarded()));
        if (repair) {
          byte[] all = files.read(logPath);
          byte[] tail = Arrays.copyOfRange(all, (int) keep.end(), (int) scan.validEnd());
          try (DocumentFiles.AppendFile out = files.openAppend(discarded())) {
            out.append(tail);
            if (sync) {
              out.sync();
            }
          }
          cut(keep.end(), sync);
        }
        return new long[] {revision, keep.change().revision()};
      }
    }
    JsonNode tree = engine.codec() instanceof TreeCodec<T> tc ? tc.tree(value) : null;
    List<byte[]> newLines = new ArrayList<>();
    Change change = engine.reconcile(bytes, sha, revision, tree, last, newLines);
    Finding.Kind kind =
        change.operation() == Change.Operation.RECOVERED
            ? Finding.Kind.UNLOGGED_COMMIT
            : Finding.Kind.EXTERNAL_EDIT;
    found.add(
        new Finding(
            kind,
            layout.document(),
            kind == Finding.Kind.UNLOGGED_COMMIT
                ? layout.document()
                    + " is at revision "
                    + revision
                    + " but the log ends at "
                    + logged
                    + " (a crash between rename and append); logged as recovered from "
                    + layout.backup(1)
                : layout.document()
                    + " (revision "
                    + revision
                    + ") was changed outside Lockstep after logged revision "
                    + logged
                    + "; logged as an external edit"));
    if (repair) {
      if (!handle.isValid()) {
        throw new LockLostException(layout.document(), handle.path());
      }
      try (DocumentFiles.AppendFile out = files.openAppend(logPath)) {
        out.append(newLines.get(0));
        if (sync) {
          out.sync();
        }
      }
    }
    return new long[] {revision, repair ? revision : logged};
  }

  private static int lastLineWith(List<ChangeLog.Line> lines, String sha, long revision) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      Change c = lines.get(i).change();
      if (c.sha256().equals(sha) && c.revision() == revision) {
        return i;
      }
    }
    return -1;
  }

  private Path discarded() {
    return logPath.resolveSibling(logPath.getFileName() + ".discarded");
  }

  private void cut(long size, boolean sync) throws IOException {
    try (DocumentFiles.AppendFile out = files.openAppend(logPath)) {
      out.truncate(size);
      if (sync) {
        out.sync();
      }
    }
  }

  private List<Path> temps() throws IOException {
    List<Path> result = new ArrayList<>();
    String docPrefix = layout.tempPrefix();
    String logPrefix = "." + logPath.getFileName() + ".tmp-";
    for (Path dir :
        new java.util.LinkedHashSet<>(List.of(layout.directory(), logPath.getParent()))) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path p : entries) {
          String name = p.getFileName().toString();
          boolean doc = dir.equals(layout.directory()) && name.startsWith(docPrefix);
          boolean lg = dir.equals(logPath.getParent()) && name.startsWith(logPrefix);
          if (doc || lg) {
            result.add(p);
          }
        }
      } catch (NoSuchFileException missing) {
        // no log directory yet
      }
    }
    return result;
  }
}
