package dev.lockstep.doc;

import static dev.lockstep.doc.WorkflowRoundTripTest.resource;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model: factories, invariants, withers, canonical rendering, equality. */
class WorkflowTest {
  static final DocumentCodec<Workflow> CODEC = Workflow.codec();
  static final Instant T0 = Instant.parse("2026-01-21T10:00:00Z");

  static Workflow example() throws IOException {
    return CODEC.decode(resource("valid/issue-example.md"), "STATE.md");
  }

  static String text(Workflow w) {
    return new String(CODEC.encode(w), UTF_8);
  }

  @Test
  void aWorkflowBuiltFromTheApiRendersAsTheIssueExample() throws IOException {
    Workflow built =
        Workflow.create("Ingest docs", "wf_1", WorkflowStatus.of(2, 5), T0)
            .withRevision(7)
            .withUpdated(Instant.parse("2026-01-21T10:05:00Z"))
            .withCompleted(List.of(WorkflowTask.done("fetch sources")))
            .withCurrentWave(
                List.of(
                    WorkflowTask.inProgress("parse pages"), WorkflowTask.pending("index pages")))
            .withPendingWaves(List.of(WorkflowWave.of("Wave 3", "summarize")))
            .addNote(Instant.parse("2026-01-21T10:04:00Z"), "retrying parse after timeout");
    assertEquals(new String(resource("valid/issue-example.md"), UTF_8), text(built));
    assertEquals(example(), built);
    assertEquals(example().hashCode(), built.hashCode());
  }

  @Test
  void aNewWorkflowRendersCanonically() {
    Workflow w = Workflow.create("Fresh", "wf_new", WorkflowStatus.of(1, 1), T0);
    assertEquals(
        """
        # Workflow: Fresh
        **Workflow ID:** wf_new
        **Status:** Wave 1/1
        **Started:** 2026-01-21T10:00:00Z
        **Updated:** 2026-01-21T10:00:00Z

        ## Completed
        ## Current Wave
        ## Pending Waves
        ## Notes
        """,
        text(w));
    assertEquals(0, CODEC.revision(w));
    assertTrue(w.isFinished());
  }

  @Test
  void theReadmesNewWorkflowExample() {
    Workflow fresh =
        Workflow.create("Ingest docs", "wf_2", WorkflowStatus.of(1, 3), T0)
            .withCurrentWave(List.of(WorkflowTask.pending("fetch sources")))
            .withPendingWaves(List.of(WorkflowWave.of("Wave 2", "parse pages", "index pages")));
    assertEquals(
        """
        # Workflow: Ingest docs
        **Workflow ID:** wf_2
        **Status:** Wave 1/3
        **Started:** 2026-01-21T10:00:00Z
        **Updated:** 2026-01-21T10:00:00Z

        ## Completed
        ## Current Wave
        - [ ] fetch sources
        ## Pending Waves
        ### Wave 2
        - [ ] parse pages
        - [ ] index pages
        ## Notes
        """,
        text(fresh));
  }

  @Test
  void withRevisionChangesOnlyTheRevisionLine() throws IOException {
    for (String name : List.of("issue-example.md", "blank-lines-everywhere.md", "unicode.md")) {
      for (String eol : List.of("\n", "\r\n")) {
        String original = new String(resource("valid/" + name), UTF_8).replace("\n", eol);
        Workflow decoded = CODEC.decode(original.getBytes(UTF_8), name);
        long next = CODEC.revision(decoded) + 1;
        String bumped = text(CODEC.withRevision(decoded, next));
        List<String> before = new ArrayList<>(original.lines().toList());
        List<String> after = new ArrayList<>(bumped.lines().toList());
        int at = after.indexOf("**Revision:** " + next);
        assertTrue(at > 0, bumped);
        after.remove(at);
        before.removeIf(l -> l.startsWith("**Revision:** "));
        assertEquals(before, after, name);
        assertEquals(
            original.replaceAll("\\*\\*Revision:\\*\\* [0-9]+" + eol, "").length(),
            bumped.length() - ("**Revision:** " + next + eol).length());
        assertEquals(next, CODEC.revision(CODEC.decode(bumped.getBytes(UTF_8), name)));
      }
    }
  }

