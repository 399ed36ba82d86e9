package dev.lockstep.doc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties over random models and random documents, from fixed seeds (a failure names its seed
 * and case). {@code -Dlockstep.workflow.cases=N} runs N cases per property (default 300).
 *
 * <p>Shown to fail: with {@link WorkflowTask#toMarkdown()} leaving out the space after the
 * checkbox, the codec refused its own output in the first case of {@link
 * #randomModelsSurviveEncodeAndDecode} and {@link #randomLayoutsRoundTripByteForByte}; with the
 * renderer dropping the trailing blank lines, {@link #randomLayoutsRoundTripByteForByte} failed at
 * the first case and {@link #mutatedDocumentsRoundTripOrAreRefusedWithLineNumbers} at the 34th.
 */
class WorkflowPropertyTest {
  static final DocumentCodec<Workflow> CODEC = Workflow.codec();
  static final int CASES = Integer.getInteger("lockstep.workflow.cases", 300);
  static final long SEED = Long.getLong("lockstep.workflow.seed", 20260121L);

  /** Pieces random text is made of: markup look-alikes, separators, several scripts, emoji. */
  static final String[] PIECES = {
    "a",
    "Z",
    "0",
    "7",
    " ",
    "  ",
    "\t",
    ":",
    "**",
    "*",
    "#",
    "## ",
    "- ",
    "[ ]",
    "[x]",
    "[~]",
    "]",
    "[",
    "`",
    "|",
    "/",
    "\\",
    "<b>",
    "&amp;",
    "é",
    "ß",
    "日本語",
    "кот",
    "עברית",
    "🚀",
    "👩‍👩‍👧‍👦",
    "e\u0301",
    "\u00a0",
    "\u2003",
    "\u0000",
    "Wave 2/5",
    "2026-01-21T10:00:00Z",
    "**Status:**"
  };

  static String text(Random r, int maxPieces) {
    StringBuilder s = new StringBuilder();
    int n = 1 + r.nextInt(maxPieces);
    for (int i = 0; i < n; i++) {
      s.append(PIECES[r.nextInt(PIECES.length)]);
    }
    return s.toString().isBlank() ? "t" + s : s.toString();
  }

  static String id(Random r) {
    String id = text(r, 4).replaceAll("[\\s\u00a0\u2003]", "_");
    return id.isEmpty() ? "wf" : id;
  }

  static Instant instant(Random r) {
    Instant second = Instant.ofEpochSecond(r.nextLong(4_102_444_800L));
    return switch (r.nextInt(5)) {
      case 0 -> second;
      case 1 -> r.nextBoolean() ? Instant.MIN : Instant.MAX.minusNanos(r.nextInt(2));
      case 2 -> second.plusMillis(1 + r.nextInt(999));
      case 3 -> second.plusNanos(1_000 * (1 + r.nextInt(999_999)));
      default -> second.plusNanos(1 + r.nextInt(999_999_999));
    };
  }

  static List<WorkflowTask> tasks(Random r, WorkflowTask.State only) {
    List<WorkflowTask> tasks = new ArrayList<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      WorkflowTask.State state = only != null ? only : WorkflowTask.State.values()[r.nextInt(3)];
      tasks.add(new WorkflowTask(state, text(r, 6)));
    }
    return tasks;
  }

  static Workflow model(Random r) {
    int total = 1 + r.nextInt(20);
    Workflow w =
        Workflow.create(
                text(r, 8), id(r), WorkflowStatus.of(1 + r.nextInt(total), total), instant(r))
            .withUpdated(instant(r))
            .withRevision(r.nextBoolean() ? 0 : 1 + r.nextLong(Long.MAX_VALUE))
            .withCompleted(tasks(r, WorkflowTask.State.DONE))
            .withCurrentWave(tasks(r, null));
    List<WorkflowWave> waves = new ArrayList<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      waves.add(new WorkflowWave(text(r, 3), tasks(r, WorkflowTask.State.PENDING)));
    }
    List<WorkflowNote> notes = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      notes.add(new WorkflowNote(instant(r), text(r, 10)));
    }
    return w.withPendingWaves(waves).withNotes(notes);
  }

  /** {@code canonical} with random blank lines, line ending and final newline. */
  static String relayout(Random r, String canonical) {
    String[] blanks = {"", " ", "\t", "  \t ", "\u2003"};
    StringBuilder out = new StringBuilder();
    String eol = r.nextBoolean() ? "\n" : "\r\n";
    List<String> lines = new ArrayList<>(canonical.lines().toList());
    lines.add(null); // the end, after which trailing blank lines may follow
    boolean first = true;
    for (String line : lines) {
      for (int b = r.nextInt(4) == 0 ? r.nextInt(3) : 0; b > 0; b--) {
        out.append(first ? "" : eol).append(blanks[r.nextInt(blanks.length)]);
        first = false;
      }
      if (line != null) {
        out.append(first ? "" : eol).append(line);
        first = false;
      }
    }
    return r.nextBoolean() ? out + eol : out.toString();
  }

  @Test
  void randomModelsSurviveEncodeAndDecode() {
    for (int i = 0; i < CASES; i++) {
      Random r = new Random(SEED + i);
      Workflow w = model(r);
      byte[] bytes = CODEC.encode(w);
      Workflow back = CODEC.decode(bytes, "case-" + i);
      assertEquals(w, back, "seed " + (SEED + i));
      assertArrayEquals(
          bytes, CODEC.encode(back), "encode is not a fixed point, seed " + (SEED + i));
    }
  }

  @Test
  void randomLayoutsRoundTripByteForByte() {
    for (int i = 0; i < CASES; i++) {
      Random r = new Random(SEED + i);
      Workflow w = model(r);
      String doc = relayout(r, new String(CODEC.encode(w), UTF_8));
      Workflow decoded = CODEC.decode(doc.getBytes(UTF_8), "case-" + i);
      assertEquals(w, decoded, "seed " + (SEED + i));
      assertEquals(doc, new String(CODEC.encode(decoded), UTF_8), "seed " + (SEED + i));

      long next = 1 + r.nextLong(Long.MAX_VALUE);
      String bumped = new String(CODEC.encode(CODEC.withRevision(decoded, next)), UTF_8);
      String revisionLine = "**Revision:** " + next;
      List<String> after = new ArrayList<>(bumped.lines().toList());
      assertTrue(after.remove(revisionLine), "seed " + (SEED + i));
      List<String> before = new ArrayList<>(doc.lines().toList());
      before.removeIf(l -> l.startsWith("**Revision:** "));
      assertEquals(before, after, "withRevision changed more than its line, seed " + (SEED + i));
    }
  }

  /**
   * Random byte edits of valid documents: decode either accepts the result, and then renders it
   * back byte for byte, or refuses it with problems on lines that exist; nothing else escapes.
   */
  @Test
  void mutatedDocumentsRoundTripOrAreRefusedWithLineNumbers() {
    int accepted = 0;
    for (int i = 0; i < CASES * 3; i++) {
      Random r = new Random(SEED + i);
      byte[] doc = relayout(r, new String(CODEC.encode(model(r)), UTF_8)).getBytes(UTF_8);
      byte[] mutated = mutate(r, doc);
      int lines = 1;
      for (byte b : mutated) {
        lines += b == '\n' ? 1 : 0;
      }
      try {
        Workflow w = CODEC.decode(mutated, "case-" + i);
        accepted++;
        assertArrayEquals(mutated, CODEC.encode(w), "seed " + (SEED + i));
      } catch (InvalidDocumentException e) {
        for (InvalidDocumentException.Problem p : e.problems()) {
          assertTrue(p.line() >= 0 && p.line() <= lines, e.getMessage());
        }
      }
    }
    assertTrue(accepted > 0, "no mutation kept the document valid: the test tests nothing");
  }

  static byte[] mutate(Random r, byte[] doc) {
    byte[] out = doc.clone();
    byte[] alphabet = " \n\r\t#*-[]x~:0123456789aZ".getBytes(UTF_8);
    for (int m = 1 + r.nextInt(2); m > 0; m--) {
      int at = r.nextInt(out.length);
      byte b = r.nextInt(8) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
      switch (r.nextInt(3)) {
        case 0 -> out[at] = b;
        case 1 -> {
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at);
          longer[at] = b;
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
        default -> {
          if (out.length > 1) {
            byte[] shorter = new byte[out.length - 1];
            System.arraycopy(out, 0, shorter, 0, at);
            System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
            out = shorter;
          }
        }
      }
    }
    return out;
  }
}
