package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The change-log lines of one batch: the lines its load already formatted (an external edit, a
 * recovered commit) and, for each commit, what its line needs — computed later, on a helper thread,
 * while the committing thread writes and fsyncs the document's temp file.
 *
 * <p>Implementation notes. A commit's line needs its content's SHA-256, the RFC 6902 patch from the
 * previous state's tree ({@link TreeDiff}) and the formatted, checksummed line: about a third of a
 * batch's CPU (measured: ~150 of ~450 µs for 8 updates of a 4 KiB YAML document), none of which the
 * temp file needs. The committer runs the operators, encodes each state and writes the last one;
 * {@link #start} hands the rest to a helper, and {@link CommitWriter} joins it after the temp file
 * is durable and before the lock check and the rename: a failure there leaves nothing written. The
 * trees and bytes handed over are never changed afterwards (each state's tree is a private copy,
 * the operators get copies of it), so the helper reads them without locking. The lines, their order
 * and their content are exactly those computed in line would be, except each line's timestamp,
 * taken when it is formatted.
 */
final class BatchLines {

  /**
   * One commit's line to compute: its revision and operation, its content, and its tree and the
   * previous state's (both null: log the full content).
   */
  record Planned(
      long revision, Change.Operation operation, byte[] bytes, JsonNode before, JsonNode after) {}

  /** Builds a commit's change record from its revision, operation, patch, content and hash. */
  @FunctionalInterface
  interface Changes {
    Change change(
        long revision, Change.Operation operation, String patch, byte[] bytes, String sha);
  }

  private final ChangeLog log;
  private final List<byte[]> formatted;
  private final Change formattedLast;
  private final List<Planned> planned;
  private final Changes changes;
  private String lastSha;

  /**
   * @param formatted lines already formatted, written first (in this order)
   * @param formattedLast the last change among {@code formatted} (null: none)
   */
  BatchLines(
      ChangeLog log,
      List<byte[]> formatted,
      Change formattedLast,
      List<Planned> planned,
      Changes changes) {
    this.log = log;
    this.formatted = formatted;
    this.formattedLast = formattedLast;
    this.planned = planned;
    this.changes = changes;
  }

  boolean isEmpty() {
    return formatted.isEmpty() && planned.isEmpty();
  }

  /**
   * Starts computing the lines on a helper thread (on this one if none can be had) and returns the
   * join: it waits uninterruptibly and rethrows a failure as it was thrown.
   */
  Supplier<CommitWriter.LogLines> start() {
    if (planned.isEmpty()) {
      CommitWriter.LogLines done = compute();
      return () -> done;
    }
    CompletableFuture<CommitWriter.LogLines> future;
    try {
      future = CompletableFuture.supplyAsync(this::compute, CommitWriter.HELPERS);
    } catch (RejectedExecutionException noThread) {
      future = CompletableFuture.completedFuture(compute());
    }
    CompletableFuture<CommitWriter.LogLines> lines = future;
    return () -> {
      try {
        return lines.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw e;
      }
    };
  }

  /** The last commit's content hash; set once the lines are computed (null before). */
  String lastSha() {
    return lastSha;
  }

  private CommitWriter.LogLines compute() {
    List<byte[]> lines = new ArrayList<>(formatted.size() + planned.size());
    lines.addAll(formatted);
    Change last = formattedLast;
    String sha = null;
    for (Planned p : planned) {
      sha = Hashes.sha256(p.bytes());
      String patch =
          p.before() != null && p.after() != null ? TreeDiff.diff(p.before(), p.after()) : null;
      last = changes.change(p.revision(), p.operation(), patch, p.bytes(), sha);
      lines.add(ChangeLog.format(last));
    }
    lastSha = sha;
    return new CommitWriter.LogLines(log, lines, last);
  }
}