  @Test
  void theFirstRevisionIsInsertedAfterTheStatusLine() throws IOException {
    String original = new String(resource("valid/no-revision-yet.md"), UTF_8);
    Workflow decoded = CODEC.decode(original.getBytes(UTF_8), "STATE.md");
    assertEquals(
        original.replace("**Status:** Wave 1/1\n", "**Status:** Wave 1/1\n**Revision:** 1\n"),
        text(decoded.withRevision(1)));
    assertEquals(original, text(decoded.withRevision(1).withRevision(0)));
    assertThrows(IllegalArgumentException.class, () -> decoded.withRevision(-1));
  }

  @Test
  void markingTasksChangesOnlyTheirLines() throws IOException {
    Workflow w = example().markDone("parse pages").markInProgress("index pages");
    assertEquals(
        new String(resource("valid/issue-example.md"), UTF_8)
            .replace("- [~] parse pages", "- [x] parse pages")
            .replace("- [ ] index pages", "- [~] index pages"),
        text(w));
    assertEquals(
        WorkflowTask.State.PENDING,
        w.withTaskState(1, WorkflowTask.State.PENDING).currentWave().get(1).state());
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> example().markDone("no such task"));
    assertEquals(
        "the current wave of workflow wf_1 has no task \"no such task\"", none.getMessage());
    Workflow twice =
        example().withCurrentWave(List.of(WorkflowTask.pending("a"), WorkflowTask.pending("a")));
    IllegalArgumentException ambiguous =
        assertThrows(IllegalArgumentException.class, () -> twice.markDone("a"));
    assertEquals(
        "the current wave of workflow wf_1 has several tasks \"a\" (positions 0 and 1): choose one"
            + " by position",
        ambiguous.getMessage());
    assertThrows(
        IndexOutOfBoundsException.class, () -> twice.withTaskState(2, WorkflowTask.State.DONE));
  }

  @Test
  void completingAWavePromotesTheNextPendingWave() throws IOException {
    Instant now = Instant.parse("2026-01-21T10:30:00Z");
    Workflow w =
        example()
            .markDone("parse pages")
            .markDone("index pages")
            .completeWave()
            .addNote(now, "wave 2 done")
            .withUpdated(now);
    assertEquals(WorkflowStatus.of(3, 5), w.status());
    assertEquals(
        List.of(
            WorkflowTask.done("fetch sources"),
            WorkflowTask.done("parse pages"),
            WorkflowTask.done("index pages")),
        w.completed());
    assertEquals(List.of(WorkflowTask.pending("summarize")), w.currentWave());
    assertEquals(List.of(), w.pendingWaves());
    assertEquals(
        """
        # Workflow: Ingest docs
        **Workflow ID:** wf_1
        **Status:** Wave 3/5
        **Revision:** 7
        **Started:** 2026-01-21T10:00:00Z
        **Updated:** 2026-01-21T10:30:00Z

        ## Completed
        - [x] fetch sources
        - [x] parse pages
        - [x] index pages
        ## Current Wave
        - [ ] summarize
        ## Pending Waves
        ## Notes
        - 2026-01-21T10:04:00Z retrying parse after timeout
        - 2026-01-21T10:30:00Z wave 2 done
        """,
        text(w));
    Workflow last = w.markDone("summarize").completeWave();
    assertTrue(last.isFinished());
    assertEquals(WorkflowStatus.of(3, 5), last.status());
    assertEquals(4, last.completed().size());
  }

  @Test
  void aWaveWithOpenTasksCannotComplete() throws IOException {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> example().completeWave());
    assertEquals(
        "cannot complete wave 2 of workflow wf_1: not done: [~] \"parse pages\", [ ] \"index"
            + " pages\"",
        e.getMessage());
    Workflow atLastWave =
        example()
            .withStatus(WorkflowStatus.of(5, 5))
            .withCurrentWave(List.of(WorkflowTask.done("x")));
    IllegalStateException last =
        assertThrows(IllegalStateException.class, atLastWave::completeWave);
    assertEquals(
        "cannot complete wave 5 of workflow wf_1: the status Wave 5/5 has no next wave but 1"
            + " wave(s) are pending",
        last.getMessage());
  }

  @Test
  void theModelRefusesWhatTheCodecRefuses() {
    Workflow w = Workflow.create("t", "id", WorkflowStatus.of(1, 2), T0);
    assertThrows(IllegalArgumentException.class, () -> w.withTitle("  "));
    assertThrows(IllegalArgumentException.class, () -> w.withTitle("two\nlines"));
    assertThrows(IllegalArgumentException.class, () -> w.withTitle("cr\rinside"));
    assertThrows(IllegalArgumentException.class, () -> w.withTitle("half \uD83D surrogate"));
    assertThrows(
        IllegalArgumentException.class,
        () -> Workflow.create("t", "has space", WorkflowStatus.of(1, 1), T0));
    assertThrows(
        IllegalArgumentException.class,
        () -> Workflow.create("t", "nbsp\u00a0id", WorkflowStatus.of(1, 1), T0));
    assertThrows(
        IllegalArgumentException.class,
        () -> Workflow.create("t", "", WorkflowStatus.of(1, 1), T0));
    assertThrows(IllegalArgumentException.class, () -> WorkflowStatus.of(0, 1));
    assertThrows(IllegalArgumentException.class, () -> WorkflowStatus.of(3, 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> w.withCompleted(List.of(WorkflowTask.pending("not done"))));
    assertThrows(
        IllegalArgumentException.class,
        () -> new WorkflowWave("Wave 2", List.of(WorkflowTask.inProgress("started"))));
    assertThrows(IllegalArgumentException.class, () -> WorkflowTask.pending(""));
    assertThrows(IllegalArgumentException.class, () -> w.addNote(T0, " \t"));
    assertThrows(NullPointerException.class, () -> w.withUpdated(null));
    assertThrows(NullPointerException.class, () -> WorkflowTask.pending(null));
  }

  @Test
  void statusParsing() {
    assertEquals(WorkflowStatus.of(2, 5), WorkflowStatus.parse("Wave 2/5").orElseThrow());
    assertEquals("Wave 2/5", WorkflowStatus.of(2, 5).toString());
    for (String bad : List.of("Wave 6/5", "Wave 0/5", "Wave 02/5", " Wave 2/5", "Wave 2/5 ")) {
      assertTrue(WorkflowStatus.parse(bad).isEmpty(), bad);
    }
  }

  @Test
  void layoutTakesNoPartInEquality() throws IOException {
    String lf = new String(resource("valid/blank-lines-everywhere.md"), UTF_8);
    Workflow airy = CODEC.decode(lf.replace("\n", "\r\n").getBytes(UTF_8), "a");
    Workflow canonical = airy.withCanonicalLayout();
    assertEquals(airy, canonical);
    assertNotEquals(text(airy), text(canonical));
    assertFalse(text(canonical).contains("\r"));
    assertEquals(canonical, CODEC.decode(CODEC.encode(canonical), "b"));
    assertTrue(airy.toString().startsWith("Workflow[id=wf_airy, title=\"Airy\", status=Wave 1/2"));
  }

  @Test
  void editsKeepTheDocumentsLayout() throws IOException {
    String lf = new String(resource("valid/blank-lines-everywhere.md"), UTF_8);
    String crlf = lf.replace("\n", "\r\n");
    Workflow w = CODEC.decode(crlf.getBytes(UTF_8), "STATE.md");
    String edited = text(w.markDone("three").addNote(T0, "added"));
    assertEquals(
        crlf.replace("- [ ] three", "- [x] three")
            .replace(
                "- 2026-01-21T10:04:00Z note\r\n",
                "- 2026-01-21T10:04:00Z note\r\n- 2026-01-21T10:00:00Z added\r\n"),
        edited);
  }
}
