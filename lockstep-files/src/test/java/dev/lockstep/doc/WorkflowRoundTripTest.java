package dev.lockstep.doc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Valid documents render back byte for byte, and decode into the values they show. */
class WorkflowRoundTripTest {
  static final DocumentCodec<Workflow> CODEC = Workflow.codec();

  static byte[] resource(String name) throws IOException {
    try (InputStream in = WorkflowRoundTripTest.class.getResourceAsStream("/workflow/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource /workflow/" + name);
      }
      return in.readAllBytes();
    }
  }

  static void assertRoundTrip(byte[] bytes) {
    Workflow w = CODEC.decode(bytes, "STATE.md");
    byte[] again = CODEC.encode(w);
    assertEquals(new String(bytes, UTF_8), new String(again, UTF_8));
    assertArrayEquals(bytes, again);
    assertEquals(w, CODEC.decode(again, "STATE.md"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "issue-example.md",
        "no-revision-yet.md",
        "empty-sections.md",
        "unicode.md",
        "notes-with-markdown.md",
        "blank-lines-everywhere.md"
      })
  void corpusRoundTripsByteForByte(String name) throws IOException {
    assertRoundTrip(resource("valid/" + name));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "issue-example.md",
        "unicode.md",
        "notes-with-markdown.md",
        "blank-lines-everywhere.md"
      })
  void crlfAndMissingFinalNewlineRoundTrip(String name) throws IOException {
    String lf = new String(resource("valid/" + name), UTF_8);
    String crlf = lf.replace("\n", "\r\n");
    assertRoundTrip(crlf.getBytes(UTF_8));
    assertRoundTrip(lf.stripTrailing().getBytes(UTF_8));
    assertRoundTrip(crlf.stripTrailing().getBytes(UTF_8));
    assertRoundTrip((lf + "\n\n  \t\n").getBytes(UTF_8));
    assertRoundTrip((lf + "   ").getBytes(UTF_8));
    assertEquals("\r\n", CODEC.decode(crlf.getBytes(UTF_8), "STATE.md").layout().lineEnding());
  }

  @Test
  void theIssueExampleDecodesIntoItsValues() throws IOException {
    Workflow w = CODEC.decode(resource("valid/issue-example.md"), "STATE.md");
    assertEquals("Ingest docs", w.title());
    assertEquals("wf_1", w.id());
    assertEquals(WorkflowStatus.of(2, 5), w.status());
    assertEquals(7, w.revision());
    assertEquals(7, CODEC.revision(w));
    assertEquals(Instant.parse("2026-01-21T10:00:00Z"), w.started());
    assertEquals(Instant.parse("2026-01-21T10:05:00Z"), w.updated());
    assertEquals(List.of(WorkflowTask.done("fetch sources")), w.completed());
    assertEquals(
        List.of(WorkflowTask.inProgress("parse pages"), WorkflowTask.pending("index pages")),
        w.currentWave());
    assertEquals(List.of(WorkflowWave.of("Wave 3", "summarize")), w.pendingWaves());
    assertEquals(
        List.of(
            new WorkflowNote(
                Instant.parse("2026-01-21T10:04:00Z"), "retrying parse after timeout")),
        w.notes());
    assertEquals("markdown", CODEC.format());
  }

  @Test
  void notesAndTasksKeepMarkdownColonsAndSpacesVerbatim() throws IOException {
    Workflow w = CODEC.decode(resource("valid/notes-with-markdown.md"), "STATE.md");
    assertEquals("Notes: with colons: everywhere", w.title());
    assertEquals(Long.MAX_VALUE, w.revision());
    assertEquals("- [ ] a task whose text looks like a task", w.completed().get(1).text());
    assertEquals("retry: attempt 2: failed: `TimeoutError: 30s`", w.notes().get(0).text());
    assertEquals("  leading spaces and trailing spaces kept   ", w.notes().get(3).text());
  }

  @Test
  void aDocumentWithoutRevisionLineHasRevisionZero() throws IOException {
    Workflow w = CODEC.decode(resource("valid/no-revision-yet.md"), "STATE.md");
    assertEquals(0, CODEC.revision(w));
  }

  @Test
  void aHundredKilobyteLineRoundTrips() throws IOException {
    String lf = new String(resource("valid/issue-example.md"), UTF_8);
    String longText = "é".repeat(20_000) + "x".repeat(60_000) + "🚀".repeat(5_000);
    assertTrue(longText.getBytes(UTF_8).length > 100_000);
    String doc =
        lf.replace("- [ ] index pages", "- [ ] " + longText)
            .replace("retrying parse after timeout", longText)
            .replace("# Workflow: Ingest docs", "# Workflow: " + longText);
    assertRoundTrip(doc.getBytes(UTF_8));
    Workflow w = CODEC.decode(doc.getBytes(UTF_8), "STATE.md");
    assertEquals(longText, w.currentWave().get(1).text());
    assertEquals(longText, w.title());
  }

  @Test
  void manyWavesRoundTrip() {
    StringBuilder doc =
        new StringBuilder(
            "# Workflow: Big\n**Workflow ID:** wf_big\n**Status:** Wave 1/500\n"
                + "**Started:** 2026-01-21T10:00:00Z\n**Updated:** 2026-01-21T10:00:00Z\n\n"
                + "## Completed\n## Current Wave\n- [~] first\n## Pending Waves\n");
    for (int w = 2; w <= 500; w++) {
      doc.append("### Wave ").append(w).append('\n');
      for (int t = 0; t < w % 4; t++) {
        doc.append("- [ ] task ").append(w).append('.').append(t).append('\n');
      }
    }
    doc.append("## Notes\n");
    assertRoundTrip(doc.toString().getBytes(UTF_8));
    Workflow w = CODEC.decode(doc.toString().getBytes(UTF_8), "STATE.md");
    assertEquals(499, w.pendingWaves().size());
    assertEquals(List.of(), w.pendingWaves().get(2).tasks()); // Wave 4: 4 % 4 tasks
    assertEquals(3, w.pendingWaves().get(1).tasks().size()); // Wave 3
  }
}
