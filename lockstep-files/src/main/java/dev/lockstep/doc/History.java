package dev.lockstep.doc;

import com.fasterxml.jackson.databind.JsonNode;
import com.flipkart.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Rebuilds logged revisions: the last full content at or before a line, then its patches. */
final class History {
  private History() {}

  /** The index of the newest line with {@code revision}. */
  static int indexOf(List<ChangeLog.Line> lines, long revision, Path log) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).change().revision() == revision) {
        return i;
      }
    }
    String range =
        lines.isEmpty()
            ? "the log is empty"
            : "the log holds revisions "
                + lines.get(0).change().revision()
                + ".."
                + lines.get(lines.size() - 1).change().revision();
    throw new RevisionNotFoundException(
        log, "revision " + revision + " is not in the change log " + log + " (" + range + ")");
  }

  /** The document as it was after line {@code index}. */
  static <T> T replay(
      List<ChangeLog.Line> lines, int index, DocumentCodec<T> codec, String source, Path log) {
    int base = index;
    while (base >= 0 && lines.get(base).change().content().isEmpty()) {
      base--;
    }
    if (base < 0) {
      throw new RevisionNotFoundException(
          log,
          "revision "
              + lines.get(index).change().revision()
              + " cannot be rebuilt: no snapshot precedes it in "
              + log);
    }
    if (base == index || !(codec instanceof TreeCodec<T> tc)) {
      return codec.decode(
          content(lines.get(index)), source + "@" + lines.get(index).change().revision());
    }
    JsonNode tree = tc.tree(codec.decode(content(lines.get(base)), source));
    for (int i = base + 1; i <= index; i++) {
      ChangeLog.Line line = lines.get(i);
      tree =
          line.patch() != null
              ? JsonPatch.apply(line.patch(), tree)
              : tc.tree(codec.decode(content(line), source));
    }
    return tc.fromTree(tree, source + "@" + lines.get(index).change().revision());
  }

  private static byte[] content(ChangeLog.Line line) {
    return line.change().content().orElseThrow().getBytes(StandardCharsets.UTF_8);
  }
}
