package dev.lockstep.doc;

import dev.lockstep.file.Durability;
import dev.lockstep.file.FileLockHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Rewrites a change log under the document's lock: a snapshot of the revision before the first kept
 * line, then the kept lines as they were; the new file replaces the old one by a rename.
 */
final class Compaction<T> {
  private final DocumentEngine<T> engine;
  private final String source;

  Compaction(DocumentEngine<T> engine, String source) {
    this.engine = engine;
    this.source = source;
  }

  int run(Retention retention, FileLockHandle handle) throws IOException {
    ChangeLog log = engine.log();
    ChangeLog.Scan scan = log.readAll();
    if (!scan.corrupt().isEmpty()) {
      ChangeLog.Corrupt first = scan.corrupt().get(0);
      throw new CorruptChangeLogException(log.path(), first.line(), first.problem());
    }
    List<ChangeLog.Line> lines = scan.lines();
    int firstKept = firstKept(lines, retention);
    if (firstKept <= 0) {
      return 0;
    }
    ChangeLog.Line before = lines.get(firstKept - 1);
    DocumentCodec<T> codec = engine.codec();
    T value = History.replay(lines, firstKept - 1, codec, source, log.path());
    byte[] content = codec.encode(value);
    Change snapshot =
        engine.change(
            before.change().revision(),
            Change.Operation.SNAPSHOT,
            null,
            content,
            Hashes.sha256(content));
    byte[] head = ChangeLog.format(snapshot);
    byte[] all = engine.files().read(log.path());
    long from = lines.get(firstKept).start();
    long to = lines.get(lines.size() - 1).end();
    byte[] rewritten = new byte[head.length + (int) (to - from)];
    System.arraycopy(head, 0, rewritten, 0, head.length);
    System.arraycopy(all, (int) from, rewritten, head.length, (int) (to - from));

    if (!handle.isValid()) {
      throw new LockLostException(engine.layout().document(), handle.path());
    }
    Path temp =
        log.path()
            .resolveSibling(
                "."
                    + log.path().getFileName()
                    + ".tmp-"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
    boolean sync = engine.options().durability() == Durability.FULL;
    try {
      engine.files().create(temp, rewritten);
      if (sync) {
        engine.files().sync(temp);
      }
      engine.files().rename(temp, log.path());
      temp = null;
      if (sync) {
        engine.files().syncDirectory(log.path().getParent());
      }
    } finally {
      if (temp != null) {
        engine.files().delete(temp);
      }
      engine.invalidate();
    }
    return firstKept;
  }

  private static int firstKept(List<ChangeLog.Line> lines, Retention retention) {
    if (lines.isEmpty()) {
      return 0;
    }
    return switch (retention) {
      case Retention.KeepLast k -> Math.max(0, lines.size() - k.lines());
      case Retention.OlderThan n -> {
        Instant cutoff = n.cutoff();
        int i = 0;
        while (i < lines.size() - 1 && lines.get(i).change().time().isBefore(cutoff)) {
          i++;
        }
        yield i;
      }
    };
  }
}
